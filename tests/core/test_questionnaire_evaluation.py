import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from core.questionnaire.definition import charger
from core.questionnaire.evaluation import Anomalie, anomalies, calculer, plan, questions_pertinentes
from core.questionnaire.expressions import analyser
from core.questionnaire.modele import Choix, Liste, Question, Questionnaire, Regle, Section

DOSSIER = Path(__file__).resolve().parents[2] / "questionnaires"
NBSP = "\u00a0"

# Une réponse de centre social complète et cohérente (ordres de grandeur de calibration.md).
REPONSE_CS = {
    "A01": "Centre social de la Croix-Rousse",
    "A02": "12 rue d'Austerlitz",
    "A03": "69004",
    "A04": "69384",
    "A05": "69",
    "A06": "accueil@cs-croix-rousse.fr",
    "A07": "https://www.cs-croix-rousse.fr",
    "A08": "73282932000074",
    "A09": "1975-01-01",
    "A10": "2022-01-01",
    "A11": "2025-12-31",
    "A12": 14500,
    "A13": "Créé en 1968 par des habitants du plateau.",
    "A14A": "Favoriser le lien social et l'entraide",
    "A14B": "Soutenir les familles",
    "A15": "associatif",
    "A16": "urbain",
    "A17": "quartiers",
    "A18": "aupres_qpv",
    "A19": True,
    "A20": "non",
    "A21": False,
    "A22": True,
    "A23": False,
    "A24": 2,
    "A25": 1968,
    "A26": False,
    "B01": "L'isolement des personnes âgées.",
    "B02": "Le renouvellement des bénévoles.",
    "B03": ["isolement", "parentalite", "numerique"],
    "B04": True,
    "B05": True,
    "B06": True,
    "B07": 15,
    "B08": 240,
    "B09": 42.5,
    "B10": True,
    "C01": 640,
    "C02": 310,
    "C03": 12,
    "C04": 14,
    "C05": 11,
    "C06": 2,
    "C07": 8,
    "C08": 7,
    "C09": ["conseil_administration", "bureau", "assemblee_generale"],
    "C10": ["diagnostic", "elaboration", "evaluation"],
    "C11": 12,
    "C12": 4,
    "C13": 2,
    "D01": 32,
    "D02": 14,
    "D03": 40,
    "D04": 2640,
    "D06": 31000,
    "D07": 5,
    "D08": 9,
    "D09": ["scolarite", "lien_social", "accueil"],
    "D10": True,
    "E01": 24,
    "E02": 13.5,
    "E03": 15,
    "E04": 7,
    "E05": 1,
    "E06": 1,
    "E07": 1,
    "E08": 2,
    "E09": 0,
    "E10": 1,
    "E11": "niveau_6",
    "E12": True,
    "E13": 0.8,
    "E14": 1.5,
    "E15": 7.2,
    "E16": 1.5,
    "E17": 1.5,
    "E18": 20,
    "E19": 1,
    "E20": "alisfa",
    "F01": "2024-12-31",
    "F02": 598000,
    "F03": 418600,
    "F04": 602500,
    "F06": 72000,
    "F07": 24000,
    "F08": 0,
    "F09": 66000,
    "F10": 18000,
    "F11": 187000,
    "F12": 24000,
    "F13": 30000,
    "F14": 9000,
    "F15": 42000,
    "F16": 0,
    "F17": 12000,
    "F18": 60000,
    "F19": 9000,
    "F20": 49500,
    "F21": 45000,
    "F22": 150000,
    "F23": 98000,
    "F24": 610000,
    "F25": "moderees",
    "G01": True,
    "G02": True,
    "G03": ["caf", "commune", "education_nationale"],
    "G04": 18,
    "G05": ["ctg", "clas"],
    "G06": True,
    "H01": 1100,
    "H02A": 8,
    "H02B": 22,
    "H02C": 13,
    "H02D": 7,
    "H02E": 35,
    "H02F": 15,
    "H03": True,
    "H04": False,
    "H05": True,
    "H06": 280,
    "H07": True,
    "H08": 110,
    "H09": 20,
    "H10": True,
    "H11": 120,
    "H12": 35,
    "H13": True,
    "H14": 270,
    "H15": 125,
    "H16": True,
    "H17": False,
    "H18": True,
    "H19": False,
    "H20": True,
    "H21": True,
    "H22": True,
    "H23": False,
    "H24": True,
    "H25": False,
    "H26": 28,
    "H27": 9,
    "I01": 3,
    "I04": ["consultation", "pouvoir_agir"],
    "I05": 85,
    "I06": True,
    "J01": True,
    "J02": 20,
}
PRECEDENTES = {"F04": 590000, "E02": 13, "H01": 1050, "D03": 38}

