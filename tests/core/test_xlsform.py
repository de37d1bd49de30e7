from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from core.questionnaire.definition import charger
from core.questionnaire.evaluation import anomalies, questions_pertinentes
from core.questionnaire.modele import valider
from core.questionnaire.xlsform import ErreurXLSForm, exporter, importer
from core.questionnaire.xlsform_lecture import TYPES_ACCEPTES
from tests.core.classeurs import SETTINGS, ecrire_classeur

DOSSIER = Path(__file__).resolve().parents[2] / "questionnaires"


def lire(chemin: Path, feuille: str) -> list[list]:
    return CalamineWorkbook.from_path(str(chemin)).get_sheet_by_name(feuille).to_python()


def erreurs_import(chemin: Path) -> list[str]:
    with pytest.raises(ErreurXLSForm) as exc:
        importer(chemin)
    return exc.value.erreurs


# --------------------------------------------------------------------------- aller-retour


@pytest.mark.parametrize("annee", (2025, 2026))
def test_export_then_import_gives_back_exactly_the_same_questionnaire(tmp_path, annee):
    questionnaire = charger(DOSSIER / f"{annee}.yaml")
    chemin = exporter(questionnaire, tmp_path / f"senacs-{annee}.xlsx")
    assert importer(chemin) == questionnaire


def test_the_export_is_a_standard_xlsform_with_senacs_extension_columns(tmp_path):
    questionnaire = charger(DOSSIER / "2025.yaml")
    chemin = exporter(questionnaire, tmp_path / "senacs.xlsx")
    classeur = CalamineWorkbook.from_path(str(chemin))
    assert classeur.sheet_names == ["survey", "choices", "settings", "senacs_regles", "senacs_correspondances"]
    survey = lire(chemin, "survey")
    entete = survey[0]
    assert entete[:9] == [
        "type",
        "name",
        "label",
        "hint",
        "required",
        "relevant",
        "constraint",
        "constraint_message",
        "calculation",
    ]
    assert all(c.startswith("senacs_") for c in entete[10:])
    par_nom = {ligne[1]: dict(zip(entete, ligne, strict=False)) for ligne in survey[1:] if ligne[1]}
    assert par_nom["A"]["type"] == "begin_group" and par_nom["A"]["senacs_bloc"] == "noyau"
    assert par_nom["E01"]["type"] == "integer" and par_nom["E01"]["required"] == "yes"
    assert par_nom["F02"]["type"] == "decimal" and par_nom["F02"]["senacs_type"] == "euros"
    assert par_nom["A05"]["type"] == "select_one departements"
    assert par_nom["A19"]["type"] == "select_one senacs_oui_non"
    assert par_nom["A13"]["appearance"] == "multiline"
    assert par_nom["D05"]["type"] == "calculate" and par_nom["D05"]["calculation"] == "round(${D04} div 1607, 2)"
    assert par_nom["H02"]["type"] == "begin_group"  # le groupe de pourcentages est un groupe imbriqué
    # ODK lit la valeur du choix : « ${E12} = true() » y serait vrai pour « oui » comme pour « non ».
    assert par_nom["E13"]["relevant"] == "${E12} = 'oui'"
    assert par_nom["E13"]["senacs_relevant"] == "${E12} = true()"
    assert par_nom["C04"]["senacs_facultatif_pour"] == "EVS"
    assert par_nom["J01"]["senacs_departements"] == "69"
    assert lire(chemin, "settings")[1] == ["Questionnaire SENACS 2025 (données 2024)", "senacs_2025", "2025", "2025"]
    regles = lire(chemin, "senacs_regles")
    assert regles[0] == ["code", "gravite", "publics", "questions", "expression", "message"]
    assert regles[1][:5] == ["R01", "bloquant", "CS EVS", "E01 E02", "${E02} <= ${E01}"]
    choix = lire(chemin, "choices")
    assert ["modes_gestion", "associatif", "Associatif"] in choix
    assert ["departements", "2A", "2A – Corse-du-Sud"] in choix


# --------------------------------------------------------------------------- XLSForm d'un autre outil


