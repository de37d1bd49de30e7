import math

import pytest

from core.controles import Descriptions, LigneReponse, Seuils, detecter, retenir, tableau
from core.controles.detecteurs import Detection, nombre, variation
from core.controles.qualite import Signal, mesurer
from core.controles.reglages import Ratio
from core.controles.synthese import GENRES, generer
from core.questionnaire.definition import charger
from core.questionnaire.evaluation import anomalies

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def questionnaire():
    return charger("questionnaires/2025.yaml")


@pytest.fixture(scope="module")
def descriptions(questionnaire):
    return Descriptions.depuis_questionnaire(questionnaire)


def ligne(cle, type_="CS", territoire="urbain", precedentes=None, **valeurs):
    base = {"F02": 500_000, "F04": 505_000, "F03": 350_000, "E01": 18, "E02": 10.0, "D03": 30, "D04": 1800, "H01": 800}
    prec = dict(base) if precedentes is None else precedentes
    return LigneReponse(cle, type_, territoire, base | valeurs, prec)


def pairs(n=30, **autour):
    """n structures comparables (CS urbains de taille moyenne), légèrement différentes."""
    lignes = []
    for i in range(n):
        f = math.exp(0.1 * math.sin(i * 1.7))
        lignes.append(
            ligne(
                f"p{i}",
                F02=round(500_000 * f),
                F04=round(505_000 * f),
                F03=round(350_000 * f),
                E02=round(10 * f, 1),
                E01=round(18 * f),
                H01=round(800 * f),
            )
        )
    return lignes


def par_code(detections, cle):
    return {(d.code, d.questions) for d in detections if d.cle == cle}


# --- Seuils ---


def test_thresholds_have_documented_defaults():
    s = Seuils()
    assert s.evolution_max == {"petite": 1.0, "moyenne": 0.75, "grande": 0.5}
    assert s.z_max == 3.5 and s.taille_min_groupe == 20
    assert s.ratio("cout_etp").minimum == 25_000 and s.ratio("cout_etp").maximum == 70_000
    assert s.ratio("heures_benevole").maximum == 500 and s.ratio("etp_par_salarie").maximum == 1


def test_thresholds_are_overridden_from_a_setting_merging_dictionaries():
    s = Seuils.depuis_reglage(
        {"z_max": 4, "evolution_max": {"grande": 0.3}, "ratios": {"cout_etp": {"minimum": 20_000}}}
    )
    assert s.z_max == 4.0
    assert s.evolution_max == {"petite": 1.0, "moyenne": 0.75, "grande": 0.3}
    assert s.ratio("cout_etp").minimum == 20_000 and s.ratio("cout_etp").maximum == 70_000
    assert Seuils.depuis_reglage(None) == Seuils()