# Un espace de vie sociale : petite association, un animateur, financée par la PS animation locale.
REPONSE_EVS = {
    **{k: v for k, v in REPONSE_CS.items() if k[0] in "AB" and k not in ("B05",)},
    "A01": "Espace de vie sociale du Revermont",
    "A03": "01250",
    "A04": "01053",
    "A05": "01",
    "A06": "contact@evs-revermont.fr",
    "A07": None,
    "A08": "44306184100047",
    "A10": "2023-01-01",
    "A11": "2026-12-31",
    "A09": "2019-01-01",
    "A12": 3800,
    "A16": "rural",
    "A17": "communes",
    "A18": "non_concerne",
    "A19": False,
    "A22": False,
    "A24": None,
    "A25": 2015,
    "B08": 150,
    "C01": 120,
    "C10": ["diagnostic", "mise_en_oeuvre"],
    "D01": 15,
    "D02": 8,
    "D03": 19,
    "D04": 1200,
    "E01": 2,
    "E02": 1.3,
    "F02": 61000,
    "F03": 38000,
    "F04": 62000,
    "F08": 22000,
    "F09": 3000,
    "F11": 14000,
    "F18": 9000,
    "F19": 2500,
    "F20": 11500,
    "G01": True,
    "G02": False,
    "H01": 210,
    "H02A": 10,
    "H02B": 20,
    "H02C": 10,
    "H02D": 5,
    "H02E": 35,
    "H02F": 20,
    "H03": True,
    "H10": True,
}


@pytest.fixture(scope="module")
def q2025() -> Questionnaire:
    return charger(DOSSIER / "2025.yaml")


def codes(liste: list[Anomalie]) -> set[str]:
    return {a.code_regle for a in liste}


# --------------------------------------------------------------------------- réponses propres


def test_a_clean_realistic_cs_answer_set_yields_no_anomaly(q2025):
    assert anomalies(q2025, REPONSE_CS, PRECEDENTES, public="CS") == []


def test_a_clean_realistic_evs_answer_set_yields_no_anomaly(q2025):
    assert anomalies(q2025, REPONSE_EVS, {"F04": 60000}, public="EVS") == []


@pytest.mark.parametrize("annee", (2021, 2022, 2023, 2024, 2026))
def test_the_clean_answer_set_is_also_clean_for_other_campaigns(annee):
    questionnaire = charger(DOSSIER / f"{annee}.yaml")
    n = annee - 1
    valeurs = {
        **REPONSE_CS,
        "A11": f"{n + 1}-12-31",
        "A10": f"{n - 2}-01-01",
        "F01": f"{n}-12-31",
        "A25": 1968,
    }
    if annee <= 2022:  # F06 regroupait alors AGC et ACF
        valeurs["F06"] = REPONSE_CS["F06"] + valeurs.pop("F07")
    assert anomalies(questionnaire, valeurs, PRECEDENTES) == []


def test_an_unknown_public_is_refused(q2025):
    with pytest.raises(ValueError, match="Public « MJC » inconnu"):
        anomalies(q2025, REPONSE_CS, public="MJC")


def test_calculations_give_volunteer_fte_result_and_funding_total(q2025):
    assert calculer(q2025, REPONSE_CS) == {
        "D05": Decimal("1.64"),
        "F05": Decimal("4500"),
        "F26": Decimal("602500"),
    }
    assert calculer(q2025, {"F02": "700 000", "F04": "650 000,50"})["F05"] == Decimal("-49999.50")
    assert calculer(q2025, {})["D05"] is None


# --------------------------------------------------------------------------- questions : obligation, type, bornes


def test_a_required_relevant_question_left_empty_is_blocking(q2025):
    valeurs = {**REPONSE_CS, "A08": "  "}
    assert anomalies(q2025, valeurs, PRECEDENTES) == [
        Anomalie("A08.obligatoire", "bloquant", "La question A08 « Numéro SIRET » est obligatoire.", ("A08",))
    ]