def test_a_plain_xlsform_from_another_tool_imports(tmp_path):
    chemin = ecrire_classeur(
        tmp_path / "kobo.xlsx",
        survey=[
            [
                "type",
                "name",
                "label::French (fr)",
                "label::English (en)",
                "hint::French (fr)",
                "required",
                "relevant",
                "constraint",
                "constraint_message::French (fr)",
                "calculation",
                "appearance",
            ],
            ["start", "start"],
            ["end", "end"],
            ["begin_group", "P", "Profil de la structure", "Profile", "Questions générales"],
            ["text", "P01", "Nom de la structure", "Name", "", "yes"],
            ["select_one statut", "P02", "Statut juridique", "Status", "", True],
            ["integer", "P03", "Nombre de salariés", "Staff", "Au 31 décembre", 1, "", ". >= 0", "Nombre positif"],
            ["decimal", "P04", "Équivalents temps plein", "FTE", "", "", "", ". <= ${P03}", "Pas plus que P03"],
            ["select_one yes_no", "P05", "Plusieurs sites ?", "Several sites?"],
            ["integer", "P06", "Nombre de sites", "Sites", "", "no", "${P05} = 'yes'"],
            ["text", "P07", "Historique", "History", "", "", "", "", "", "", "multiline"],
            ["date", "P08", "Date d'agrément", "Approval date"],
            ["end_group"],
            ["begin group", "Q", "Activités", "Activities", "", "", "${P03} > 0"],
            ["select_multiple actions", "Q01", "Actions menées", "Actions"],
            ["begin group", "Q02", "Répartition par âge", "Age"],
            ["decimal", "Q02A", "Moins de 18 ans", "Under 18"],
            ["decimal", "Q02B", "18 ans et plus", "18 and over"],
            ["end group"],
            ["calculate", "Q03", "Total", "Total", "", "", "", "", "", "${Q02A} + ${Q02B}"],
            ["note", "Q04", "Merci !", "Thanks!"],
            ["end group"],
        ],
        choices=[
            ["list_name", "name", "label::French (fr)", "label::English (en)"],
            ["statut", "asso", "Association", "Non-profit"],
            ["statut", "commune", "Commune", "Municipality"],
            ["yes_no", "yes", "Oui", "Yes"],
            ["yes_no", "no", "Non", "No"],
            ["actions", "enfance", "Enfance", "Children"],
            ["actions", "jeunesse", "Jeunesse", "Youth"],
        ],
        settings=[["form_title", "form_id", "version", "default_language"], ["Enquête", "enquete", 2026031501, "fr"]],
    )
    questionnaire = importer(chemin)
    assert valider(questionnaire) == []
    assert (questionnaire.version, questionnaire.campagne, questionnaire.titre) == ("2026031501", 2026, "Enquête")
    assert [(s.code, s.titre, s.bloc) for s in questionnaire.sections] == [
        ("P", "Profil de la structure", "noyau"),
        ("Q", "Activités", "noyau"),
    ]
    assert questionnaire.section("P").description == "Questions générales"
    q = questionnaire.question
    assert q("P01").type == "texte" and q("P01").obligatoire
    assert q("P02").type == "choix_unique" and q("P02").liste == "statut" and q("P02").obligatoire
    assert (q("P03").type, q("P03").contrainte, q("P03").message_contrainte) == ("entier", ". >= 0", "Nombre positif")
    assert q("P03").aide == "Au 31 décembre" and q("P03").obligatoire
    assert q("P05").type == "choix_unique" and questionnaire.libelles_choix("P05") == {"yes": "Oui", "no": "Non"}
    assert q("P06").pertinence == "${P05} = 'yes'" and not q("P06").obligatoire
    assert q("P07").type == "texte_long"
    assert q("P08").type == "date"
    assert q("Q01").type == "choix_multiple"
    # Le groupe imbriqué devient un intitulé suivi de ses questions ; la condition du groupe descend.
    assert q("Q02").type == "note" and q("Q02").pertinence == "${P03} > 0"
    assert q("Q02A").groupe == "Q02" and q("Q02A").pertinence == "${P03} > 0"
    assert q("Q03").type == "calcul" and q("Q03").calcul == "${Q02A} + ${Q02B}"
    assert q("Q04").type == "note"
    assert q("P01").publics == ("CS", "EVS") and not questionnaire.regles

    # Le questionnaire importé s'évalue : contraintes bloquantes, pertinence du groupe.
    resultat = anomalies(questionnaire, {"P01": "CS", "P02": "asso", "P03": -1})
    assert [(a.code_regle, a.message) for a in resultat] == [("P03.contrainte", "Nombre positif")]
    assert "Q01" not in questions_pertinentes(questionnaire, {"P03": 0})


