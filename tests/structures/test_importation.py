import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from core import registre
from core.perimetre import MandatActif, Perimetre
from core.roles import Niveau, Role
from senacs.structures.importation import registre_exporter, registre_importer
from senacs.structures.models import Agrement, Gestionnaire, Structure
from senacs.territoires.models import Departement, Zone
from tests.factories import StructureFactory
from tests.structures.fichiers import SIRET_VALIDE, fichier_csv, fichier_xlsx, ligne, ligne_01

# Marque explicite (et pas seulement celle qu'ajoute tests/conftest.py) : pytest-django ordonne les
# tests avant que le conftest n'ajoute sa marque ; sans elle, ces tests passeraient après les tests
# navigateur transactionnels, qui vident la base (référentiel des territoires compris).
pytestmark = pytest.mark.django_db

AUJOURD_HUI = datetime.date(2025, 3, 1)
ADMIN = Perimetre.depuis_mandats([MandatActif(Role.ADMIN, Niveau.NATION, "FR", "national")])
CORRESPONDANT_69 = Perimetre.depuis_mandats([MandatActif(Role.CORRESPONDANT, Niveau.DEPARTEMENT, "69", "caf")])


def importer(contenu, nom="registre.csv", perimetre=ADMIN, simulation=False):
    return registre_importer(
        contenu=contenu, nom_fichier=nom, perimetre=perimetre, simulation=simulation, aujourd_hui=AUJOURD_HUI
    )


def messages(rapport) -> list[str]:
    return [str(e) for e in rapport.erreurs_triees]


# --- Créations et mises à jour -----------------------------------------------------------------


def test_a_valid_csv_creates_structures_and_their_agrements():
    rapport = importer(fichier_csv([ligne(), ligne_01()]))

    assert messages(rapport) == []
    assert rapport.enregistre
    assert [c.identifiant for c in rapport.creations] == ["CS69001", "EVS01001"]
    assert rapport.agrements_ajoutes == 2
    cs = Structure.objects.get(identifiant="CS69001")
    assert cs.departement_id == "69"
    assert cs.siret == SIRET_VALIDE
    assert cs.commune_nom == "Lyon 4e Arrondissement"
    assert cs.taille_territoire == "quartiers"
    assert cs.geographie_prioritaire == "qpv"
    assert cs.adherent_fcsf is True
    assert cs.population_zone == 12000
    assert cs.date_premier_agrement == datetime.date(1979, 9, 15)
    assert cs.gestionnaire.nom == "Association de la Croix-Rousse"
    assert [(a.date_debut, a.date_fin) for a in cs.agrements.all()] == [
        (datetime.date(2022, 1, 1), datetime.date(2025, 12, 31))
    ]
    evs = Structure.objects.get(identifiant="EVS01001")
    assert evs.type == "EVS"
    assert evs.gestionnaire is None
    assert evs.siret == ""


def test_a_valid_xlsx_creates_then_updates_with_a_field_level_diff():
    importer(fichier_xlsx([ligne(), ligne_01()]), nom="registre.xlsx")
    cs = Structure.objects.get(identifiant="CS69001")
    assert cs.code_postal == "69004" and cs.siret == SIRET_VALIDE and cs.nombre_sites == 1
    assert cs.agrements.get().date_fin == datetime.date(2025, 12, 31)

    modifiee = ligne(
        email="accueil@cs-croixrousse.fr",
        mode_gestion="Collectivité locale (commune / CCAS)",
        agrement_debut="01/01/2026",
        agrement_fin="31/12/2029",
    )
    rapport = importer(fichier_xlsx([modifiee, ligne_01()]), nom="registre.xlsx")

    assert messages(rapport) == []
    assert [(i.identifiant) for i in rapport.inchangees] == ["EVS01001"]
    (modification,) = rapport.modifications
    assert modification.ligne == 2
    assert [str(c) for c in modification.changements] == [
        "email : contact@cs-croixrousse.fr → accueil@cs-croixrousse.fr",
        "mode_gestion : Associatif → Collectivité locale (commune / CCAS)",
        "agrément : du 01/01/2022 au 31/12/2025 → ajout de la période du 01/01/2026 au 31/12/2029",
    ]
    cs.refresh_from_db()
    assert cs.email == "accueil@cs-croixrousse.fr"
    assert cs.mode_gestion == "collectivite"
    assert cs.agrements.count() == 2


