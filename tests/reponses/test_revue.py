"""Droit de regard (charte 2.2) : accepter, contester, discuter, corriger ; portée et courriels."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from senacs.campagnes.models import Phase
from senacs.comptes.selectors import perimetre_de
from senacs.reponses.models import MessageRevue, Reponse, RevueSaisie, StatutRevue
from senacs.reponses.revue import (
    nombre_a_examiner,
    nombre_contestees,
    revue_accepter,
    revue_contester,
    revue_corriger,
    revue_notifier_saisie,
    revue_repondre,
    revues_accepter_toutes,
    revues_visibles,
)
from senacs.reponses.services import reponse_enregistrer
from senacs.territoires.models import Departement
from tests.factories import CampagneFactory, FederationFactory, MandatFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campagne(db):
    return CampagneFactory(annee=2026, phase=Phase.SAISIE)


@pytest.fixture
def federation_69(db):
    federation = FederationFactory(nom="Fédération des centres sociaux du Rhône et de la Métropole de Lyon")
    federation.departements.set([Departement.objects.get(code="69")])
    return MandatFactory(
        role="correspondant", niveau="departement", organisme="federation", caf=None, federation=federation
    ).utilisateur


@pytest.fixture
def correspondant_35(db):
    return MandatFactory(
        role="correspondant", niveau="departement", departement=Departement.objects.get(code="35")
    ).utilisateur


def saisir_pour_le_compte(reponse, par, modifications, organisme="Caf – Rhône"):
    resultat = reponse_enregistrer(
        reponse=reponse,
        modifications={code: (valeur, None) for code, valeur in modifications.items()},
        par=par,
        organisme=organisme,
        pour_le_compte=True,
    )
    assert resultat.ok
    return {r.code: r for r in RevueSaisie.objects.filter(reponse=reponse, statut=StatutRevue.A_EXAMINER)}


@pytest.fixture
def reponse(campagne, structure_69):
    return Reponse.objects.create(campagne=campagne, structure=structure_69)


def destinataires():
    return sorted(adresse for m in mail.outbox for adresse in m.to)


def test_a_proxy_entry_batch_sends_one_grouped_email_to_the_structure(
    reponse, usager_structure_69, correspondant_69, django_capture_on_commit_callbacks
):
    saisir_pour_le_compte(reponse, correspondant_69, {"E01": 12, "F04": 450000.5})

    with django_capture_on_commit_callbacks(execute=True):
        revue_notifier_saisie(reponse=reponse, codes=["E01", "F04"], par=correspondant_69, organisme="Caf – Rhône")

    (courriel,) = mail.outbox
    assert courriel.to == [usager_structure_69.email]
    assert courriel.subject == "[SENACS] 2 réponses saisies pour votre compte par Caf – Rhône"
    assert (
        "- E01 « Nombre total de salariés (personnes physiques) » : 12\u00a0personnes (auparavant : non renseignée)"
        in courriel.body
    )
    assert "450\u00a0000,50\u00a0€" in courriel.body
    assert "/revue/structures/" in courriel.body


def test_the_structure_accepts_an_answer_and_its_author_is_told(
    reponse, usager_structure_69, correspondant_69, django_capture_on_commit_callbacks
):
    revues = saisir_pour_le_compte(reponse, correspondant_69, {"E01": 12})

    with django_capture_on_commit_callbacks(execute=True):
        revue_accepter(revue=revues["E01"], par=usager_structure_69, perimetre=perimetre_de(usager_structure_69))

    revue = RevueSaisie.objects.get(pk=revues["E01"].pk)
    assert revue.statut == StatutRevue.ACCEPTEE
    assert revue.decidee_par == usager_structure_69 and revue.decidee_le is not None
    assert destinataires() == [correspondant_69.email]
    assert "accepte la saisie de la question E01" in mail.outbox[0].subject


def test_a_dispute_requires_a_message(reponse, usager_structure_69, correspondant_69):
    revues = saisir_pour_le_compte(reponse, correspondant_69, {"E01": 12})

    with pytest.raises(ValidationError, match="Le message est vide"):
        revue_contester(
            revue=revues["E01"], par=usager_structure_69, perimetre=perimetre_de(usager_structure_69), message="  "
        )
    assert RevueSaisie.objects.get(pk=revues["E01"].pk).statut == StatutRevue.A_EXAMINER


def test_a_dispute_opens_a_thread_and_notifies_the_correspondents_of_the_department_only(
    reponse,
    usager_structure_69,
    correspondant_69,
    federation_69,
    correspondant_region_84,
    correspondant_35,
    national,
    copil_69,
    django_capture_on_commit_callbacks,
):
    revues = saisir_pour_le_compte(reponse, correspondant_69, {"E01": 12})

    with django_capture_on_commit_callbacks(execute=True):
        message = revue_contester(
            revue=revues["E01"],
            par=usager_structure_69,
            perimetre=perimetre_de(usager_structure_69),
            message="Nous avons 14 salariés, pas 12.",
        )

    revue = RevueSaisie.objects.get(pk=revues["E01"].pk)
    assert revue.statut == StatutRevue.CONTESTEE
    assert (message.auteur, message.qualite) == (usager_structure_69, "Centre social de la Croix-Rousse")
    assert destinataires() == sorted([correspondant_69.email, federation_69.email, correspondant_region_84.email])
    assert "Nous avons 14 salariés, pas 12." in mail.outbox[0].body
    # Le fil est visible des deux côtés et des correspondants du département, de personne d'autre.
    for personne in (usager_structure_69, correspondant_69, federation_69, correspondant_region_84):
        assert revues_visibles(perimetre_de(personne)).filter(pk=revue.pk).exists()
    for personne in (correspondant_35, national, copil_69):
        assert not revues_visibles(perimetre_de(personne)).filter(pk=revue.pk).exists()


def test_a_reply_in_the_thread_notifies_the_other_side(
    reponse, usager_structure_69, correspondant_69, federation_69, django_capture_on_commit_callbacks
):
    revues = saisir_pour_le_compte(reponse, correspondant_69, {"E01": 12})
    revue_contester(
        revue=revues["E01"], par=usager_structure_69, perimetre=perimetre_de(usager_structure_69), message="Faux."
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        revue_repondre(
            revue=revues["E01"],
            par=federation_69,
            perimetre=perimetre_de(federation_69),
            message="D'après votre bilan, c'est 12.",
        )
    assert destinataires() == [usager_structure_69.email]
    assert "Fédération des centres sociaux du Rhône" in mail.outbox[0].body
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        revue_repondre(
            revue=revues["E01"], par=usager_structure_69, perimetre=perimetre_de(usager_structure_69), message="Non."
        )
    assert destinataires() == sorted([correspondant_69.email, federation_69.email])
    assert list(MessageRevue.objects.filter(revue=revues["E01"]).values_list("qualite", flat=True)) == [
        "Centre social de la Croix-Rousse",
        "Fédération des centres sociaux du Rhône et de la Métropole de Lyon",
        "Centre social de la Croix-Rousse",
    ]


def test_the_correspondent_corrects_a_disputed_answer_which_creates_a_new_review(
    reponse, usager_structure_69, correspondant_69, django_capture_on_commit_callbacks
):
    revues = saisir_pour_le_compte(reponse, correspondant_69, {"E01": 12})
    revue_contester(
        revue=revues["E01"], par=usager_structure_69, perimetre=perimetre_de(usager_structure_69), message="14."
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        revue_corriger(
            revue=revues["E01"],
            par=correspondant_69,
            perimetre=perimetre_de(correspondant_69),
            valeur="14",
            version=1,
            message="Corrigé d'après votre message.",
        )

    reponse.refresh_from_db()
    assert reponse.valeurs["E01"] == 14
    assert reponse.provenance["E01"]["pour_le_compte"] is True
    nouvelle = RevueSaisie.objects.get(reponse=reponse, code="E01", statut=StatutRevue.A_EXAMINER)
    assert nouvelle.pk > revues["E01"].pk
    assert revues_visibles(perimetre_de(usager_structure_69)).get(pk=revues["E01"].pk).remplacee
    dernier = MessageRevue.objects.filter(revue=revues["E01"]).last()
    assert dernier.texte.startswith("Réponse corrigée : 12\u00a0personnes → 14\u00a0personnes.")
    assert destinataires() == [usager_structure_69.email]
    # La structure accepte la nouvelle saisie ; l'ancienne, remplacée, ne s'accepte plus.
    revue_accepter(revue=nouvelle, par=usager_structure_69, perimetre=perimetre_de(usager_structure_69))
    with pytest.raises(ValidationError, match="remplacée"):
        revue_accepter(revue=revues["E01"], par=usager_structure_69, perimetre=perimetre_de(usager_structure_69))


def test_a_correction_must_be_readable_and_different(reponse, usager_structure_69, correspondant_69):
    revues = saisir_pour_le_compte(reponse, correspondant_69, {"E01": 12})
    revue_contester(
        revue=revues["E01"], par=usager_structure_69, perimetre=perimetre_de(usager_structure_69), message="?"
    )
    perimetre = perimetre_de(correspondant_69)

    with pytest.raises(ValidationError, match="Saisissez un nombre entier"):
        revue_corriger(revue=revues["E01"], par=correspondant_69, perimetre=perimetre, valeur="12,5", version=1)
    with pytest.raises(ValidationError, match="déjà enregistrée"):
        revue_corriger(revue=revues["E01"], par=correspondant_69, perimetre=perimetre, valeur="12", version=1)


def test_the_structure_may_finally_accept_a_disputed_answer_and_the_correspondents_are_told(
    reponse, usager_structure_69, correspondant_69, django_capture_on_commit_callbacks
):
    revues = saisir_pour_le_compte(reponse, correspondant_69, {"E01": 12})
    perimetre = perimetre_de(usager_structure_69)
    revue_contester(revue=revues["E01"], par=usager_structure_69, perimetre=perimetre, message="Vraiment ?")

    with django_capture_on_commit_callbacks(execute=True):
        revue_accepter(revue=revues["E01"], par=usager_structure_69, perimetre=perimetre)

    assert RevueSaisie.objects.get(pk=revues["E01"].pk).statut == StatutRevue.ACCEPTEE
    assert destinataires() == [correspondant_69.email]
    assert "après l'avoir contestée" in mail.outbox[0].body


def test_only_the_structure_accepts_or_disputes(reponse, correspondant_69, usager_structure_69):
    revues = saisir_pour_le_compte(reponse, correspondant_69, {"E01": 12})
    perimetre = perimetre_de(correspondant_69)

    with pytest.raises(PermissionDenied):
        revue_accepter(revue=revues["E01"], par=correspondant_69, perimetre=perimetre)
    with pytest.raises(PermissionDenied):
        revue_contester(revue=revues["E01"], par=correspondant_69, perimetre=perimetre, message="Non.")


def test_a_correspondent_of_another_department_can_neither_reply_nor_correct(
    reponse, usager_structure_69, correspondant_69, correspondant_35
):
    revues = saisir_pour_le_compte(reponse, correspondant_69, {"E01": 12})
    revue_contester(
        revue=revues["E01"], par=usager_structure_69, perimetre=perimetre_de(usager_structure_69), message="?"
    )
    perimetre = perimetre_de(correspondant_35)

    with pytest.raises(PermissionDenied):
        revue_repondre(revue=revues["E01"], par=correspondant_35, perimetre=perimetre, message="Bonjour")
    with pytest.raises(PermissionDenied):
        revue_corriger(revue=revues["E01"], par=correspondant_35, perimetre=perimetre, valeur="14", version=1)
    assert not MessageRevue.objects.filter(auteur=correspondant_35).exists()


def test_answers_are_no_longer_reviewed_once_the_check_phase_is_over(
    campagne, reponse, usager_structure_69, correspondant_69
):
    revues = saisir_pour_le_compte(reponse, correspondant_69, {"E01": 12})
    campagne.phase = Phase.ANALYSE
    campagne.save()

    with pytest.raises(ValidationError, match="phase « Analyse »"):
        revue_accepter(revue=revues["E01"], par=usager_structure_69, perimetre=perimetre_de(usager_structure_69))


def test_accepting_everything_sends_one_email_per_author(
    reponse, usager_structure_69, correspondant_69, federation_69, django_capture_on_commit_callbacks
):
    saisir_pour_le_compte(reponse, correspondant_69, {"E01": 12, "E02": 8.5})
    saisir_pour_le_compte(reponse, federation_69, {"B08": 220}, organisme="Fédération du Rhône")

    with django_capture_on_commit_callbacks(execute=True):
        nombre = revues_accepter_toutes(
            reponse=reponse, par=usager_structure_69, perimetre=perimetre_de(usager_structure_69)
        )

    assert nombre == 3
    assert not RevueSaisie.objects.filter(reponse=reponse, statut=StatutRevue.A_EXAMINER).exists()
    assert destinataires() == sorted([correspondant_69.email, federation_69.email])
    courriel = next(m for m in mail.outbox if m.to == [correspondant_69.email])
    assert "accepte 2 saisies" in courriel.subject
    assert "- E02 « Nombre total d'équivalents temps plein (ETP) » : 8,5\u00a0ETP" in courriel.body


def test_the_home_page_counts_pending_and_disputed_reviews(campagne, reponse, usager_structure_69, correspondant_69):
    revues = saisir_pour_le_compte(reponse, correspondant_69, {"E01": 12, "E02": 8.5})
    structure, correspondant = perimetre_de(usager_structure_69), perimetre_de(correspondant_69)
    assert (nombre_a_examiner(structure, campagne), nombre_contestees(correspondant, campagne)) == (2, 0)

    revue_contester(revue=revues["E01"], par=usager_structure_69, perimetre=structure, message="Non.")

    assert (nombre_a_examiner(structure, campagne), nombre_contestees(correspondant, campagne)) == (1, 1)
    assert nombre_a_examiner(correspondant, campagne) == 0
