import io

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from python_calamine import CalamineWorkbook

from core import registre
from senacs.structures.models import Structure
from tests.factories import StructureFactory
from tests.structures.fichiers import fichier_csv, fichier_xlsx, ligne, ligne_01

# Marque explicite (et pas seulement celle qu'ajoute tests/conftest.py) : pytest-django ordonne les
# tests avant que le conftest n'ajoute sa marque ; sans elle, ces tests passeraient après les tests
# navigateur transactionnels, qui vident la base (référentiel des territoires compris).
pytestmark = pytest.mark.django_db


def lancer(*args) -> str:
    sortie = io.StringIO()
    call_command("structures", *args, stdout=sortie)
    return sortie.getvalue()


def test_the_dry_run_prints_the_report_and_writes_nothing(tmp_path):
    chemin = tmp_path / "registre.csv"
    chemin.write_bytes(fichier_csv([ligne(), ligne_01()]))

    sortie = lancer("import", str(chemin), "--dry-run")

    assert "2 créations, 0 modification, 0 ligne inchangée, 2 agréments ajoutés." in sortie
    assert "  Ligne 2 — CS69001 : Centre social de la Croix-Rousse (CS, Lyon 4e Arrondissement, 69)" in sortie
    assert sortie.rstrip().endswith("Simulation : aucune modification n'a été enregistrée.")
    assert not Structure.objects.exists()


def test_the_import_writes_and_prints_the_differences(tmp_path):
    StructureFactory(identifiant="CS69001", email="ancien@exemple.fr")
    chemin = tmp_path / "registre.xlsx"
    chemin.write_bytes(fichier_xlsx([ligne(), ligne_01()]))

    sortie = lancer("import", str(chemin))

    assert "Import enregistré : 1 création, 1 modification, 0 ligne inchangée, 1 agrément ajouté." in sortie
    assert "email : ancien@exemple.fr → contact@cs-croixrousse.fr" in sortie
    assert "Simulation" not in sortie
    assert Structure.objects.get(identifiant="CS69001").email == "contact@cs-croixrousse.fr"
    assert Structure.objects.filter(identifiant="EVS01001").exists()


def test_errors_are_all_printed_and_the_command_fails_without_writing(tmp_path):
    chemin = tmp_path / "registre.csv"
    chemin.write_bytes(fichier_csv([ligne(siret="1234"), ligne_01(departement="69")]))
    sortie = io.StringIO()

    with pytest.raises(CommandError) as erreur:
        call_command("structures", "import", str(chemin), stdout=sortie)

    texte = sortie.getvalue()
    assert "Ligne 2, colonne « siret » : le numéro SIRET doit comporter 14 chiffres (reçu « 1234 »)." in texte
    assert "Ligne 3, colonne « commune_insee » : le code commune « 01053 » appartient au département 01" in texte
    assert "Ligne 3, colonne « code_postal » : le code postal « 01000 » est celui du département 01" in texte
    assert str(erreur.value) == (
        "Import refusé : 3 erreurs ; aucune modification n'a été enregistrée. Corrigez le fichier puis relancez."
    )
    assert not Structure.objects.exists()


def test_a_dry_run_with_errors_also_says_nothing_was_recorded(tmp_path):
    chemin = tmp_path / "registre.csv"
    chemin.write_bytes(fichier_csv([ligne(), ligne()]))
    sortie = io.StringIO()
    with pytest.raises(CommandError):
        call_command("structures", "import", str(chemin), "--dry-run", stdout=sortie)
    assert "Ligne 3, colonne « identifiant » : l'identifiant « CS69001 » figure déjà ligne 2 du fichier." in (
        sortie.getvalue()
    )
    assert "Simulation : aucune modification n'a été enregistrée." in sortie.getvalue()


def test_the_console_command_exits_with_a_non_zero_status_on_errors(tmp_path, capsys):
    chemin = tmp_path / "registre.csv"
    chemin.write_bytes(fichier_csv([ligne(siret="1234")]))

    with pytest.raises(SystemExit) as sortie:
        ManagementUtility(["senacs", "structures", "import", str(chemin), "--dry-run"]).execute()

    assert sortie.value.code == 1
    assert "CommandError: Import refusé : 1 erreur ;" in capsys.readouterr().err


def test_the_command_runs_with_the_national_scope(tmp_path):
    chemin = tmp_path / "registre.csv"
    chemin.write_bytes(fichier_csv([ligne(), ligne_01()]))
    lancer("import", str(chemin))
    assert set(Structure.objects.values_list("departement_id", flat=True)) == {"69", "01"}


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        lancer("import", str(tmp_path / "absent.xlsx"))


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_export_then_import_reports_no_modification(tmp_path, extension, structure_69, structure_01):
    chemin = tmp_path / f"registre.{extension}"

    assert "Registre exporté : 2 structures" in lancer("export", str(chemin))
    sortie = lancer("import", str(chemin))

    assert "0 création, 0 modification, 2 lignes inchangées, 0 agrément ajouté." in sortie


def test_the_csv_export_uses_semicolons_a_bom_and_french_dates(tmp_path, structure_69):
    chemin = tmp_path / "registre.csv"
    lancer("export", str(chemin))
    contenu = chemin.read_bytes()
    assert contenu.startswith(b"\xef\xbb\xbf")
    entete, donnees = contenu.decode("utf-8-sig").splitlines()
    assert entete.split(";") == list(registre.COLONNES)
    assert donnees.split(";")[-3:] == ["01/01/2022", "31/12/2025", "oui"]


def test_the_export_can_be_limited_to_departments(tmp_path, structure_69, structure_01):
    chemin = tmp_path / "registre.xlsx"
    assert "Registre exporté : 1 structure →" in lancer("export", str(chemin), "--departement", "1")
    lignes = CalamineWorkbook.from_path(str(chemin)).get_sheet_by_index(0).to_python()
    assert [ligne[0] for ligne in lignes[1:]] == [structure_01.identifiant]


def test_the_export_refuses_other_formats(tmp_path):
    with pytest.raises(CommandError, match="L'export s'écrit en .xlsx ou en .csv."):
        lancer("export", str(tmp_path / "registre.ods"))