def test_choice_columns_accept_codes_or_french_labels_whatever_the_case_and_accents():
    rapport = importer(
        fichier_csv(
            [
                ligne(
                    type="centre SOCIAL",
                    mode_gestion="collectivite locale (commune / ccas)",
                    type_territoire="Un espace à dominante urbaine",
                    taille_territoire="UNE COMMUNE",
                    geographie_prioritaire="Hors QPV mais intervient auprès d’habitants d’un QPV",
                    autre_federation="Leo Lagrange",
                    adherent_fcsf="Non",
                )
            ]
        )
    )
    assert messages(rapport) == []
    s = Structure.objects.get()
    assert (s.type, s.mode_gestion, s.type_territoire, s.taille_territoire) == (
        "CS",
        "collectivite",
        "urbain",
        "commune",
    )
    assert (s.geographie_prioritaire, s.autre_federation, s.adherent_fcsf) == ("aupres_qpv", "leo_lagrange", False)


def test_it_reads_a_comma_separated_csv_without_bom_and_a_windows_1252_one():
    rapport = importer(fichier_csv([ligne()], separateur=",", bom=False))
    assert messages(rapport) == [] and len(rapport.creations) == 1

    rapport = importer(fichier_csv([ligne(nom="Centre social Élan")], encodage="cp1252", bom=False))
    assert messages(rapport) == []
    assert Structure.objects.get().nom == "Centre social Élan"


def test_it_tolerates_spaces_in_siret_leading_zeros_lost_by_the_spreadsheet_and_iso_dates():
    rapport = importer(
        fichier_csv(
            [ligne_01(siret="417 820 959 00019", code_postal="1000", commune_insee="1053", departement="1")]
            + [ligne(agrement_debut="2022-01-01", agrement_fin="2025-12-31")]
        )
    )
    assert messages(rapport) == []
    evs = Structure.objects.get(identifiant="EVS01001")
    assert (evs.siret, evs.code_postal, evs.commune_insee, evs.departement_id) == (
        "41782095900019",
        "01000",
        "01053",
        "01",
    )


@pytest.mark.parametrize(("saisi", "attendu"), [("12.000", 12000), ("12 000", 12000), ("12000,0", 12000)])
def test_integer_columns_read_a_dot_as_a_thousands_separator(saisi, attendu):
    rapport = importer(fichier_csv([ligne(population_zone=saisi)]))
    assert messages(rapport) == []
    assert Structure.objects.get(identifiant="CS69001").population_zone == attendu


def test_an_integer_column_refuses_decimals_with_a_french_message():
    rapport = importer(fichier_csv([ligne(population_zone="12,5")]))
    assert any("nombre entier attendu" in m for m in messages(rapport))
    assert not Structure.objects.filter(identifiant="CS69001").exists()


def test_an_optional_column_absent_from_the_header_leaves_the_field_untouched():
    importer(fichier_csv([ligne()]))
    colonnes = [c for c in registre.COLONNES if c not in ("email", "siret", "population_zone")]
    rapport = importer(fichier_csv([ligne(nom="Nouveau nom")], colonnes=colonnes))

    assert messages(rapport) == []
    s = Structure.objects.get()
    assert s.nom == "Nouveau nom"
    assert (s.email, s.siret, s.population_zone) == ("contact@cs-croixrousse.fr", SIRET_VALIDE, 12000)


def test_the_same_manager_name_in_the_same_department_is_one_gestionnaire():
    rapport = importer(
        fichier_csv(
            [
                ligne(identifiant="A1", gestionnaire="Ville de Lyon"),
                ligne(identifiant="A2", gestionnaire="VILLE DE LYON"),
                ligne_01(identifiant="B1", gestionnaire="Ville de Lyon"),
            ]
        )
    )
    assert messages(rapport) == []
    assert rapport.gestionnaires_crees == 2
    a1, a2, b1 = (Structure.objects.get(identifiant=i) for i in ("A1", "A2", "B1"))
    assert a1.gestionnaire_id == a2.gestionnaire_id != b1.gestionnaire_id

    importer(fichier_csv([ligne(identifiant="A3", gestionnaire="Ville de Lyon")]))
    assert Structure.objects.get(identifiant="A3").gestionnaire_id == a1.gestionnaire_id
    assert Gestionnaire.objects.count() == 2

    rapport = importer(fichier_csv([ligne(identifiant="A1", gestionnaire="CCAS de Lyon")]))
    assert [str(c) for c in rapport.modifications[0].changements] == ["gestionnaire : Ville de Lyon → CCAS de Lyon"]
    a1.refresh_from_db()
    assert a1.gestionnaire.nom == "CCAS de Lyon"
    rapport = importer(fichier_csv([ligne(identifiant="A1", gestionnaire="")]))
    assert [str(c) for c in rapport.modifications[0].changements] == ["gestionnaire : CCAS de Lyon → (vide)"]
    a1.refresh_from_db()
    assert a1.gestionnaire is None