def test_questions_outside_any_group_form_a_section(tmp_path):
    chemin = ecrire_classeur(
        tmp_path / "plat.xlsx",
        survey=[["type", "name", "label"], ["integer", "N01", "Nombre"], ["text", "N02", "Texte"]],
        settings=SETTINGS,
    )
    questionnaire = importer(chemin)
    assert [(s.code, s.titre) for s in questionnaire.sections] == [("questions", "Enquête structures")]
    assert questionnaire.codes() == ("N01", "N02")


# --------------------------------------------------------------------------- formulaires refusés

ENTETE = ["type", "name", "label", "relevant", "constraint"]


def test_an_unsupported_type_is_refused_with_sheet_row_and_column(tmp_path):
    chemin = ecrire_classeur(
        tmp_path / "geo.xlsx",
        survey=[ENTETE, ["integer", "N01", "Nombre"], ["geopoint", "N02", "Position"], ["image", "N03", "Photo"]],
        settings=SETTINGS,
    )
    assert erreurs_import(chemin) == [
        "Feuille « survey », ligne 3, colonne « type » : type « geopoint » non pris en charge : géolocalisation.",
        "Feuille « survey », ligne 4, colonne « type » : type « image » non pris en charge : photo (pièce jointe).",
    ]


def test_an_unknown_type_lists_the_accepted_types(tmp_path):
    chemin = ecrire_classeur(tmp_path / "x.xlsx", survey=[ENTETE, ["entier_long", "N01", "Nombre"]], settings=SETTINGS)
    assert erreurs_import(chemin) == [
        f"Feuille « survey », ligne 2, colonne « type » : type « entier_long » non pris en charge "
        f"(types acceptés : {TYPES_ACCEPTES})."
    ]


@pytest.mark.parametrize(
    ("type_refuse", "fonctionnalite"),
    [
        ("range", "non pris en charge : curseur (range)"),
        ("begin_repeat", ": les répétitions (repeat) ne sont pas prises en charge"),
        ("begin repeat", ": les répétitions (repeat) ne sont pas prises en charge"),
        (
            "select_one_from_file a.csv",
            "non pris en charge : choix lus dans un fichier externe (select_one_from_file)",
        ),
    ],
)
def test_repeats_ranges_and_external_choices_are_refused(tmp_path, type_refuse, fonctionnalite):
    chemin = ecrire_classeur(
        tmp_path / "x.xlsx", survey=[ENTETE, [type_refuse, "N01", "Question"], ["end_repeat"]], settings=SETTINGS
    )
    erreurs = erreurs_import(chemin)
    assert erreurs[0] == f"Feuille « survey », ligne 2, colonne « type » : type « {type_refuse} » {fonctionnalite}."


def test_an_unknown_reference_is_refused(tmp_path):
    chemin = ecrire_classeur(
        tmp_path / "ref.xlsx",
        survey=[ENTETE, ["integer", "N01", "Nombre"], ["integer", "N02", "Autre", "${Z99} > 0", ". <= ${N01}"]],
        settings=SETTINGS,
    )
    assert erreurs_import(chemin) == [
        "Feuille « survey », ligne 3, colonne « relevant » : référence inconnue ${Z99} "
        "(aucune question ne porte ce nom)."
    ]


def test_a_select_with_a_missing_choices_list_is_refused(tmp_path):
    chemin = ecrire_classeur(
        tmp_path / "liste.xlsx",
        survey=[ENTETE, ["select_one statut", "N01", "Statut"], ["select_multiple", "N02", "Sans liste"]],
        choices=[["list_name", "name", "label"], ["autre", "a", "A"]],
        settings=SETTINGS,
    )
    assert erreurs_import(chemin) == [
        "Feuille « survey », ligne 2, colonne « type » : la liste de choix « statut » est absente de la feuille "
        "« choices ».",
        "Feuille « survey », ligne 3, colonne « type » : « select_multiple » : indiquez une seule liste de choix "
        "(ex. « select_one statut », « select_one statut or_other »).",
    ]


