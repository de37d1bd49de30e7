import io

import pytest
from django.db import connection
from django.urls import reverse

from senacs.journal.models import AccesDonnees, Nature
from senacs.journal.services import ROLE_OPERATEUR, journaliser_acces
from senacs.statistiques.selectors import Territoire
from senacs.statistiques.services import export_brut
from senacs.www.decorators import _refuser_ecriture
from tests.statistiques.fabriques import campagne_statistiques


def test_it_records_who_viewed_a_structure_page_and_under_which_mandate(client, correspondant_69, structure_69):
    client.force_login(correspondant_69)

    assert client.get(reverse("structures:detail", args=[structure_69.pk])).status_code == 200

    acces = AccesDonnees.objects.get()
    assert acces.utilisateur == correspondant_69
    assert acces.nature == Nature.FICHE
    assert acces.role == "Correspondant SENACS (Département 69 – Rhône)"
    assert acces.organisme.startswith("Caf")
    assert correspondant_69.email in acces.qui
    assert list(acces.structures_consultees.values_list("structure", flat=True)) == [structure_69.pk]


def test_a_structure_viewing_its_own_answers_is_not_recorded(client, usager_structure_69, structure_69):
    client.force_login(usager_structure_69)

    assert client.get(reverse("structures:detail", args=[structure_69.pk])).status_code == 200

    assert not AccesDonnees.objects.exists()


def test_a_refused_view_is_not_recorded(client, correspondant_69, structure_01):
    client.force_login(correspondant_69)

    assert client.get(reverse("structures:detail", args=[structure_01.pk])).status_code == 404

    assert not AccesDonnees.objects.exists()


def test_the_log_is_written_even_inside_a_read_only_request(correspondant_69, structure_69):
    with connection.execute_wrapper(_refuser_ecriture):
        acces = journaliser_acces(correspondant_69, structures=[structure_69], nature=Nature.SAISIE)

    assert AccesDonnees.objects.filter(pk=acces.pk).exists()


def test_it_rejects_an_unknown_kind_of_access(correspondant_69, structure_69):
    with pytest.raises(ValueError, match="Nature"):
        journaliser_acces(correspondant_69, structures=[structure_69], nature="curiosite")


def test_a_territory_export_is_recorded_under_the_preparer_mandate(settings, tmp_path, preparateur_69):
    settings.VAR_DIR = tmp_path
    jeu = campagne_statistiques()

    resultat = export_brut(jeu.campagne, Territoire.depuis_cle("D:69"), io.StringIO(), acteur=preparateur_69)

    acces = AccesDonnees.objects.get()
    assert acces.nature == Nature.EXPORT_BRUT
    assert acces.role.startswith("Préparateur des données du COPIL")
    assert acces.campagne == jeu.campagne
    assert acces.nombre_structures == resultat.lignes == len([s for s in jeu.repondantes if s.departement_id == "69"])


def test_a_command_export_is_recorded_as_an_operator_access(structure_69):
    acces = journaliser_acces(None, structures=[structure_69.pk], nature=Nature.EXPORT_BRUT, detail="cron")

    assert acces.role == ROLE_OPERATEUR and acces.utilisateur is None