def test_closing_a_structure_records_its_closing_date_and_a_move_drops_its_zone():
    importer(fichier_csv([ligne()]))
    s = Structure.objects.get()
    s.zone = Zone.objects.create(code="Z69", nom="Lyon nord", departement_id="69")
    s.save()

    rapport = importer(fichier_csv([ligne(active="non")]))
    s.refresh_from_db()
    assert [str(c) for c in rapport.modifications[0].changements] == ["active : oui → non"]
    assert s.active is False and s.date_fermeture == AUJOURD_HUI

    importer(
        fichier_csv(
            [ligne(active="oui", code_postal="01000", commune_insee="01053", commune="Bourg", departement="01")]
        )
    )
    s.refresh_from_db()
    assert s.active is True and s.date_fermeture is None
    assert s.departement_id == "01" and s.zone is None


# --- Tout ou rien, simulation --------------------------------------------------------------------


def test_a_file_with_one_bad_row_changes_nothing():
    existante = StructureFactory(identifiant="CS69001", email="ancien@exemple.fr")
    nb_structures, nb_agrements = Structure.objects.count(), Agrement.objects.count()
    contenu = fichier_csv(
        [
            ligne(email="nouveau@exemple.fr"),  # ligne 2 : mise à jour
            ligne_01(),  # ligne 3 : création
            ligne(identifiant="CS69002", siret="1234"),  # ligne 4 : erreur
        ]
    )

    rapport = importer(contenu)

    assert not rapport.enregistre
    assert messages(rapport) == [
        "Ligne 4, colonne « siret » : le numéro SIRET doit comporter 14 chiffres (reçu « 1234 »)."
    ]
    assert Structure.objects.count() == nb_structures
    assert Agrement.objects.count() == nb_agrements
    existante.refresh_from_db()
    assert existante.email == "ancien@exemple.fr"
    assert not Gestionnaire.objects.exists()

    simulation = importer(contenu, simulation=True)
    assert messages(simulation) == messages(rapport)


def test_the_dry_run_reports_what_would_change_and_writes_nothing():
    existante = StructureFactory(identifiant="CS69001", email="ancien@exemple.fr")
    rapport = importer(fichier_csv([ligne(), ligne_01()]), simulation=True)

    assert rapport.simulation and not rapport.enregistre and not rapport.a_erreurs
    assert [c.identifiant for c in rapport.creations] == ["EVS01001"]
    assert rapport.modifications[0].identifiant == "CS69001"
    assert "email : ancien@exemple.fr → contact@cs-croixrousse.fr" in [
        str(c) for c in rapport.modifications[0].changements
    ]
    assert Structure.objects.count() == 1
    existante.refresh_from_db()
    assert existante.email == "ancien@exemple.fr"
    assert existante.agrements.count() == 1
    assert not Gestionnaire.objects.exists()


# --- Erreurs -----------------------------------------------------------------------------------


def test_a_bad_header_is_reported_once_with_the_column_names():
    colonnes = [c for c in registre.COLONNES if c not in ("nom", "departement")] + ["sirett", "Remarques"]
    rapport = importer(fichier_csv([ligne(), ligne_01()], colonnes=colonnes))

    assert messages(rapport)[0] == "Ligne 1 (en-tête) : colonnes obligatoires absentes : « nom », « departement »."
    assert messages(rapport)[1].startswith("Ligne 1 (en-tête) : colonnes inconnues : « sirett », « Remarques » (")
    assert len(rapport.erreurs) == 2
    assert not Structure.objects.exists()


def test_headers_are_recognised_whatever_their_case_accents_and_spacing():
    colonnes = [c.replace("_", " ").upper() for c in registre.COLONNES]
    colonnes[registre.COLONNES.index("departement")] = "Département"
    tampon = io.StringIO(newline="")
    ecrivain = csv.writer(tampon, delimiter=";")
    ecrivain.writerow(colonnes)
    ecrivain.writerow([ligne()[c] for c in registre.COLONNES])
    rapport = importer(tampon.getvalue().encode())
    assert messages(rapport) == [] and len(rapport.creations) == 1


