"""Commande `senacs questionnaire` : export et import XLSForm, campagne créée en préparation, refus sans effet."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from core.questionnaire.definition import charger, vers_dict
from senacs.campagnes.models import Campagne, Phase
from senacs.questionnaires.models import Questionnaire
from tests import bombes
from tests.core.classeurs import SETTINGS, ecrire_classeur
from tests.factories import CampagneFactory

pytestmark = pytest.mark.django_db

DOSSIER = Path(__file__).resolve().parents[2] / "questionnaires"


def lancer(*args) -> str:
    sortie = io.StringIO()
    call_command("questionnaire", *args, stdout=sortie)
    return sortie.getvalue()


def classeur_mal_forme(chemin: Path) -> Path:
    return ecrire_classeur(
        chemin,
        survey=[
            ["type", "name", "label", "relevant"],
            ["begin_group", "A", "Identité", ""],
            ["integer", "A01", "Nombre de salariés", ""],
            ["entier_long", "A02", "Autre", ""],
            ["integer", "A03", "Bénévoles", "${Z99} > 0"],
            ["select_one couleurs", "A04", "Couleur", ""],
            ["end_group", "", "", ""],
        ],
        choices=[["list_name", "name", "label"], ["oui_non", "oui", "Oui"]],
        settings=SETTINGS,
    )


def test_export_falls_back_to_the_repository_file_then_import_creates_the_campaign_in_preparation(tmp_path):
    chemin = tmp_path / "questionnaire-2025.xlsx"

    sortie = lancer("export", "--campagne", "2025", str(chemin))
    assert "fichier questionnaires/2025.yaml du dépôt" in sortie
    assert chemin.is_file()

    sortie = lancer("import", str(chemin), "--campagne", "2027")

    assert "La campagne 2027 (données 2026) a été créée en phase « Préparation »" in sortie
    assert "Attention : le classeur se déclare pour la campagne 2025" in sortie
    campagne = Campagne.objects.get(annee=2027)
    assert (campagne.phase, campagne.annee_donnees) == (Phase.PREPARATION, 2026)
    assert campagne.date_ouverture_saisie.year == 2027 and campagne.date_publication.year == 2027
    assert campagne.date_ouverture_saisie < campagne.date_fin_saisie < campagne.date_fin_controle
    questionnaire = campagne.questionnaire
    assert (questionnaire.version, campagne.version_questionnaire) == ("2027", "2027")
    assert questionnaire.source == "import XLSForm questionnaire-2025.xlsx"
    assert questionnaire.definition == vers_dict(charger(DOSSIER / "2025.yaml"))


def test_export_then_import_through_the_commands_gives_back_the_same_definition(tmp_path):
    premier = tmp_path / "premier.xlsx"
    lancer("export", "--campagne", "2026", str(premier))
    lancer("import", str(premier), "--campagne", "2027")

    second = tmp_path / "second.xlsx"
    sortie = lancer("export", "--campagne", "2027", str(second))
    assert "version « 2027 » enregistrée pour la campagne 2027" in sortie
    lancer("import", str(second), "--campagne", "2028")

    definitions = {q.version: q.definition for q in Questionnaire.objects.all()}
    assert definitions["2027"] == definitions["2028"] == vers_dict(charger(DOSSIER / "2026.yaml"))


def test_a_second_import_into_a_campaign_in_preparation_adds_a_new_version(tmp_path):
    chemin = tmp_path / "f.xlsx"
    lancer("export", "--campagne", "2026", str(chemin))
    lancer("import", str(chemin), "--campagne", "2027")

    sortie = lancer("import", str(chemin), "--campagne", "2027")

    assert "version « 2027-2 »" in sortie and "Il remplace la version « 2027 »" in sortie
    campagne = Campagne.objects.get(annee=2027)
    assert campagne.questionnaire.version == campagne.version_questionnaire == "2027-2"
    assert Questionnaire.objects.filter(version="2027").exists()  # l'ancienne version reste
    assert Campagne.objects.filter(annee=2027).count() == 1


def test_the_dry_run_says_what_would_happen_and_writes_nothing(tmp_path):
    chemin = tmp_path / "f.xlsx"
    lancer("export", "--campagne", "2026", str(chemin))

    sortie = lancer("import", str(chemin), "--campagne", "2027", "--dry-run")

    assert "La campagne 2027 (données 2026) sera créée en phase « Préparation »" in sortie
    assert "Le questionnaire sera enregistré en version « 2027 »" in sortie
    assert sortie.rstrip().endswith("Simulation : aucune modification n'a été enregistrée.")
    assert not Campagne.objects.exists()
    assert not Questionnaire.objects.exists()


def test_a_campaign_whose_entry_has_opened_refuses_a_new_questionnaire(tmp_path):
    chemin = tmp_path / "f.xlsx"
    lancer("export", "--campagne", "2026", str(chemin))
    campagne = CampagneFactory(annee=2026, phase=Phase.SAISIE)

    with pytest.raises(CommandError) as erreur:
        lancer("import", str(chemin), "--campagne", "2026")

    assert "La campagne 2026 est en phase « Saisie »" in str(erreur.value)
    assert "ne peut plus être remplacé" in str(erreur.value)
    campagne.refresh_from_db()
    assert campagne.questionnaire is None
    assert not Questionnaire.objects.exists()


def test_a_malformed_form_is_refused_with_every_error_located_and_nothing_changes(tmp_path):
    chemin = classeur_mal_forme(tmp_path / "mauvais.xlsx")

    with pytest.raises(CommandError) as erreur:
        lancer("import", str(chemin), "--campagne", "2027")

    texte = str(erreur.value)
    assert texte.startswith("Import refusé (3 erreurs), aucune modification n'a été enregistrée :")
    assert "Feuille « survey », ligne 4, colonne « type » : type « entier_long » non pris en charge" in texte
    assert "Feuille « survey », ligne 5, colonne « relevant » : référence inconnue ${Z99}" in texte
    assert (
        "Feuille « survey », ligne 6, colonne « type » : la liste de choix « couleurs » est absente de la "
        "feuille « choices »" in texte
    )
    assert not Campagne.objects.exists()
    assert not Questionnaire.objects.exists()


def test_a_malformed_form_exits_with_a_non_zero_code(tmp_path, capsys):
    chemin = classeur_mal_forme(tmp_path / "mauvais.xlsx")

    with pytest.raises(SystemExit) as sortie:
        ManagementUtility(["senacs", "questionnaire", "import", str(chemin), "--campagne", "2027"]).execute()

    assert sortie.value.code == 1
    assert "CommandError: Import refusé (3 erreurs)" in capsys.readouterr().err


def test_a_campaign_in_preparation_keeps_its_dates_when_it_receives_a_questionnaire(tmp_path):
    chemin = tmp_path / "f.xlsx"
    lancer("export", "--campagne", "2026", str(chemin))
    campagne = CampagneFactory(annee=2027, phase=Phase.PREPARATION, date_ouverture_saisie=datetime.date(2027, 3, 2))

    lancer("import", str(chemin), "--campagne", "2027")

    campagne.refresh_from_db()
    assert campagne.date_ouverture_saisie == datetime.date(2027, 3, 2)
    assert campagne.questionnaire.version == "2027"


def test_exporting_a_campaign_without_questionnaire_nor_file_is_refused(tmp_path):
    with pytest.raises(CommandError) as erreur:
        lancer("export", "--campagne", "2031", str(tmp_path / "f.xlsx"))
    assert "La campagne 2031 n'existe pas et le fichier questionnaires/2031.yaml est absent" in str(erreur.value)
    assert not (tmp_path / "f.xlsx").exists()


def test_a_missing_file_is_refused_in_french(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        lancer("import", str(tmp_path / "absent.xlsx"), "--campagne", "2027")


CORPUS = Path(__file__).resolve().parents[1] / "corpus_xlsform"


def test_the_dry_run_of_a_kobo_form_lists_what_it_would_create_and_writes_nothing():
    sortie = lancer("import", str(CORPUS / "kobo_accueil_jeunes.xlsx"), "--campagne", "2027", "--dry-run")

    lignes = sortie.splitlines()
    assert lignes[1] == "  1 section, 7 questions, 0 règle de cohérence."
    assert "Sections (1) :" in lignes
    assert "  - accueil « Accueil des jeunes » (module thématique de l'année), 7 questions :" in lignes
    assert (
        "      nb_soirees — Nombre de soirées par mois (nombre entier ; obligatoire ; affichée si "
        "${accueil_soir} = 'oui' ; contrainte . <= 31)" in lignes
    )
    assert "      date_ouverture — Date d'ouverture du local (date ; contrainte . <= today())" in lignes
    assert "  - oui_non : oui (Oui), non (Non)" in lignes
    assert "Règles de cohérence (0) : aucune" in lignes
    assert lignes[-1] == "Simulation : aucune modification n'a été enregistrée."
    assert not Campagne.objects.exists() and not Questionnaire.objects.exists()


def test_a_form_without_settings_sheet_takes_its_version_from_the_campaign(tmp_path):
    sortie = lancer("import", str(CORPUS / "odk_activites_sans_settings.xlsx"), "--campagne", "2027")

    assert "Le questionnaire a été enregistré en version « 2027 »" in sortie
    modele = Campagne.objects.get(annee=2027).questionnaire.modele
    assert (modele.campagne, modele.codes()[:2]) == (2027, ("mode_gestion", "activites"))


def test_the_dry_run_of_the_2026_export_lists_its_rules_and_choice_lists(tmp_path):
    chemin = tmp_path / "f.xlsx"
    lancer("export", "--campagne", "2026", str(chemin))

    sortie = lancer("import", str(chemin), "--campagne", "2027", "--dry-run")

    assert "  - R01 (bloquant) : ${E02} <= ${E01}" in sortie.splitlines()
    assert "      E13 — " in sortie and "affichée si ${E12} = true()" in sortie
    assert "  - modes_gestion : associatif (Associatif)" in sortie


@pytest.mark.parametrize("nom", sorted(bombes.BOMBES))
def test_a_spreadsheet_bomb_is_refused_without_effect(tmp_path, nom):
    fabrique, extension = bombes.BOMBES[nom]
    chemin = tmp_path / f"questionnaire.{extension}"
    chemin.write_bytes(fabrique())
    with pytest.raises(CommandError, match=r"n'est pas un classeur lisible : la feuille « "):
        lancer("import", str(chemin), "--campagne", "2031")
    assert not Campagne.objects.filter(annee=2031).exists()
