"""Chaque consultation des réponses d'une structure par quelqu'un d'autre qu'elle est journalisée."""

from django.test import Client
from django.urls import reverse

from senacs.journal.models import AccesDonnees, Nature


def _client(utilisateur) -> Client:
    client = Client()
    client.force_login(utilisateur)
    return client


def test_a_correspondent_opening_the_questionnaire_of_a_structure_is_logged(
    reponse,
    structure_69,
    correspondant_69,
):
    page = _client(correspondant_69).get(reverse("saisie:sommaire", args=[2026, structure_69.pk]))

    assert page.status_code == 200
    acces = AccesDonnees.objects.get()
    assert acces.utilisateur == correspondant_69
    assert acces.nature == Nature.SAISIE
    assert list(acces.structures_consultees.values_list("structure_id", flat=True)) == [structure_69.pk]


def test_the_structure_reading_its_own_answers_is_not_logged(reponse, structure_69, usager_structure_69):
    page = _client(usager_structure_69).get(reverse("saisie:sommaire", args=[2026, structure_69.pk]))

    assert page.status_code == 200
    assert not AccesDonnees.objects.exists()


def test_autosaves_are_not_logged_as_consultations(reponse, structure_69, correspondant_69):
    client = _client(correspondant_69)
    page = client.post(
        reverse("saisie:champ", args=[2026, structure_69.pk, "E", "E01"]),
        {"E01": "3", "version_E01": "0"},
        HTTP_HX_REQUEST="true",
    )
    assert page.status_code == 200
    reponse.refresh_from_db()
    assert reponse.valeurs["E01"] == 3
    assert not AccesDonnees.objects.exists()
