"""Écrans du droit de regard : la structure accepte ou conteste, le fil est partagé avec ses correspondants."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from senacs.campagnes.models import Phase
from senacs.reponses.models import MessageRevue, Reponse, RevueSaisie, StatutRevue
from senacs.reponses.services import reponse_enregistrer
from senacs.territoires.models import Departement
from tests.factories import CampagneFactory, FederationFactory, MandatFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reponse(structure_69):
    return Reponse.objects.create(campagne=CampagneFactory(annee=2026, phase=Phase.SAISIE), structure=structure_69)


@pytest.fixture
def revues(reponse, correspondant_69):
    reponse_enregistrer(
        reponse=reponse,
        modifications={"E01": (12, None), "F04": (450000, None)},
        par=correspondant_69,
        organisme="Caf – Rhône",
        pour_le_compte=True,
    )
    return {r.code: r for r in RevueSaisie.objects.filter(reponse=reponse)}


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


def test_the_structure_sees_what_was_entered_on_its_behalf_with_who_and_when(
    client, usager_structure_69, correspondant_69, revues, structure_69
):
    client.force_login(usager_structure_69)

    reponse = client.get(reverse("revue:index"), follow=True)

    assert reponse.redirect_chain == [(reverse("revue:structure", args=[structure_69.pk]), 302)]
    page = reponse.content.decode()
    jour = timezone.localtime(revues["E01"].historique.le).strftime("%d/%m/%Y")
    assert f"saisi par {correspondant_69.nom_complet} (Caf – Rhône) le {jour}" in page
    assert "450\u00a0000\u00a0€" in page
    assert "12\u00a0personnes" in page
    assert "Accepter les 2 saisies à examiner" in page


def test_the_structure_accepts_an_answer(client, usager_structure_69, revues, django_capture_on_commit_callbacks):
    client.force_login(usager_structure_69)

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(reverse("revue:accepter", args=[revues["E01"].pk]), follow=True)

    assert "Vous avez accepté la saisie de la question E01." in reponse.content.decode()
    assert RevueSaisie.objects.get(pk=revues["E01"].pk).statut == StatutRevue.ACCEPTEE
    assert len(mail.outbox) == 1  # l'auteur de la saisie est prévenu


def test_a_dispute_without_message_is_refused(client, usager_structure_69, revues):
    client.force_login(usager_structure_69)

    reponse = client.post(reverse("revue:contester", args=[revues["E01"].pk]), {"message": ""})

    assert reponse.status_code == 400
    assert "Écrivez votre message : il est obligatoire." in reponse.content.decode()
    assert RevueSaisie.objects.get(pk=revues["E01"].pk).statut == StatutRevue.A_EXAMINER


def test_a_dispute_opens_a_thread_seen_by_both_sides_and_the_departments_correspondents(
    client,
    usager_structure_69,
    correspondant_69,
    federation_69,
    correspondant_35,
    revues,
    django_capture_on_commit_callbacks,
):
    client.force_login(usager_structure_69)
    url = reverse("revue:detail", args=[revues["E01"].pk])

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            reverse("revue:contester", args=[revues["E01"].pk]), {"message": "Nous avons 14 salariés."}, follow=True
        )

    assert reponse.redirect_chain == [(url, 302)]
    assert "Nous avons 14 salariés." in reponse.content.decode()
    assert sorted(a for m in mail.outbox for a in m.to) == sorted([correspondant_69.email, federation_69.email])

    # Les correspondants du département voient le fil, la liste des saisies contestées, et y répondent.
    client.force_login(federation_69)
    liste = client.get(reverse("revue:index")).content.decode()
    assert "Centre social de la Croix-Rousse" in liste and url in liste
    page = client.get(url).content.decode()
    assert "Nous avons 14 salariés." in page
    assert "Corriger la réponse" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("revue:repondre", args=[revues["E01"].pk]), {"message": "Nous vérifions."})
    assert [m.to for m in mail.outbox] == [[usager_structure_69.email]]

    client.force_login(usager_structure_69)
    assert "Nous vérifions." in client.get(url).content.decode()

    # Un correspondant d'un autre département ne voit rien : 404.
    client.force_login(correspondant_35)
    assert client.get(url).status_code == 404
    assert client.post(reverse("revue:repondre", args=[revues["E01"].pk]), {"message": "?"}).status_code == 404
    assert client.get(reverse("revue:structure", args=[revues["E01"].reponse.structure_id])).status_code == 404
    assert MessageRevue.objects.count() == 2


def test_the_correspondent_corrects_a_disputed_answer(
    client, usager_structure_69, correspondant_69, revues, reponse, django_capture_on_commit_callbacks
):
    client.force_login(usager_structure_69)
    client.post(reverse("revue:contester", args=[revues["E01"].pk]), {"message": "C'est 14."})
    client.force_login(correspondant_69)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("revue:corriger", args=[revues["E01"].pk]),
            {"valeur": "14", "version": "1", "message": ""},
            follow=True,
        )

    assert "Réponse corrigée : la structure examine la nouvelle saisie." in page.content.decode()
    reponse.refresh_from_db()
    assert reponse.valeurs["E01"] == 14
    assert RevueSaisie.objects.filter(reponse=reponse, code="E01", statut=StatutRevue.A_EXAMINER).exists()

    erreur = client.post(reverse("revue:corriger", args=[revues["E01"].pk]), {"valeur": "quinze", "version": "2"})
    assert erreur.status_code == 400


def test_a_correspondent_cannot_accept_on_behalf_of_the_structure(client, correspondant_69, revues):
    client.force_login(correspondant_69)
    assert client.post(reverse("revue:accepter", args=[revues["E01"].pk])).status_code == 403
    assert RevueSaisie.objects.get(pk=revues["E01"].pk).statut == StatutRevue.A_EXAMINER


@pytest.mark.parametrize("persona", ["copil_69", "invite_69", "national", "preparateur_69"])
def test_other_roles_have_no_access_to_the_review(client, request, persona, revues):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("revue:index")).status_code == 403
    assert client.get(reverse("revue:detail", args=[revues["E01"].pk])).status_code == 403


def test_it_hides_other_territories(client, structure_35, correspondant_69, revues):
    client.force_login(correspondant_69)
    assert client.get(reverse("revue:structure", args=[structure_35.pk])).status_code == 404


def test_the_forms_of_a_disputed_answer_have_distinct_field_ids(client, usager_structure_69, correspondant_69, revues):
    client.force_login(usager_structure_69)
    client.post(reverse("revue:contester", args=[revues["E01"].pk]), {"message": "Non."})
    client.force_login(correspondant_69)
    page = client.get(reverse("revue:detail", args=[revues["E01"].pk])).content.decode()
    identifiants = re.findall(r'\bid="([^"]+)"', page)
    assert len(identifiants) == len(set(identifiants))
    assert 'for="id_message_message"' in page and 'for="id_correction_message"' in page


# --- Journal (issue 12) : toute valeur brute affichée à un tiers est journalisée ---


def test_every_page_that_shows_values_entered_on_behalf_is_logged_for_third_parties(
    client, usager_structure_69, correspondant_69, revues, structure_69
):
    from senacs.journal.models import AccesDonnees, Nature

    client.force_login(usager_structure_69)  # la structure elle-même : pas un accès de tiers
    client.get(reverse("revue:structure", args=[structure_69.pk]))
    client.get(reverse("revue:detail", args=[revues["F04"].pk]))
    assert not AccesDonnees.objects.exists()

    client.force_login(correspondant_69)
    for url in (
        reverse("revue:index") + "?campagne=2026",
        reverse("revue:structure", args=[structure_69.pk]) + "?campagne=2026",
        reverse("revue:detail", args=[revues["F04"].pk]),
    ):
        avant = AccesDonnees.objects.count()
        page = client.get(url).content.decode()
        assert "450\u00a0000\u00a0€" in page, url
        assert AccesDonnees.objects.count() == avant + 1, url
        acces = AccesDonnees.objects.order_by("-pk").first()
        assert acces.utilisateur == correspondant_69 and acces.nature == Nature.SAISIE
        assert list(acces.structures_consultees.values_list("structure_id", flat=True)) == [structure_69.pk]