def test_empty_answers_only_raise_required_questions_never_rules(q2025):
    resultat = anomalies(q2025, {}, {}, public="CS", departement="69")
    assert resultat
    assert all(a.code_regle.endswith(".obligatoire") and a.bloquante for a in resultat)
    obligatoires = {q.code for q in q2025.pour_public("CS").questions() if q.obligatoire}
    assert {a.questions[0] for a in resultat} == obligatoires


def test_adapted_questions_are_optional_for_evs_only(q2025):
    sans = {**REPONSE_EVS, "C04": None, "E10": None, "E12": None}
    assert anomalies(q2025, sans, public="EVS") == []
    assert {"C04.obligatoire", "E10.obligatoire", "E12.obligatoire"} <= codes(anomalies(q2025, sans, public="CS"))


@pytest.mark.parametrize(
    ("modification", "code", "message"),
    [
        ({"E01": "vingt"}, "E01.type", "« vingt » n'est pas un nombre"),
        ({"E01": 12.5}, "E01.type", "un nombre entier est attendu"),
        ({"A15": "mutuelle"}, "A15.type", "« mutuelle » ne fait pas partie des choix possibles"),
        ({"B03": ["isolement", "chomage"]}, "B03.type", "« chomage » ne fait pas partie des choix possibles"),
        ({"A19": "peut-être"}, "A19.type", "« oui » ou « non » est attendu"),
        ({"A06": "accueil-at-cs.fr"}, "A06.type", "une adresse électronique valide est attendue"),
        ({"A07": "pas une adresse"}, "A07.type", "une adresse web valide est attendue"),
        ({"A10": "31/02/2022"}, "A10.type", "n'est pas une date"),
        ({"B08": 400}, "B08.max", "doit être inférieure ou égale à 365 (réponse : 400)"),
        ({"E02": -1}, "E02.min", "doit être supérieure ou égale à 0 (réponse : -1)"),
        ({"B07": 120}, "B07.max", f"inférieure ou égale à 100{NBSP}%"),
        ({"A11": "2023-06-30"}, "A11.min", "doit être postérieure ou égale au 01/01/2024 (réponse : 30/06/2023)"),
        ({"A03": "6900"}, "A03.contrainte", "Le code postal compte 5 chiffres (ex. 69004)."),
        (
            {"B03": ["isolement", "precarite", "parentalite", "jeunesse", "sante", "mobilite"]},
            "B03.contrainte",
            "au plus 5",
        ),
        ({"A25": 1980}, "A25.contrainte", "ne peut pas être postérieure à l'année du premier agrément"),
    ],
)
def test_each_answer_is_checked_for_type_bounds_and_constraint(q2025, modification, code, message):
    resultat = [a for a in anomalies(q2025, {**REPONSE_CS, **modification}, PRECEDENTES) if a.code_regle == code]
    assert len(resultat) == 1
    assert message in resultat[0].message
    assert resultat[0].gravite == "bloquant"


def test_french_number_input_and_date_formats_are_accepted(q2025):
    valeurs = {**REPONSE_CS, "F02": "598 000", "E02": "13,5", "F04": "602 500 €", "A10": "01/01/2022"}
    assert anomalies(q2025, valeurs, PRECEDENTES) == []
    valeurs = {
        **REPONSE_CS,
        "A10": datetime.date(2022, 1, 1),
        "A19": "oui",
        "E12": "Oui",
        "B03": "isolement numerique",
    }
    assert anomalies(q2025, valeurs, PRECEDENTES) == []


def test_the_year_of_creation_may_equal_the_year_of_first_agrement(q2025):
    for a09, a25, conforme in (("1975-01-01", 1975, True), ("1975-12-31", 1975, True), ("1975-12-31", 1976, False)):
        resultat = codes(anomalies(q2025, {**REPONSE_CS, "A09": a09, "A25": a25}, PRECEDENTES))
        assert ("A25.contrainte" not in resultat) is conforme, (a09, a25)


# --------------------------------------------------------------------------- règles globales


