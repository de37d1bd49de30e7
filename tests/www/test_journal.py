import datetime

import time_machine
from django.urls import reverse

from senacs.journal.models import AccesDonnees, Nature
from senacs.journal.services import journaliser_acces
from tests.factories import MandatFactory


def test_a_structure_sees_who_consulted_its_answers(client, usager_structure_69, correspondant_69, structure_69):
    client.force_login(correspondant_69)
    client.get(reverse("structures:detail", args=[structure_69.pk]))

    client.force_login(usager_structure_69)
    reponse = client.get(reverse("journal:ma_structure"))

    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert correspondant_69.email in page
    assert "Correspondant SENACS (Département 69 – Rhône)" in page
    assert "Fiche de la structure et ses réponses" in page


def test_it_hides_other_territories(client, usager_structure_69, correspondant_69, structure_69, structure_01):
    journaliser_acces(correspondant_69, structures=[structure_01], nature=Nature.SAISIE, detail="ailleurs")

    client.force_login(usager_structure_69)
    page = client.get(reverse("journal:ma_structure")).content.decode()

    assert "ailleurs" not in page
    assert "Personne n'a encore consulté vos réponses" in page


def test_only_structures_have_a_structure_log_page(client, correspondant_69, national):
    for utilisateur in (correspondant_69, national):
        client.force_login(utilisateur)
        assert client.get(reverse("journal:ma_structure")).status_code == 403


def test_the_national_role_searches_the_whole_log(
    client, national, correspondant_69, preparateur_69, structure_69, structure_01
):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)):
        journaliser_acces(correspondant_69, structures=[structure_69], nature=Nature.FICHE)
    with time_machine.travel(datetime.datetime(2026, 5, 2, 10, tzinfo=datetime.UTC)):
        journaliser_acces(preparateur_69, structures=[structure_69, structure_01], nature=Nature.EXPORT_BRUT)
    client.force_login(national)

    tout = client.get(reverse("journal:recherche")).content.decode()
    par_nature = client.get(reverse("journal:recherche"), {"nature": "export_brut"}).content.decode()
    par_structure = client.get(reverse("journal:recherche"), {"structure": "Bourg"}).content.decode()
    par_periode = client.get(reverse("journal:recherche"), {"du": "01/03/2026", "au": "31/03/2026"}).content.decode()
    par_personne = client.get(reverse("journal:recherche"), {"utilisateur": preparateur_69.email}).content.decode()

    assert correspondant_69.email in tout and preparateur_69.email in tout
    assert preparateur_69.email in par_nature and correspondant_69.email not in par_nature
    assert preparateur_69.email in par_structure and correspondant_69.email not in par_structure
    assert correspondant_69.email in par_periode and preparateur_69.email not in par_periode
    assert preparateur_69.email in par_personne and correspondant_69.email not in par_personne


def test_the_log_search_is_paginated(client, national, correspondant_69, structure_69):
    for _ in range(51):
        journaliser_acces(correspondant_69, structures=[structure_69], nature=Nature.FICHE)
    client.force_login(national)

    assert "Page 1 sur 2" in client.get(reverse("journal:recherche")).content.decode()
    assert "Page 2 sur 2" in client.get(reverse("journal:recherche"), {"page": 2}).content.decode()


def test_admins_search_the_log_too_and_others_get_403(client, correspondant_69, copil_69, usager_structure_69):
    admin = MandatFactory(role="admin", niveau="nation", departement=None, organisme="national", caf=None).utilisateur
    client.force_login(admin)
    assert client.get(reverse("journal:recherche")).status_code == 200
    for utilisateur in (correspondant_69, copil_69, usager_structure_69):
        client.force_login(utilisateur)
        assert client.get(reverse("journal:recherche")).status_code == 403
    assert AccesDonnees.objects.count() == 0
