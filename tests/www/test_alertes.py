"""Alertes de compréhension (charte 2.1) : signaler, répondre, transmettre, réponse nationale, FAQ du guide."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from senacs.campagnes.models import Phase
from senacs.comptes.selectors import perimetre_de
from senacs.questionnaires.models import AlerteComprehension, EntreeFAQ, StatutAlerte
from senacs.questionnaires.services_alertes import faq_pour_question, nombre_alertes_a_traiter
from senacs.territoires.models import Departement
from tests.factories import CampagneFactory, FederationFactory, MandatFactory

pytestmark = pytest.mark.django_db

LIBELLE_B07 = "Part estimée des activités réalisées hors les murs"
AIDE_B07 = "Une estimation à 10 points près suffit."


@pytest.fixture
def campagne(db):
    return CampagneFactory(annee=2026, phase=Phase.SAISIE)


@pytest.fixture
def federation_69(db):
    federation = FederationFactory(nom="Fédération du Rhône")
    federation.departements.set([Departement.objects.get(code="69")])
    return MandatFactory(
        role="correspondant", niveau="departement", organisme="federation", caf=None, federation=federation
    ).utilisateur


@pytest.fixture
def correspondant_35(db):
    return MandatFactory(
        role="correspondant", niveau="departement", departement=Departement.objects.get(code="35")
    ).utilisateur


@pytest.fixture
def usager_structure_35(structure_35):
    return MandatFactory(
        role="structure", niveau="structure", departement=None, structure=structure_35, organisme="structure"
    ).utilisateur


def destinataires():
    return sorted(a for m in mail.outbox for a in m.to)


def signaler(client, texte="Faut-il compter les sorties familles ?"):
    return client.post(
        reverse("alertes:signaler"), {"campagne": "2026", "question": "B07", "texte": texte}, follow=True
    )


@pytest.fixture
def alerte(client, campagne, usager_structure_69):
    client.force_login(usager_structure_69)
    signaler(client)
    client.logout()
    mail.outbox.clear()
    return AlerteComprehension.objects.get()


def test_the_signal_page_shows_the_question_label_and_its_guide_text(client, campagne, usager_structure_69):
    client.force_login(usager_structure_69)

    page = client.get(reverse("alertes:signaler"), {"campagne": "2026", "question": "B07"}).content.decode()

    assert LIBELLE_B07 in page
    assert AIDE_B07 in page
    assert "Envoyer à mes correspondants" in page


def test_the_signal_page_works_standalone_by_choosing_the_question(client, campagne, usager_structure_69):
    client.force_login(usager_structure_69)

    page = client.get(reverse("alertes:signaler")).content.decode()
    assert '<option value="B07">B07 — Part estimée' in page

    page = client.get(reverse("alertes:signaler"), {"question": "b07"}).content.decode()
    assert AIDE_B07 in page
    page = client.get(reverse("alertes:signaler"), {"question": "Z99"}).content.decode()
    assert "La question « Z99 » n'existe pas dans le questionnaire 2026." in page


def test_a_signal_reaches_the_correspondents_of_the_department_only(
    client,
    campagne,
    usager_structure_69,
    correspondant_69,
    federation_69,
    correspondant_region_84,
    correspondant_35,
    national,
    django_capture_on_commit_callbacks,
):
    client.force_login(usager_structure_69)

    with django_capture_on_commit_callbacks(execute=True):
        reponse = signaler(client)

    alerte = AlerteComprehension.objects.get()
    assert (alerte.code_question, alerte.statut, alerte.cree_par) == ("B07", StatutAlerte.OUVERTE, usager_structure_69)
    assert reponse.redirect_chain == [(reverse("alertes:detail", args=[alerte.pk]), 302)]
    assert "Faut-il compter les sorties familles ?" in reponse.content.decode()
    assert destinataires() == sorted([correspondant_69.email, federation_69.email, correspondant_region_84.email])
    assert "Question B07 non comprise par Centre social de la Croix-Rousse" in mail.outbox[0].subject
    assert LIBELLE_B07 in mail.outbox[0].body

    client.force_login(federation_69)
    assert "Centre social de la Croix-Rousse" in client.get(reverse("alertes:liste")).content.decode()


def test_the_correspondent_answers_and_the_structure_is_told(
    client, alerte, correspondant_69, usager_structure_69, django_capture_on_commit_callbacks
):
    client.force_login(correspondant_69)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("alertes:repondre", args=[alerte.pk]), {"texte": "Oui, les sorties comptent."}, follow=True
        )

    assert "Réponse envoyée à la structure." in page.content.decode()
    alerte.refresh_from_db()
    assert alerte.statut == StatutAlerte.REPONDUE
    assert destinataires() == [usager_structure_69.email]
    assert "Oui, les sorties comptent." in mail.outbox[0].body

    client.force_login(usager_structure_69)
    page = client.get(reverse("alertes:detail", args=[alerte.pk])).content.decode()
    assert "Oui, les sorties comptent." in page and "(Caf – Rhône), le " in page


def test_escalation_reaches_the_national_committee_which_answers_and_adds_the_answer_to_the_guide(
    client,
    alerte,
    correspondant_69,
    usager_structure_69,
    usager_structure_35,
    national,
    django_capture_on_commit_callbacks,
):
    client.force_login(national)
    assert client.get(reverse("alertes:detail", args=[alerte.pk])).status_code == 404  # pas encore transmise

    client.force_login(correspondant_69)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("alertes:transmettre", args=[alerte.pk]), {"texte": "La question revient souvent."})
    alerte.refresh_from_db()
    assert alerte.statut == StatutAlerte.ESCALADEE
    assert "La question revient souvent." in mail.outbox[0].body
    assert destinataires() == sorted([national.email, usager_structure_69.email])
    mail.outbox.clear()

    client.force_login(national)
    assert reverse("alertes:detail", args=[alerte.pk]) in client.get(reverse("alertes:liste")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("alertes:repondre", args=[alerte.pk]), {"texte": "Comptez-les dans les activités."})
    alerte.refresh_from_db()
    assert alerte.statut == StatutAlerte.REPONDUE_NATIONAL
    assert destinataires() == sorted([usager_structure_69.email, correspondant_69.email])
    mail.outbox.clear()

    page = client.get(reverse("alertes:detail", args=[alerte.pk])).content.decode()
    assert "Ajouter la réponse au guide" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("alertes:publier", args=[alerte.pk]),
            {
                "question": "Les sorties familles comptent-elles hors les murs ?",
                "reponse": "Oui : comptez-les dans les activités hors les murs.",
            },
        )
    entree = EntreeFAQ.objects.get()
    assert (entree.code_question, entree.alerte, entree.publiee_par) == ("B07", alerte, national)
    assert faq_pour_question("B07") == [entree]
    assert sorted(destinataires()) == sorted([usager_structure_69.email, correspondant_69.email])

    # Chaque étape est datée dans le fil de l'alerte.
    page = client.get(reverse("alertes:detail", args=[alerte.pk])).content.decode()
    assert "Alerte transmise au comité technique national." in page and "La question revient souvent." in page
    assert "Réponse ajoutée au guide" in page
    assert "Publier dans le guide" not in page  # déjà publiée

    # Toutes les structures voient la FAQ, à côté de la question et sur la page du guide.
    client.force_login(usager_structure_35)
    faq = client.get(reverse("alertes:faq")).content.decode()
    assert "Les sorties familles comptent-elles hors les murs ?" in faq and 'id="faq-B07"' in faq
    page = client.get(reverse("alertes:signaler"), {"question": "B07"}).content.decode()
    assert "Oui : comptez-les dans les activités hors les murs." in page
    assert client.get(reverse("alertes:detail", args=[alerte.pk])).status_code == 404


def test_a_correspondent_cannot_answer_an_alert_sent_to_the_national_committee(client, alerte, correspondant_69):
    client.force_login(correspondant_69)
    client.post(reverse("alertes:transmettre", args=[alerte.pk]), {"texte": ""})
    page = client.post(reverse("alertes:repondre", args=[alerte.pk]), {"texte": "Ma réponse"})
    assert page.status_code == 400
    assert "a été transmise au comité technique national" in page.content.decode()


def test_the_structure_follows_up_and_the_alert_goes_back_to_its_correspondents(
    client, alerte, correspondant_69, usager_structure_69, django_capture_on_commit_callbacks
):
    client.force_login(correspondant_69)
    client.post(reverse("alertes:repondre", args=[alerte.pk]), {"texte": "Voir le guide."})
    client.force_login(usager_structure_69)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("alertes:completer", args=[alerte.pk]), {"texte": "Le guide ne dit rien des sorties."})

    alerte.refresh_from_db()
    assert alerte.statut == StatutAlerte.OUVERTE
    assert destinataires() == [correspondant_69.email]


def test_it_hides_other_territories(client, alerte, correspondant_35, usager_structure_35):
    for personne in (correspondant_35, usager_structure_35):
        client.force_login(personne)
        assert client.get(reverse("alertes:detail", args=[alerte.pk])).status_code == 404
        assert client.post(reverse("alertes:repondre", args=[alerte.pk]), {"texte": "x"}).status_code == 404
        assert "Croix-Rousse" not in client.get(reverse("alertes:liste")).content.decode()


@pytest.mark.parametrize("persona", ["copil_69", "invite_69", "preparateur_69"])
def test_copil_guests_and_preparers_see_no_alert(client, request, persona, alerte):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("alertes:liste")).status_code == 403
    assert client.get(reverse("alertes:detail", args=[alerte.pk])).status_code == 403
    assert client.get(reverse("alertes:signaler")).status_code == 403


def test_the_admin_sees_no_alert(client, alerte):
    admin = MandatFactory(role="admin", niveau="nation", departement=None, organisme="national").utilisateur
    client.force_login(admin)
    assert client.get(reverse("alertes:liste")).status_code == 403


def test_only_structures_signal_and_only_during_entry_and_check(
    client, campagne, correspondant_69, usager_structure_69
):
    client.force_login(correspondant_69)
    assert client.get(reverse("alertes:signaler")).status_code == 403

    campagne.phase = Phase.ANALYSE
    campagne.save()
    client.force_login(usager_structure_69)
    page = signaler(client)
    assert page.status_code == 400
    assert "les questions se signalent pendant la saisie" in page.content.decode()
    assert not AlerteComprehension.objects.exists()


def test_alerts_waiting_for_someone_are_counted(client, alerte, correspondant_69, correspondant_35, national):
    assert nombre_alertes_a_traiter(perimetre_de(correspondant_69)) == 1
    assert nombre_alertes_a_traiter(perimetre_de(correspondant_35)) == 0
    assert nombre_alertes_a_traiter(perimetre_de(national)) == 0
    client.force_login(correspondant_69)
    client.post(reverse("alertes:transmettre", args=[alerte.pk]), {"texte": ""})
    assert nombre_alertes_a_traiter(perimetre_de(correspondant_69)) == 0
    assert nombre_alertes_a_traiter(perimetre_de(national)) == 1


def test_the_forms_of_the_alert_page_have_distinct_field_ids(client, alerte, correspondant_69):
    client.force_login(correspondant_69)
    page = client.get(reverse("alertes:detail", args=[alerte.pk])).content.decode()
    identifiants = re.findall(r'\bid="([^"]+)"', page)
    assert len(identifiants) == len(set(identifiants))
    assert 'for="id_transmission_texte"' in page and 'for="id_reponse_texte"' in page