VIOLATIONS = [
    ("R01", {"E02": 30}, {}),
    ("R02", {"E15": 2}, {}),
    ("R03a", {"E03": 20, "E04": 10}, {}),
    ("R03b", {"E05": 30}, {}),
    ("R03c", {"E06": 30}, {}),
    ("R04a", {"F20": 69500}, {}),
    ("R04b", {"F20": 109500}, {}),
    ("R05", {"F02": 400000, "F03": 300000}, {}),
    ("R06a", {"F03": 700000}, {}),
    ("R06b", {"F03": 200000}, {}),
    ("R06c", {"F03": 300000, "E02": 4}, {}),
    ("R07a", {"F06": 0, "F20": 121500}, {}),
    ("R07b", {"F08": 5000, "F20": 44500}, {}),
    ("R08", {"E12": False}, {}),
    ("R09a", {"A09": "2023-01-01"}, {}),
    ("R09b", {"A10": "2024-12-31", "A11": "2024-06-30"}, {}),
    ("R09c", {"A11": "2027-12-31"}, {}),
    ("R10", {"D03": 60}, {}),
    ("R11a", {"D04": 25000}, {}),
    ("R11b", {"D04": 70000}, {}),
    ("R12a", {"D07": 50}, {}),
    ("R12b", {"D08": 40}, {}),
    ("R12c", {"C05": 20}, {}),
    ("R12d", {"C06": 20}, {}),
    ("R12e", {"C07": 20}, {}),
    ("R13", {"H02F": 25}, {}),
    ("R14a", {"H06": 1000}, {}),
    ("R14b", {"A12": 900}, {}),
    ("R14c", {"H15": 300}, {}),
    ("R14d", {"C01": 2000}, {}),
    ("R15a", {"C04": 2, "C05": 1, "C06": 0, "C07": 1}, {}),
    ("R15b", {"A15": "caf"}, {}),
    ("R16a", {}, {"F04": 300000}),
    ("R16b", {}, {"E02": 5}),
    ("R16c", {}, {"H01": 400}),
    ("R16d", {}, {"D03": 10}),
    ("R18a", {"A08": "73282932000075"}, {}),
    ("R18b", {"A03": "38000"}, {}),
    ("R18c", {"A04": "38185"}, {}),
    ("R19", {"F04": 647500}, {}),
    ("R20", {"A18": "qpv", "A16": "rural"}, {}),
    ("R21", {"E10": 14}, {}),
    ("R22", {"E13": 14}, {}),
    ("R23", {"E10": 0.3}, {}),
    ("R24", {"E02": 3}, {}),
    ("R25", {"E01": 0, "E02": 0, "E03": 0, "E04": 0, "E05": 0, "E06": 0}, {}),
    ("R26", {"A12": 250000}, {}),
    ("R27", {"B08": 100}, {}),
    ("R28", {"C11": 90}, {}),
    ("R29", {"F24": 1000000}, {}),
]


@pytest.mark.parametrize(("code", "modification", "precedentes"), VIOLATIONS, ids=[v[0] for v in VIOLATIONS])
def test_each_global_rule_fires_on_a_crafted_violation(q2025, code, modification, precedentes):
    resultat = anomalies(q2025, {**REPONSE_CS, **modification}, {**PRECEDENTES, **precedentes})
    assert code in codes(resultat)
    anomalie = next(a for a in resultat if a.code_regle == code)
    regle = next(r for r in q2025.regles if r.code == code)
    assert anomalie.gravite == regle.gravite
    assert "{" not in anomalie.message and "non renseigné" not in anomalie.message


@pytest.mark.parametrize(
    ("code", "modification"),
    [("R07c", {"F08": 0, "F20": 33500}), ("R17", {"E02": 12, "E01": 14, "F03": 400000})],
)
def test_evs_rules_fire_for_evs_only(q2025, code, modification):
    assert code in codes(anomalies(q2025, {**REPONSE_EVS, **modification}, public="EVS"))
    assert code not in codes(anomalies(q2025, {**REPONSE_CS, **modification}, PRECEDENTES, public="CS"))


def test_every_rule_of_the_reference_has_a_crafted_violation_in_these_tests(q2025):
    testees = {v[0] for v in VIOLATIONS} | {"R07c", "R17"}
    assert testees == {r.code for r in q2025.regles}