def test_duplicate_identifiants_in_the_file_are_errors():
    rapport = importer(fichier_csv([ligne(), ligne_01(), ligne(nom="Doublon")]))
    assert messages(rapport) == [
        "Ligne 4, colonne « identifiant » : l'identifiant « CS69001 » figure déjà ligne 2 du fichier."
    ]
    assert not Structure.objects.exists()


@pytest.mark.parametrize(
    ("valeurs", "attendu"),
    [
        (
            {"siret": "73282932000075"},
            "Ligne 2, colonne « siret » : le numéro SIRET « 73282932000075 » n'est pas valide "
            "(clé de contrôle incorrecte).",
        ),
        (
            {"code_postal": "99000"},
            "Ligne 2, colonne « code_postal » : le code postal « 99000 » ne correspond à aucun département.",
        ),
        (
            {"code_postal": "690 04 A"},
            "Ligne 2, colonne « code_postal » : le code postal doit comporter 5 chiffres (reçu « 690 04 A »).",
        ),
        (
            {"code_postal": "01000"},
            "Ligne 2, colonne « code_postal » : le code postal « 01000 » est celui du département 01 (Ain), "
            "pas du département 69 (Rhône) indiqué dans la colonne « departement ».",
        ),
        (
            {"commune_insee": "01053"},
            "Ligne 2, colonne « commune_insee » : le code commune « 01053 » appartient au département 01 (Ain), "
            "pas au département 69 (Rhône) indiqué dans la colonne « departement ».",
        ),
        (
            {"departement": "99"},
            "Ligne 2, colonne « departement » : département « 99 » inconnu "
            "(attendu : un code INSEE comme 01, 2A, 69 ou 974).",
        ),
        (
            {"agrement_debut": "01/01/2021", "agrement_fin": "31/12/2025"},
            "Ligne 2, colonne « agrement_fin » : un agrément dure de 1 à 4 ans (reçu : du 01/01/2021 au 31/12/2025).",
        ),
        (
            {"agrement_fin": ""},
            "Ligne 2, colonne « agrement_fin » : la date de fin de l'agrément en cours manque (le début est rempli).",
        ),
        (
            {"agrement_debut": "31/02/2022"},
            "Ligne 2, colonne « agrement_debut » : date « 31/02/2022 » impossible (jour ou mois hors calendrier).",
        ),
        (
            {"date_premier_agrement": "2023"},
            "Ligne 2, colonne « date_premier_agrement » : date attendue au format JJ/MM/AAAA (reçu « 2023 »).",
        ),
        (
            {"date_premier_agrement": "01/06/2023"},
            "Ligne 2, colonne « date_premier_agrement » : la date du premier agrément (01/06/2023) ne peut pas "
            "suivre le début de l'agrément en cours (01/01/2022).",
        ),
        (
            {"mode_gestion": "mutualiste"},
            "Ligne 2, colonne « mode_gestion » : valeur « mutualiste » non reconnue (valeurs admises : associatif, "
            "collectivite, intercommunalite, caf, cogestion, autre, ou leur libellé).",
        ),
        ({"nom": ""}, "Ligne 2, colonne « nom » : cette cellule est obligatoire."),
        ({"active": "peut-être"}, "Ligne 2, colonne « active » : répondez « oui » ou « non » (reçu « peut-être »)."),
        ({"email": "contact@"}, "Ligne 2, colonne « email » : adresse électronique « contact@ » non valide."),
        (
            {"site_web": "http:/cs"},
            "Ligne 2, colonne « site_web » : adresse de site internet « http:/cs » non valide.",
        ),
        ({"nombre_sites": "2,5"}, "Ligne 2, colonne « nombre_sites » : nombre entier attendu (reçu « 2,5 »)."),
        (
            {"annee_creation": "2031"},
            "Ligne 2, colonne « annee_creation » : la valeur doit être comprise entre 1800 et 2025 (reçu 2031).",
        ),
        (
            {"identifiant": "CS 69/1"},
            "Ligne 2, colonne « identifiant » : l'identifiant ne peut contenir que des lettres sans accent, "
            "des chiffres, des points, des tirets et des tirets bas (reçu « CS 69/1 »).",
        ),
    ],
)
def test_each_bad_cell_is_reported_in_french_with_its_row_and_column(valeurs, attendu):
    rapport = importer(fichier_csv([ligne(**valeurs)]), simulation=True)
    assert messages(rapport) == [attendu]


