"""Le corpus de formulaires écrits comme les écrivent les équipes Kobo et ODK (tests/corpus_xlsform/) :
chacun est accepté, ou refusé avec la fonctionnalité nommée, sa feuille, sa ligne et sa colonne."""

from pathlib import Path

import pytest

from core.questionnaire.evaluation import anomalies, calculer, questions_pertinentes
from core.questionnaire.modele import valider
from core.questionnaire.xlsform import ErreurXLSForm, exporter, importer
from tests.corpus_xlsform.fabriquer import ATTENDUS, CHEMIN_EXEMPLE, DOSSIER, FORMULAIRES, main

pytestmark = pytest.mark.no_django_db


def test_the_corpus_has_ten_forms_or_more_and_the_committed_files_are_up_to_date(tmp_path):
    assert len(FORMULAIRES) >= 10 and set(FORMULAIRES) == set(ATTENDUS)
    assert sum(attendu is None for attendu in ATTENDUS.values()) >= 6
    ecrits = main(tmp_path, tmp_path / "exemple.xlsx")
    for chemin in ecrits[:-1]:
        assert (DOSSIER / chemin.name).is_file(), f"{chemin.name} : relancez tests/corpus_xlsform/fabriquer.py"
    assert CHEMIN_EXEMPLE.is_file() and ecrits[-1].is_file()


@pytest.mark.parametrize("nom", sorted(ATTENDUS))
def test_each_form_of_the_corpus_is_accepted_or_refused_with_the_feature_and_its_location(nom):
    attendu = ATTENDUS[nom]
    if attendu is None:
        questionnaire = importer(DOSSIER / nom, campagne=2027)
        assert valider(questionnaire) == []
        assert questionnaire.campagne == 2027
    else:
        with pytest.raises(ErreurXLSForm) as exc:
            importer(DOSSIER / nom, campagne=2027)
        assert exc.value.erreurs == attendu


def test_a_bilingual_kobo_form_keeps_its_names_french_labels_and_today(tmp_path):
    q = importer(DOSSIER / "kobo_accueil_jeunes.xlsx")
    assert (q.version, q.campagne, q.titre) == ("2027010101", 2027, "Accueil des jeunes")
    assert q.codes() == (
        "effectif",
        "nb_jeunes",
        "accueil_soir",
        "nb_soirees",
        "date_ouverture",
        "jeunes_par_salarie",
        "merci",
    )
    assert [(s.code, s.titre, s.bloc) for s in q.sections] == [("accueil", "Accueil des jeunes", "thematique")]
    assert q.question("effectif").libelle == "Effectif salarié" and q.question("effectif").obligatoire
    assert q.question("effectif").aide == "Au 31 décembre"
    assert q.question("nb_soirees").message_contrainte == "Au plus 31"
    assert q.libelles_choix("accueil_soir") == {"oui": "Oui", "non": "Non"}
    calcul = q.question("jeunes_par_salarie")
    assert (calcul.type, calcul.libelle) == ("calcul", "jeunes_par_salarie")  # calculate sans libellé
    assert calculer(q, {"effectif": 4, "nb_jeunes": 90})["jeunes_par_salarie"] == 22.5
    assert "nb_soirees" not in questions_pertinentes(q, {"accueil_soir": "non"})
    futur = anomalies(q, {"effectif": 1, "nb_jeunes": 1, "accueil_soir": "non", "date_ouverture": "2999-01-01"})
    assert [a.message for a in futur] == ["La date ne peut pas être dans le futur"]
    # Réexporté, il se relit à l'identique (noms libres compris).
    assert importer(exporter(q, tmp_path / "k.xlsx")) == q


def test_spaced_aliases_uppercase_sheets_and_single_colon_languages_are_read():
    odk = importer(DOSSIER / "odk_activites_sans_settings.xlsx", campagne=2027)
    assert (odk.version, odk.titre) == ("2027", "odk_activites_sans_settings")
    assert odk.question("mode_gestion").type == "choix_unique" and odk.question("mode_gestion").obligatoire
    assert odk.question("activites").type == "choix_multiple"
    valeurs = {"mode_gestion": "associatif", "activites": ["sport", "culture"], "nb_ateliers": 3}
    assert calculer(odk, valeurs) == {"resume": "associatif / 2", "ateliers": 3}
    assert "nb_ateliers" not in questions_pertinentes(odk, {"mode_gestion": "autre", "activites": ["sport"]})
    maj = importer(DOSSIER / "majuscules_label_fr.xlsx")
    assert maj.question("benevoles").libelle == "Nombre de bénévoles" and maj.question("benevoles").obligatoire
    assert maj.question("benevoles").aide == "Réguliers et ponctuels"
    assert maj.libelles_choix("frequence") == {"mensuelle": "Mensuelle", "trimestrielle": "Trimestrielle"}


def test_or_other_adds_the_other_choice_and_its_follow_up_question():
    q = importer(DOSSIER / "or_other.xlsx", campagne=2027)
    assert q.codes() == ("financeur_principal", "financeur_principal_other", "publics_cibles", "publics_cibles_other")
    assert q.libelles_choix("financeur_principal")["other"] == "Autre"
    precisez = q.question("financeur_principal_other")
    assert precisez.type == "texte" and precisez.pertinence == "selected(${financeur_principal}, 'other')"
    assert "financeur_principal_other" not in questions_pertinentes(q, {"financeur_principal": "caf"})
    assert "financeur_principal_other" in questions_pertinentes(q, {"financeur_principal": "other"})