def _entrees(questionnaire: Questionnaire, codes_lus: set[str]) -> set[str]:
    """Questions saisies dont dépendent ces codes (en remontant les calculs)."""
    entrees: set[str] = set()
    a_voir = list(codes_lus)
    while a_voir:
        code = a_voir.pop()
        question = questionnaire.question(code)
        if question.type == "calcul":
            a_voir.extend(analyser(question.calcul).references())
        else:
            entrees.add(code)
    return entrees


@pytest.mark.parametrize("code", [v[0] for v in VIOLATIONS])
def test_no_rule_fires_when_the_data_it_reads_is_missing(q2025, code):
    regle = next(r for r in q2025.regles if r.code == code)
    lus = analyser(regle.expression).references()
    modification = next(v for v in VIOLATIONS if v[0] == code)[1]
    valeurs = {k: v for k, v in {**REPONSE_CS, **modification}.items() if k not in _entrees(q2025, lus)}
    assert code not in codes(anomalies(q2025, valeurs, {}))


def test_rule_messages_quote_the_figures_in_french_format(q2025):
    resultat = anomalies(q2025, {**REPONSE_CS, "E02": 30.5}, PRECEDENTES)
    r01 = next(a for a in resultat if a.code_regle == "R01")
    assert r01.message == (
        "Le nombre d'ETP (E02 = 30,5) dépasse le nombre de salariés (E01 = 24) : un salarié compte au plus pour 1 ETP."
    )
    assert r01.questions == ("E01", "E02")
    resultat = anomalies(q2025, REPONSE_CS, {**PRECEDENTES, "F04": 1234567})
    r16 = next(a for a in resultat if a.code_regle == "R16a")
    assert f"passe de 1{NBSP}234{NBSP}567 € l'an dernier à 602{NBSP}500 €" in r16.message
    r13 = next(a for a in anomalies(q2025, {**REPONSE_CS, "H02F": 25.5}, PRECEDENTES) if a.code_regle == "R13")
    assert "fait 110,5 % au lieu de 100 %" in r13.message
    r09 = next(a for a in anomalies(q2025, {**REPONSE_CS, "A11": "2027-12-31"}, PRECEDENTES) if a.code_regle == "R09c")
    assert r09.message == "L'agrément en cours (du 01/01/2022 au 31/12/2027) doit durer entre 1 et 4 ans."
    r20 = next(a for a in anomalies(q2025, {**REPONSE_CS, "A15": "caf"}, PRECEDENTES) if a.code_regle == "R15b")
    assert "« ALISFA (branche du lien social et familial) »" in r20.message


def test_the_two_levels_of_the_funding_check_do_not_overlap(q2025):
    assert codes(anomalies(q2025, {**REPONSE_CS, "F20": 69500}, PRECEDENTES)) & {"R04a", "R04b"} == {"R04a"}
    assert codes(anomalies(q2025, {**REPONSE_CS, "F20": 109500}, PRECEDENTES)) & {"R04a", "R04b"} == {"R04b"}


def test_the_siret_key_check_accepts_valid_numbers(q2025):
    for siret in ("73282932000074", "44306184100047", "35600000000048"):
        assert "R18a" not in codes(anomalies(q2025, {**REPONSE_CS, "A08": siret}, PRECEDENTES))
    # Format faux : la contrainte de la question le dit, la clé ne s'ajoute pas.
    resultat = codes(anomalies(q2025, {**REPONSE_CS, "A08": "732 829 320"}, PRECEDENTES))
    assert "A08.contrainte" in resultat and "R18a" not in resultat


def test_corsica_and_overseas_departments_match_their_postcodes(q2025):
    for a03, a04, a05 in (("20000", "2A004", "2A"), ("97400", "97411", "974"), ("01000", "01053", "01")):
        valeurs = {**REPONSE_CS, "A03": a03, "A04": a04, "A05": a05}
        assert not {"R18b", "R18c"} & codes(anomalies(q2025, valeurs, PRECEDENTES)), a05
    valeurs = {**REPONSE_CS, "A03": "97400", "A04": "97411", "A05": "971"}
    assert {"R18b", "R18c"} <= codes(anomalies(q2025, valeurs, PRECEDENTES))


# --------------------------------------------------------------------------- pertinence