def test_an_agrement_of_five_years_is_refused():
    rapport = importer(fichier_csv([ligne_01(), ligne(agrement_debut="01/01/2020", agrement_fin="31/12/2024")]))
    assert messages(rapport) == [
        "Ligne 3, colonne « agrement_fin » : un agrément dure de 1 à 4 ans (reçu : du 01/01/2020 au 31/12/2024)."
    ]
    assert not Structure.objects.exists()


def test_an_agrement_overlapping_a_different_recorded_period_is_refused():
    StructureFactory(identifiant="CS69001")  # agrément du 01/01/2022 au 31/12/2025
    rapport = importer(fichier_csv([ligne(agrement_debut="01/07/2024", agrement_fin="30/06/2027")]))
    assert messages(rapport) == [
        "Ligne 2, colonne « agrement_debut » : la période d'agrément du 01/07/2024 au 30/06/2027 chevauche la "
        "période déjà enregistrée du 01/01/2022 au 31/12/2025 ; corrigez l'historique des agréments de la "
        "structure avant d'importer."
    ]


def test_a_period_already_in_the_history_is_not_added_again():
    s = StructureFactory(identifiant="CS69001")
    Agrement.objects.create(structure=s, date_debut=datetime.date(2018, 1, 1), date_fin=datetime.date(2021, 12, 31))
    rapport = importer(fichier_csv([ligne(agrement_debut="01/01/2018", agrement_fin="31/12/2021")]))
    assert messages(rapport) == []
    assert rapport.agrements_ajoutes == 0
    assert s.agrements.count() == 2


def test_unreadable_files_are_reported_in_french():
    (message,) = messages(importer(b"PK\x03\x04 pas un classeur", nom="registre.xlsx"))
    assert message.startswith("Fichier : le classeur ne peut pas être lu (")
    assert messages(importer(b"bonjour", nom="registre.xlsx")) == [
        "Fichier : le fichier n'est pas un classeur XLSX valide."
    ]
    assert messages(importer(b"a;b", nom="registre.pdf")) == [
        "Fichier : format de fichier non pris en charge (extensions admises : .csv, .xlsx, .xls, .ods)."
    ]
    assert messages(importer(fichier_csv([]))) == [
        "Fichier : le fichier ne contient aucune structure sous la ligne d'en-tête."
    ]


def test_blank_rows_are_skipped_and_row_numbers_follow_the_spreadsheet():
    vide = dict.fromkeys(registre.COLONNES, "")
    rapport = importer(fichier_csv([vide, ligne_01(), vide, ligne(siret="12")]))
    assert messages(rapport) == [
        "Ligne 5, colonne « siret » : le numéro SIRET doit comporter 14 chiffres (reçu « 12 »)."
    ]


# --- Portée ------------------------------------------------------------------------------------


def test_a_correspondent_imports_rows_of_its_departments_only():
    rapport = importer(fichier_csv([ligne(), ligne_01()]), perimetre=CORRESPONDANT_69)
    assert messages(rapport) == [
        "Ligne 3, colonne « departement » : le département 01 (Ain) est hors de votre périmètre (69) : "
        "vous ne pouvez pas y importer de structure."
    ]
    assert not Structure.objects.exists()

    rapport = importer(fichier_csv([ligne()]), perimetre=CORRESPONDANT_69)
    assert messages(rapport) == [] and rapport.enregistre


def test_a_correspondent_cannot_pull_a_structure_of_another_department_into_its_own(structure_01):
    rapport = importer(fichier_csv([ligne(identifiant=structure_01.identifiant)]), perimetre=CORRESPONDANT_69)
    assert messages(rapport) == [
        f"Ligne 2, colonne « identifiant » : la structure « {structure_01.identifiant} » est enregistrée dans le "
        "département 01 (Ain), hors de votre périmètre."
    ]
    structure_01.refresh_from_db()
    assert structure_01.departement_id == "01"


# --- Export --------------------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_export_then_import_gives_no_change(format, structure_69, structure_01):
    importer(fichier_csv([ligne(), ligne_01(identifiant="EVS01002", active="non", population_zone="")]))
    StructureFactory(
        identifiant="CS2A01",
        departement=Departement.objects.get(code="2A"),
        commune_insee="2A004",
        commune_nom="Ajaccio",
        code_postal="20000",
        siret="41782095900019",
        site_web="https://exemple.fr/centre?x=1",
        date_premier_agrement=datetime.date(1990, 5, 2),
    )
    avant = Structure.objects.count()

    contenu = registre_exporter(structures=Structure.objects.all(), format=format, aujourd_hui=AUJOURD_HUI)
    rapport = importer(contenu, nom=f"registre.{format}")

    assert messages(rapport) == []
    assert rapport.resume() == "0 création, 0 modification, 5 lignes inchangées, 0 agrément ajouté"
    assert Structure.objects.count() == avant