def test_comment_rows_extra_columns_and_required_spellings():
    q = importer(DOSSIER / "commentaires_et_colonnes.xlsx")
    assert q.codes() == ("surface", "nb_salles", "remarques")
    assert [q.question(c).obligatoire for c in q.codes()] == [True, True, False]
    assert q.question("remarques").type == "texte_long"


def test_nested_groups_and_arithmetic_functions():
    q = importer(DOSSIER / "groupes_imbriques.xlsx")
    assert q.question("repartition").type == "note" and q.question("part_animation").groupe == "repartition"
    assert q.question("heures").pertinence == "${nb_salaries} > 0"
    valeurs = {"nb_salaries": 3, "heures": 3214, "part_animation": 60}
    assert calculer(q, valeurs) == {"etp": 2, "total_parts": 60, "semaines": 38}
    assert "heures" not in questions_pertinentes(q, {"nb_salaries": 0})


def test_the_national_core_may_give_its_codes_in_senacs_code():
    q = importer(DOSSIER / "noyau_senacs_code.xlsx")
    assert q.codes() == ("E01", "E02", "E12") and q.section("E").bloc == "noyau"
    assert q.question("E02").pertinence == "${E01} > 0"  # les noms des expressions deviennent les codes
    assert q.question("E12").type == "oui_non"


def test_a_choice_filter_becomes_a_constraint_on_the_chosen_option():
    q = importer(DOSSIER / "cascade_choice_filter.xlsx")
    departement = q.question("departement")
    assert departement.contrainte == (
        "(selected('d69', .) and ('ara'=${region})) or (selected('d75', .) and ('idf'=${region}))"
    )
    refus = anomalies(q, {"region": "ara", "departement": "d75"})
    assert [(a.code_regle, a.message) for a in refus] == [
        ("departement.contrainte", "Ce choix n'est pas proposé compte tenu des réponses précédentes.")
    ]
    assert anomalies(q, {"region": "ara", "departement": "d69"}) == []


def test_a_choice_filter_on_a_multiple_choice_or_naming_an_unknown_column(tmp_path):
    from tests.core.classeurs import ecrire_classeur

    choix = [
        ["list_name", "name", "label", "age_min"],
        ["ateliers", "bebe", "Bébés", 0],
        ["ateliers", "ado", "Ados", 12],
    ]
    survey = [
        ["type", "name", "label", "choice_filter"],
        ["integer", "age", "Âge"],
        ["select_multiple ateliers", "ateliers", "Ateliers", "age_min <= ${age}"],
    ]
    q = importer(ecrire_classeur(tmp_path / "m.xlsx", survey=survey, choices=choix), campagne=2027)
    assert [a.code_regle for a in anomalies(q, {"age": 3, "ateliers": ["bebe", "ado"]})] == ["ateliers.contrainte"]
    assert anomalies(q, {"age": 14, "ateliers": ["bebe", "ado"]}) == []
    survey[2][3] = "agemin <= ${age}"
    with pytest.raises(ErreurXLSForm) as exc:
        importer(ecrire_classeur(tmp_path / "n.xlsx", survey=survey, choices=choix), campagne=2027)
    assert exc.value.erreurs == [
        "Feuille « survey », ligne 3, colonne « choice_filter » : colonne « agemin » absente de la feuille choices."
    ]


def test_the_documented_example_is_a_valid_campaign_questionnaire(tmp_path):
    q = importer(CHEMIN_EXEMPLE)
    assert (q.version, q.campagne) == ("2027", 2027)
    assert [(s.code, s.bloc) for s in q.sections] == [("E", "noyau"), ("I", "thematique"), ("J", "local")]
    assert q.question("E13").publics == ("CS",) and q.question("J01").departements == ("69",)
    assert [r.code for r in q.regles] == ["R01"]
    assert [a.code_regle for a in anomalies(q, {"E01": 2, "E02": 3, "usages_numeriques": ["aucun"]})] == [
        "E02.contrainte",
        "R01",
    ]
    assert importer(exporter(q, tmp_path / "e.xlsx")) == q


@pytest.mark.parametrize("nom", sorted(n for n, attendu in ATTENDUS.items() if attendu is None))
def test_the_ods_reader_gives_the_same_questionnaire_as_pyxform_reader(nom):
    """Les classeurs ODS (que pyxform ne lit pas) passent par python-calamine, avec les mêmes règles."""
    from python_calamine import CalamineWorkbook
    from pyxform.xls2json_backends import DefinitionData

    from core.questionnaire import xlsform_lecture

    donnees = DefinitionData(**xlsform_lecture._dictionnaire_calamine(CalamineWorkbook.from_path(DOSSIER / nom)))
    xlsform_lecture._normaliser_entetes(donnees)
    lu = xlsform_lecture._Lecture(donnees, {}, 2027, Path(nom).stem).questionnaire()
    assert lu == importer(DOSSIER / nom, campagne=2027)