def test_a_question_whose_condition_is_false_is_hidden_and_its_answer_ignored(q2025):
    valeurs = {**REPONSE_CS, "E12": False, "E13": 14, "F07": 0}
    assert "E13" not in questions_pertinentes(q2025, valeurs)
    assert "R22" not in codes(anomalies(q2025, valeurs, PRECEDENTES))  # E13 = 14 > E02 serait bloquant


def test_a_condition_may_read_a_later_question(q2025):
    assert "D08" in questions_pertinentes(q2025, {**REPONSE_CS, "H07": True})
    assert "D08" not in questions_pertinentes(q2025, {**REPONSE_CS, "H07": False})


def test_an_unknown_condition_shows_the_question(q2025):
    valeurs = {k: v for k, v in REPONSE_CS.items() if k != "H07"}
    assert "D08" in questions_pertinentes(q2025, valeurs)


def _petit(*questions: Question, regles=()) -> Questionnaire:
    return Questionnaire(
        version="essai",
        campagne=2026,
        titre="Essai",
        sections=(Section("A", "Section A", "noyau", tuple(questions)),),
        listes=(Liste("l", (Choix("a", "A"), Choix("b", "B"))),),
        regles=tuple(regles),
    )


def test_a_required_question_is_demanded_only_once_its_condition_is_established():
    q = _petit(
        Question("A01", "Multi-sites ?", "oui_non"),
        Question("A02", "Nombre de sites", "entier", obligatoire=True, pertinence="${A01} = true()"),
    )
    assert "A02" in questions_pertinentes(q, {})
    assert anomalies(q, {}) == []
    assert codes(anomalies(q, {"A01": True})) == {"A02.obligatoire"}
    assert anomalies(q, {"A01": False}) == []


def test_a_group_hidden_by_its_heading_hides_its_members():
    q = _petit(
        Question("A01", "Activité", "oui_non"),
        Question("A02", "Répartition", "note", pertinence="${A01} = true()"),
        Question("A03", "Part A", "pourcentage", obligatoire=True, groupe="A02"),
        Question("A04", "Part B", "pourcentage", obligatoire=True, groupe="A02"),
    )
    assert questions_pertinentes(q, {"A01": False}) == {"A01"}
    assert anomalies(q, {"A01": False}) == []
    assert questions_pertinentes(q, {}) == {"A01", "A02", "A03", "A04"}
    assert anomalies(q, {}) == []  # condition du groupe encore inconnue : montré, pas exigé
    assert codes(anomalies(q, {"A01": True})) == {"A03.obligatoire", "A04.obligatoire"}


def test_relevance_cascades_through_hidden_answers():
    q = _petit(
        Question("A01", "Premier", "oui_non"),
        Question("A02", "Deuxième", "oui_non", pertinence="${A01} = true()"),
        Question("A03", "Troisième", "entier", obligatoire=True, pertinence="${A02} = true()"),
    )
    # A02 répondu « oui » mais masqué par A01 = non : sa réponse ne compte plus, A03 disparaît aussi.
    assert questions_pertinentes(q, {"A01": False, "A02": True}) == {"A01"}
    assert anomalies(q, {"A01": False, "A02": True}) == []


def test_rule_messages_accept_escaped_braces_and_expressions():
    q = _petit(
        Question("A01", "Nombre", "decimal"),
        regles=[Regle("R1", "${A01} < 10", "avertissement", "{{A01}} vaut {A01}, soit {=${A01} * 2} en double")],
    )
    (anomalie,) = anomalies(q, {"A01": 1234.5})
    assert anomalie.message == f"{{A01}} vaut 1{NBSP}234,5, soit 2{NBSP}469 en double"
    assert anomalie.questions == ("A01",)


def test_local_questions_follow_the_department_of_the_answer(q2025):
    sans_j = {k: v for k, v in REPONSE_CS.items() if not k.startswith("J")}
    assert anomalies(q2025, {**sans_j, "J01": True, "J02": 80}, PRECEDENTES)[0].code_regle == "J02.max"
    assert anomalies(q2025, {**sans_j, "A05": "01", "A03": "01000", "A04": "01053", "J02": 80}, PRECEDENTES) == []


# --------------------------------------------------------------------------- rapidité


def test_the_plan_is_compiled_once_per_variant(q2025):
    variante = q2025.pour_public("CS", "69")
    assert plan(variante) is plan(variante)