def test_a_select_without_a_choices_sheet_is_refused(tmp_path):
    chemin = ecrire_classeur(
        tmp_path / "sans-choices.xlsx", survey=[ENTETE, ["select_one statut", "N01", "Statut"]], settings=SETTINGS
    )
    assert erreurs_import(chemin) == [
        "Feuille « survey », ligne 2, colonne « type » : la liste de choix « statut » est introuvable : "
        "la feuille « choices » est absente."
    ]


def test_an_unclosed_group_is_refused(tmp_path):
    chemin = ecrire_classeur(
        tmp_path / "groupe.xlsx",
        survey=[ENTETE, ["begin_group", "P", "Profil"], ["integer", "N01", "Nombre"]],
        settings=SETTINGS,
    )
    assert erreurs_import(chemin) == [
        "Feuille « survey », ligne 2, colonne « type » : le groupe « P » n'est jamais fermé (« end_group » manquant)."
    ]


def test_every_error_of_a_form_is_reported_at_once(tmp_path):
    chemin = ecrire_classeur(
        tmp_path / "tout.xlsx",
        survey=[
            ["type", "name", "label::French (fr)", "relevant", "constraint", "required"],
            ["end_group"],
            ["integer", "", "Sans nom"],
            ["integer", "N01", "Nombre"],
            ["integer", "N01", "Doublon"],
            ["decimal", "N02", "Expression", "", ". >="],
            ["text", "mon age", "Nom avec une espace"],
            ["text", "N03", "", "", "", "peut-être"],
        ],
        settings=SETTINGS,
    )
    assert erreurs_import(chemin) == [
        "Feuille « survey », ligne 2, colonne « type » : « end_group » sans « begin_group » correspondant.",
        "Feuille « survey », ligne 3, colonne « name » : nom (name) manquant.",
        "Feuille « survey », ligne 5, colonne « name » : le nom « N01 » est déjà utilisé ligne 4.",
        "Feuille « survey », ligne 7, colonne « name » : nom « mon age » invalide : une lettre ou « _ », puis "
        "lettres, chiffres, « _ », « - » ou « . », sans espace.",
        "Feuille « survey », ligne 6, colonne « constraint » : expression « . >= » invalide : "
        "Expression incomplète (caractère 5).",
        "Feuille « survey », ligne 8, colonne « required » : valeur « peut-être » non reconnue (yes ou no attendu ; "
        "une obligation conditionnelle s'écrit avec relevant ou une règle senacs_regles).",
        "Feuille « survey », ligne 8, colonne « label::French (fr) » : N03 : la question n'a pas de libellé.",
    ]


def test_missing_sheets_are_refused(tmp_path):
    sans_survey = ecrire_classeur(tmp_path / "a.xlsx", questions=[["type", "name"]], settings=SETTINGS)
    assert erreurs_import(sans_survey) == ["Feuille « survey » absente : c'est elle qui décrit les questions."]
    # Sans feuille settings, la campagne donnée à l'import fait la version et l'année ; le titre vient du fichier.
    sans_settings = ecrire_classeur(tmp_path / "b.xlsx", survey=[ENTETE, ["integer", "N01", "Nombre"]])
    assert erreurs_import(sans_settings) == [
        "Feuille « settings » : ni version ni senacs_campagne : indiquez l'année de campagne (--campagne) ou une "
        "version (ex. 2026)."
    ]
    questionnaire = importer(sans_settings, campagne=2027)
    assert (questionnaire.version, questionnaire.campagne, questionnaire.titre) == ("2027", 2027, "b")


def test_a_version_without_a_campaign_year_is_refused(tmp_path):
    chemin = ecrire_classeur(
        tmp_path / "v.xlsx",
        survey=[ENTETE, ["integer", "N01", "Nombre"]],
        settings=[["form_title", "version"], ["Enquête", "v1"]],
    )
    (erreur,) = erreurs_import(chemin)
    assert erreur.startswith("Feuille « settings », ligne 2, colonne « version » : impossible de lire l'année")