def test_two_namesake_managing_bodies_of_one_department_stay_distinct_through_export_and_import():
    premiere = StructureFactory(
        identifiant="EVS69001", gestionnaire=Gestionnaire.objects.create(nom="Association La Fabrique")
    )
    seconde = StructureFactory(
        identifiant="EVS69002", gestionnaire=Gestionnaire.objects.create(nom="Association La Fabrique")
    )

    contenu = registre_exporter(structures=Structure.objects.all(), format="csv", aujourd_hui=AUJOURD_HUI)
    rapport = importer(contenu, nom="registre.csv")

    assert messages(rapport) == []
    assert rapport.resume() == "0 création, 0 modification, 2 lignes inchangées, 0 agrément ajouté"
    premiere.refresh_from_db()
    seconde.refresh_from_db()
    assert premiere.gestionnaire_id != seconde.gestionnaire_id


def test_the_csv_export_is_for_french_excel():
    importer(fichier_csv([ligne()]))
    contenu = registre_exporter(structures=Structure.objects.all(), format="csv", aujourd_hui=AUJOURD_HUI)
    assert contenu.startswith("\ufeff".encode())
    entete, donnees = contenu.decode("utf-8-sig").splitlines()
    assert entete == ";".join(registre.COLONNES)
    assert ";01/01/2022;31/12/2025;oui" in donnees
    assert ";69004;69384;Lyon 4e Arrondissement;69;" in donnees


def test_the_xlsx_export_keeps_codes_as_text_and_lists_the_allowed_codes():
    importer(fichier_csv([ligne_01()]))
    contenu = registre_exporter(structures=Structure.objects.all(), format="xlsx", aujourd_hui=AUJOURD_HUI)
    classeur = CalamineWorkbook.from_filelike(io.BytesIO(contenu))
    assert classeur.sheet_names == ["registre", "codes"]
    entete, donnees = classeur.get_sheet_by_index(0).to_python()
    valeurs = dict(zip(entete, donnees, strict=True))
    assert (valeurs["code_postal"], valeurs["commune_insee"], valeurs["departement"]) == ("01000", "01053", "01")
    assert valeurs["agrement_debut"] == datetime.date(2022, 1, 1)
    codes = classeur.get_sheet_by_name("codes").to_python()
    assert ["mode_gestion", "collectivite", "Collectivité locale (commune / CCAS)"] in codes


def test_the_example_of_the_documentation_imports_cleanly():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "registre.md").read_text(encoding="utf-8")
    exemple = re.search(r"```csv\n(.*?)```", doc, re.S)[1]
    rapport = importer(exemple.encode(), simulation=True)
    assert messages(rapport) == []
    assert len(rapport.creations) == 2


# --- Volume ------------------------------------------------------------------------------------


def test_it_imports_4000_rows_without_a_query_per_row(django_assert_max_num_queries):
    """La durée se mesure avec bench/registre.py ; ici, le nombre de requêtes (par lots, pas une par ligne)."""
    communes = [
        ("69", "69123", "69001"),
        ("01", "01053", "01000"),
        ("2A", "2A004", "20000"),
        ("974", "97411", "97400"),
    ]
    lignes = []
    for i in range(4000):
        dep, commune, cp = communes[i % 4]
        lignes.append(
            ligne(
                identifiant=f"S{i:05d}",
                nom=f"Centre social {i}",
                departement=dep,
                commune_insee=commune,
                code_postal=cp,
                gestionnaire=f"Association {i % 300}",
            )
        )
    contenu = fichier_csv(lignes)

    # Écritures par lots (SQLite limite le nombre de paramètres d'une requête) : ~150 requêtes, pas 4 000.
    with django_assert_max_num_queries(300):
        rapport = importer(contenu)
    assert messages(rapport) == [] and len(rapport.creations) == 4000

    lignes[10]["email"] = "autre@exemple.fr"
    with django_assert_max_num_queries(20):
        rapport = importer(fichier_csv(lignes))
    assert len(rapport.modifications) == 1 and len(rapport.inchangees) == 3999
    assert Structure.objects.count() == 4000 and Agrement.objects.count() == 4000