@pytest.mark.parametrize(
    ("reglage", "message"),
    [
        ({"zmax": 3}, "clé(s) inconnue(s) zmax"),
        ({"ratios": {"cout": {}}}, "rapport(s) inconnu(s) cout"),
        ({"ratios": {"cout_etp": {"min": 1}}}, "champ(s) inconnu(s) min"),
        ({"gravites": {"D-EVOL": "grave"}}, "Gravité « grave » inconnue"),
        ({"taille_min_groupe": 2}, "au moins 3 structures"),
    ],
)
def test_a_wrong_setting_is_refused_in_french(reglage, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Seuils.depuis_reglage(reglage)


# --- D-EVOL ---


def test_year_over_year_change_thresholds_depend_on_size(descriptions):
    petite = dict(F02=150_000, F04=150_000, F03=100_000, E02=3.0)
    grande = dict(F02=1_500_000, F04=1_500_000, F03=1_000_000, E02=30.0)
    lignes = [
        # +80 % : au-delà de ± 50 % pour une grande structure, en deçà de ± 100 % pour une petite
        ligne("petite", precedentes=petite | {"H01": 500}, **petite | {"H01": 900}),
        ligne("grande", precedentes=grande | {"H01": 500}, **grande | {"H01": 900}),
    ]
    detections = detecter(tableau(lignes), descriptions=descriptions)
    assert ("D-EVOL", ("H01",)) not in par_code(detections, "petite")
    evol = next(d for d in detections if d.cle == "grande" and d.code == "D-EVOL")
    assert evol.questions == ("H01",) and evol.gravite == "avertissement"
    assert evol.message == (
        "Le nombre de personnes touchées (H01) passe de 500 à 900 (+ 80 %) par rapport à l'an dernier, au-delà de la "
        "variation habituelle pour une structure de grande taille (± 50 %) : confirmez le chiffre ou expliquez "
        "l'évolution."
    )
    assert evol.details["taille"] == "grande" and evol.details["seuil"] == 0.5


def test_year_over_year_change_below_the_absolute_floor_is_ignored(descriptions):
    # 4 → 9 bénévoles : × 2,25 mais 5 d'écart, sous le plancher de 10 ; 20 → 45 : 25 d'écart.
    lignes = [
        ligne("a", precedentes={"D03": 4, "F04": 500_000}, D03=9),
        ligne("b", precedentes={"D03": 20, "F04": 500_000}, D03=45),
    ]
    detections = detecter(tableau(lignes), descriptions=descriptions)
    assert ("D-EVOL", ("D03",)) not in par_code(detections, "a")
    assert ("D-EVOL", ("D03",)) in par_code(detections, "b")


def test_the_budget_message_reads_like_the_issue(descriptions):
    lignes = [ligne("a", precedentes={"F04": 512_300, "F02": 500_000}, F04=5_123_000)]
    unite = next(d for d in detecter(tableau(lignes), descriptions=descriptions) if d.questions == ("F04",))
    assert unite.code == "D-UNITE"
    assert unite.message.startswith(
        f"Le total des produits (F04) vaut 5{NBSP}123{NBSP}000{NBSP}€ contre 512{NBSP}300{NBSP}€"
    )
    assert "(× 10 environ) : un zéro de trop ?" in unite.message


# --- D-UNITE ---


def test_a_budget_typed_in_thousands_is_a_unit_error(descriptions):
    lignes = [ligne("a", precedentes={"F04": 512_300, "F02": 510_000}, F04=512.3, F02=510.0)]
    detections = detecter(tableau(lignes), descriptions=descriptions)
    unite = next(d for d in detections if d.code == "D-UNITE" and d.questions == ("F04",))
    assert unite.details["facteur"] == 1000 and unite.details["reference"] == "an_dernier"
    assert "(÷ 1" in unite.message and "le montant a sans doute été saisi en milliers d'euros." in unite.message


def test_without_last_year_a_unit_error_is_found_against_the_peers(descriptions):
    lignes = pairs() + [ligne("nouvelle", precedentes={}, F04=505.0, F02=500.0, F03=350.0)]
    detections = detecter(tableau(lignes), descriptions=descriptions)
    unite = next(d for d in detections if d.cle == "nouvelle" and d.code == "D-UNITE" and d.questions == ("F04",))
    assert unite.details["reference"] == "pairs" and unite.details["facteur"] == 1000
    assert "environ 1" in unite.message and "fois moins que la médiane des structures comparables" in unite.message


# --- D-PAIRS ---


def test_robust_outliers_among_peers_are_flagged_with_the_peer_median(descriptions):
    lignes = pairs() + [ligne("atypique", precedentes={"F04": 505_000}, E02=60.0, E01=70)]
    detections = detecter(tableau(lignes), descriptions=descriptions)
    pair = next(d for d in detections if d.cle == "atypique" and d.code == "D-PAIRS" and d.questions == ("E02",))
    assert pair.gravite == "information" and pair.details["z"] > 3.5 and pair.details["n"] == 31
    assert pair.message.startswith("Le nombre d'ETP salariés (E02 = 60) est très au-dessus de la médiane des")
    assert "centres sociaux urbains de taille moyenne" in pair.message
    assert not [d for d in detections if d.cle.startswith("p") and d.code == "D-PAIRS"]


def test_peers_are_skipped_when_the_group_is_too_small(descriptions):
    lignes = pairs(10) + [ligne("atypique", precedentes={"F04": 505_000}, E02=60.0, E01=70)]
    detections = detecter(tableau(lignes), descriptions=descriptions)
    assert not [d for d in detections if d.code == "D-PAIRS"]
    assert [d for d in detecter(tableau(lignes), Seuils(taille_min_groupe=5)) if d.code == "D-PAIRS"]


# --- D-RATIO ---


@pytest.mark.parametrize(
    ("valeurs", "ratio", "extrait"),
    [
        ({"F03": 100_000, "E02": 10.0}, "cout_etp", f"Le coût moyen d'un ETP (F03 / E02) est de 10{NBSP}000{NBSP}€"),
        ({"D04": 30_000, "D03": 30}, "heures_benevole", "Le nombre d'heures par bénévole (D04 / D03) est de 1"),
        ({"E02": 20.0, "E01": 10}, "etp_par_salarie", "Le nombre d'ETP par salarié (E02 / E01) est de 2, hors de"),
        (
            {"F03": 600_000, "F02": 500_000},
            "part_personnel",
            "La part des charges de personnel (F03 / F02) est de 120 %",
        ),
    ],
)
def test_internal_ratios_out_of_range_are_flagged(descriptions, valeurs, ratio, extrait):
    detections = detecter(tableau([ligne("a", **valeurs)]), descriptions=descriptions)
    d = next(d for d in detections if d.code == "D-RATIO" and d.details["ratio"] == ratio)
    assert d.message.startswith(extrait)
    assert "hors de la fourchette habituelle" in d.message


def test_ratio_thresholds_follow_the_setting():
    seuils = Seuils(ratios=(Ratio("cout_etp", "F03", "E02", 5_000, None, "information", "Le coût", "€"),))
    detections = detecter(tableau([ligne("a", F03=100_000, E02=10.0)], seuils), seuils)
    assert not [d for d in detections if d.code == "D-RATIO"]


# --- Dédoublonnage ---


def _d(cle, code, questions, **details):
    return Detection(cle, code, "avertissement", tuple(questions), code, details)


def test_a_unit_error_silences_the_change_and_peer_outlier_on_the_same_question():
    detections = [
        _d(1, "D-UNITE", ["H01"]),
        _d(1, "D-EVOL", ["H01"]),
        _d(1, "D-PAIRS", ["H01"]),
        _d(1, "D-EVOL", ["D03"]),
    ]
    assert [(d.code, d.questions) for d in retenir(detections)] == [("D-EVOL", ("D03",)), ("D-UNITE", ("H01",))]


def test_a_rule_on_the_same_questions_silences_change_and_ratio_detectors():
    detections = [
        _d(1, "D-EVOL", ["F04"]),
        _d(1, "D-RATIO", ["F03", "E02"]),
        _d(1, "D-UNITE", ["E02"]),
        _d(2, "D-EVOL", ["F04"]),
    ]
    retenues = retenir(detections, {1: [("F04",), ("E02", "F03")]})
    assert [(d.cle, d.code) for d in retenues] == [(1, "D-UNITE"), (2, "D-EVOL")]


def test_funding_lines_with_the_same_unit_error_are_named_in_the_total():
    detections = [
        _d(1, "D-UNITE", ["F04"], facteur=1000, rapport=0.001, reference="an_dernier"),
        _d(1, "D-UNITE", ["F11"], facteur=1000, rapport=0.001, reference="an_dernier"),
        _d(1, "D-UNITE", ["F18"], facteur=10, rapport=10.0, reference="an_dernier"),
    ]
    retenues = retenir(detections)
    assert [(d.questions, d.details.get("memes_ecarts")) for d in retenues] == [(("F04",), ["F11"]), (("F18",), None)]
    assert retenues[0].message.endswith("Même écart pour F11.")


# --- Mise en forme et lecture ---


def test_changes_are_written_in_french():
    assert variation(10) == "× 10,0"
    assert variation(0.25) == "÷ 4,0"
    assert variation(1.62) == "+ 62 %"
    assert variation(0.6) == "− 40 %"
    assert variation(0) == "− 100 %"


def test_stored_answers_are_read_as_numbers():
    assert nombre(1234) == 1234.0
    assert nombre("1 234,5") == 1234.5
    assert nombre(True) is None and nombre("abc") is None and nombre(None) is None and nombre([1]) is None


def test_nothing_is_detected_on_an_empty_table():
    assert detecter(tableau([])) == []


# --- Réponses synthétiques et mesure de la qualité ---


def test_synthetic_clean_responses_respect_the_questionnaire_rules(questionnaire):
    jeu = generer(200, graine=3)
    avec_anomalie = [
        r.structure.identifiant
        for r in jeu.reponses
        if anomalies(
            questionnaire, r.valeurs, r.precedentes, public=r.structure.type, departement=r.structure.departement
        )
    ]
    assert len(avec_anomalie) <= 4, avec_anomalie  # 2 % au plus (variations d'une année sur l'autre)


def test_synthetic_generation_is_deterministic_and_plants_each_kind():
    a = generer(50, graine=9, erreurs=dict.fromkeys(GENRES, 2))
    b = generer(50, graine=9, erreurs=dict.fromkeys(GENRES, 2))
    assert a == b
    assert sorted(e.genre for e in a.plantees) == sorted(GENRES * 2)


def test_recall_and_false_alarm_rate_are_measured():
    plantees = [{"structure": "A", "type": "budget", "questions": ["F04"]}, {"structure": "B", "type": "budget"}]
    signaux = {
        "A": [Signal(("F02",), "avertissement")],  # mauvaise question : manquée
        "B": [Signal(("E01",), "bloquant")],  # sans questions connues : toute anomalie compte
        "C": [Signal(("H01",), "information")],  # réponse propre signalée : fausse alerte
    }
    q = mesurer(plantees, signaux, ["A", "B", "C", "D"])
    assert q.par_genre == {"budget": (1, 2)} and q.rappel == 0.5
    assert (q.propres, q.fausses_alertes, q.taux_fausses_alertes) == (2, 1, 0.5)