def test_errors_in_senacs_sheets_are_located_too(tmp_path):
    chemin = ecrire_classeur(
        tmp_path / "regles.xlsx",
        survey=[ENTETE, ["integer", "N01", "Nombre"]],
        settings=SETTINGS,
        senacs_regles=[
            ["code", "gravite", "publics", "questions", "expression", "message"],
            ["R1", "grave", "CS", "N01", "${N01} > 0", "Message"],
            ["R2", "bloquant", "CS", "N09", "${N09} > 0", "Vu {N01}"],
        ],
    )
    assert erreurs_import(chemin) == [
        "Feuille « senacs_regles », ligne 2, colonne « gravite » : gravité « grave » inconnue (bloquant ou "
        "avertissement).",
        "Feuille « senacs_regles », ligne 3, colonne « expression » : référence inconnue ${N09} (aucune question ne "
        "porte ce nom).",
        "Feuille « senacs_regles », ligne 3, colonne « questions » : question « N09 » inconnue.",
    ]


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    chemin = tmp_path / "faux.xlsx"
    chemin.write_text("ceci n'est pas un classeur", encoding="utf-8")
    (erreur,) = erreurs_import(chemin)
    assert erreur.startswith("Le fichier « faux.xlsx » n'est pas un classeur lisible")


def test_a_choice_without_label_is_refused_with_its_row(tmp_path):
    chemin = ecrire_classeur(
        tmp_path / "choix.xlsx",
        survey=[ENTETE, ["select_one statut", "N01", "Statut"]],
        choices=[["list_name", "name", "label"], ["statut", "asso", "Association"], ["statut", "commune"]],
        settings=SETTINGS,
    )
    assert erreurs_import(chemin) == [
        "Feuille « choices », ligne 3, colonne « label » : le choix « commune » n'a pas de libellé."
    ]


def test_a_plain_label_survey_with_choices_labelled_in_a_language_column(tmp_path):
    chemin = ecrire_classeur(
        tmp_path / "mixte.xlsx",
        survey=[["type", "name", "label"], ["select_one mode", "mode_gestion", "Mode de gestion"]],
        choices=[
            ["list_name", "name", "label::French (fr)"],
            ["mode", "asso", "Associatif"],
            ["mode", "com", "Commune"],
        ],
    )
    questionnaire = importer(chemin, campagne=2027)
    assert questionnaire.question("mode_gestion").libelle == "Mode de gestion"
    assert questionnaire.libelles_choix("mode_gestion") == {"asso": "Associatif", "com": "Commune"}


def test_a_calculate_without_formula_is_refused_in_its_calculation_column(tmp_path):
    chemin = ecrire_classeur(
        tmp_path / "calc.xlsx", survey=[["type", "name", "calculation"], ["calculate", "total", ""]], settings=SETTINGS
    )
    assert erreurs_import(chemin) == [
        "Feuille « survey », ligne 2, colonne « calculation » : total : une question calculate doit avoir une formule."
    ]


def test_an_odk_column_edited_without_its_senacs_original_is_refused(tmp_path):
    from openpyxl import load_workbook

    chemin = exporter(charger(DOSSIER / "2026.yaml"), tmp_path / "export.xlsx")
    classeur = load_workbook(chemin)
    feuille = classeur["survey"]
    entete = [c.value for c in feuille[1]]
    ligne = next(r for r in feuille.iter_rows(min_row=2) if r[entete.index("name")].value == "E13")
    ligne[entete.index("relevant")].value = "${E12} = 'non'"
    classeur.save(chemin)
    numero = ligne[0].row
    assert erreurs_import(chemin) == [
        f"Feuille « survey », ligne {numero}, colonne « relevant » : « ${{E12}} = 'non' » ne correspond plus à "
        "senacs_relevant (traduction attendue : « ${E12} = 'oui' ») : modifiez senacs_relevant et videz relevant, "
        "qui sera récrite à l'export."
    ]
    # La colonne ODK vidée, l'original senacs_relevant fait foi.
    ligne[entete.index("relevant")].value = None
    classeur.save(chemin)
    assert importer(chemin).question("E13").pertinence == "${E12} = true()"
