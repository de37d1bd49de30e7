"""Secret secondaire : les attaques classiques par différence, repérées par l'audit avant le secret
secondaire et déjouées après."""

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.secret import Politique, appliquer_regles_primaires, auditer, proteger
from core.stats import QuestionStat, Relation, calculer_statistiques
from core.stats.modele import dtype_attendu

B1 = QuestionStat("B1", "nombre")
O1 = QuestionStat("O1", "oui_non", sensible=True)
FINANCEMENT = [QuestionStat(c, "nombre") for c in ("F04", "F06", "F07", "F08")]
BUDGET = Relation(total="F04", composantes=("F06", "F07", "F08"))


def campagne(structures: list[dict], questions: list[QuestionStat]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Microdonnées (toutes répondantes) et attendus à partir de dictionnaires par structure."""
    schema = {
        "structure": pl.Int64,
        "type": pl.Utf8,
        "departement": pl.Utf8,
        "region": pl.Utf8,
        "zone": pl.Utf8,
        "gestionnaire": pl.Utf8,
    } | {q.code: dtype_attendu(q) for q in questions}
    lignes = []
    for i, s in enumerate(structures, start=1):
        ligne = {"structure": i, "type": "CS", "region": "84", "zone": None, "gestionnaire": f"g{i}"} | s
        lignes.append({k: ligne.get(k) for k in schema})
    micro = pl.DataFrame(lignes, schema=schema)
    return micro, micro.select("structure", "type", "departement", "region", "zone")


def cellules_de(structures, questions, zones=None) -> pl.DataFrame:
    micro, attendus = campagne(structures, questions)
    return calculer_statistiques(micro, attendus, questions, campagne="2025", zones=zones)


def dep(code: str, valeurs, **autres) -> list[dict]:
    return [{"departement": code, "B1": float(v)} | autres for v in valeurs]


def statut(cellules, territoire, question="B1", statistique="somme", public="CS", modalite=""):
    ligne = cellules.filter(
        (pl.col("territoire") == territoire)
        & (pl.col("public") == public)
        & (pl.col("question") == question)
        & (pl.col("statistique") == statistique)
        & (pl.col("modalite") == modalite)
    )
    assert ligne.height == 1
    return ligne["statut"][0]


def exposees(rapport) -> set[tuple[str, str, str, str]]:
    return {
        (r["territoire"], r["public"], r["question"], r["modalite"]) for r in rapport.exposees.iter_rows(named=True)
    }


def verifier_protection(cellules, questions, relations=()):
    pol = Politique()
    resultat = proteger(cellules, questions, relations, pol)
    assert resultat.ok
    rapport = auditer(resultat.cellules, questions, relations, pol)
    assert rapport.ok, (rapport.resume(), rapport.exposees, rapport.violations_primaires)
    return resultat.cellules


def test_a_hidden_department_is_recovered_as_region_minus_the_others_before_secondary_suppression():
    structures = dep("01", [100, 120]) + dep("38", [200, 210, 190, 230, 205]) + dep("69", [300, 310, 290, 280, 320])
    cellules = cellules_de(structures, [B1])
    primaires = appliquer_regles_primaires(cellules, [B1])
    assert statut(primaires, "01") == "secret" and statut(primaires, "84") == "publie"
    avant = auditer(primaires, [B1])
    assert not avant.ok
    assert ("01", "CS", "B1", "") in exposees(avant)
    ligne = avant.exposees.filter((pl.col("territoire") == "01") & (pl.col("public") == "CS")).row(0, named=True)
    assert ligne["min"] == ligne["max"] == 220.0  # région − 38 − 69 : retrouvée exactement

    apres = verifier_protection(cellules, [B1])
    assert statut(apres, "01") == "secret"
    assert "secret" in {statut(apres, t) for t in ("38", "69", "84")}  # un complément au moins
    assert statut(apres, "01", statistique="moyenne") == "secret"


def test_two_tiny_departments_cannot_protect_each_other():
    structures = (
        dep("01", [100], gestionnaire="seul-01")
        + dep("07", [120], gestionnaire="seul-07")
        + dep("38", [200, 210, 190, 230, 205])
        + dep("69", [300, 310, 290, 280, 320])
    )
    cellules = cellules_de(structures, [B1])
    primaires = appliquer_regles_primaires(cellules, [B1])
    assert statut(primaires, "01") == statut(primaires, "07") == "secret"
    # Vu de l'extérieur, la paire se protège : 01 + 07 = 220 est connu, pas chacun.
    assert auditer(primaires, [B1], initie=False).ok
    # Mais chacun connaît sa propre valeur : l'initié 01 retrouve 07, et réciproquement.
    avec_inities = auditer(primaires, [B1])
    assert not avec_inities.ok
    scenarios = set(avec_inities.exposees["scenario"].to_list())
    assert {"initie:seul-01", "initie:seul-07"} <= scenarios

    apres = verifier_protection(cellules, [B1])
    assert statut(apres, "01") == statut(apres, "07") == "secret"
    assert "secret" in {statut(apres, t) for t in ("38", "69", "84")}


def test_a_breakdown_where_all_respondents_chose_the_same_answer_is_protected():
    structures = (
        [{"departement": "01", "O1": True}] * 6
        + [{"departement": "38", "O1": v} for v in [True, False, True, False, True, False, True]]
        + [{"departement": "69", "O1": v} for v in [False, False, True, True, False, True, False]]
    )
    cellules = cellules_de(structures, [O1])
    primaires = appliquer_regles_primaires(cellules, [O1])
    assert statut(primaires, "01", "O1", "effectif", modalite="oui") == "secret"
    assert statut(primaires, "01", "O1", "effectif", modalite="non") == "publie"  # 0 : pas primaire
    avant = auditer(primaires, [O1])
    assert ("01", "CS", "O1", "oui") in exposees(avant)  # oui = répondants (publiés) − non (0)

    apres = verifier_protection(cellules, [O1])
    # Il faut de l'ambiguïté dans les zéros : « non » est masqué aussi.
    assert statut(apres, "01", "O1", "effectif", modalite="non") == "secret"
    assert statut(apres, "01", "O1", "part", modalite="oui") == "secret"
    assert statut(apres, "01", "O1", "repondants") == "publie"
    rapport = auditer(apres, [O1], intervalles_exacts=True)
    oui = rapport.cachees.filter(
        (pl.col("territoire") == "01") & (pl.col("public") == "CS") & (pl.col("modalite") == "oui")
    ).row(0, named=True)
    assert oui["min"] <= 5.0  # l'attaquant ne peut pas conclure que tous ont répondu oui


def test_a_zone_is_recovered_as_department_minus_the_other_zones():
    zones = {"69": ("69-A", "69-B", "69-R")}
    structures = (
        dep("69", [100, 110], zone="69-A")
        + dep("69", [200, 210, 190, 230, 205], zone="69-B")
        + dep("69", [300, 310, 290, 280, 320], zone="69-R")
        + dep("38", [150, 160, 170, 180])
    )
    cellules = cellules_de(structures, [B1], zones)
    primaires = appliquer_regles_primaires(cellules, [B1])
    assert statut(primaires, "69-A") == "secret" and statut(primaires, "69") == "publie"
    avant = auditer(primaires, [B1])
    assert ("69-A", "CS", "B1", "") in exposees(avant)

    apres = verifier_protection(cellules, [B1])
    assert statut(apres, "69-A") == "secret"
    assert "secret" in {statut(apres, t) for t in ("69-B", "69-R", "69")}


def test_ensemble_minus_evs_does_not_reveal_a_hidden_cs_cell():
    structures = (
        dep("01", [100, 120])
        + dep("01", [50, 60, 55, 65, 70], type="EVS")
        + dep("38", [200, 210, 190, 230, 205])
        + dep("38", [40, 45, 50, 55, 60], type="EVS")
    )
    cellules = cellules_de(structures, [B1])
    primaires = appliquer_regles_primaires(cellules, [B1])
    assert statut(primaires, "01") == "secret"
    assert statut(primaires, "01", public="ensemble") == statut(primaires, "01", public="EVS") == "publie"
    avant = auditer(primaires, [B1])
    assert ("01", "CS", "B1", "") in exposees(avant)  # ensemble − EVS

    apres = verifier_protection(cellules, [B1])
    assert statut(apres, "01") == "secret"
    assert "secret" in {statut(apres, "01", public="ensemble"), statut(apres, "01", public="EVS")}


def test_a_funding_line_is_not_recovered_from_the_budget_total():
    def structure(dep_, f06, f07, f08):
        return {"departement": dep_, "F06": f06, "F07": f07, "F08": f08, "F04": f06 + f07 + f08}

    structures = [
        structure("01", 90_000.0, 10_000.0, 5_000.0),
        structure("01", 0.0, 20_000.0, 6_000.0),
        structure("01", 0.0, 15_000.0, 7_000.0),
        structure("01", 0.0, 18_000.0, 9_000.0),
        structure("38", 100_000.0, 10_000.0, 5_000.0),
        structure("38", 0.0, 12_000.0, 6_000.0),
        structure("38", 0.0, 15_000.0, 7_000.0),
        structure("38", 0.0, 11_000.0, 8_000.0),
    ]
    cellules = cellules_de(structures, FINANCEMENT)
    primaires = appliquer_regles_primaires(cellules, FINANCEMENT)
    # Dominance dans les deux départements : ils se protègent l'un l'autre dans la région…
    assert statut(primaires, "01", "F06") == statut(primaires, "38", "F06") == "secret"
    assert all(statut(primaires, "01", q) == "publie" for q in ("F04", "F07", "F08"))
    assert auditer(primaires, FINANCEMENT).ok
    avant = auditer(primaires, FINANCEMENT, [BUDGET])
    assert ("01", "CS", "F06", "") in exposees(avant)  # … avec : F06 = F04 − F07 − F08

    apres = verifier_protection(cellules, FINANCEMENT, [BUDGET])
    assert statut(apres, "01", "F06") == "secret"
    lignes = {statut(apres, t, q) for t in ("01", "38", "84") for q in ("F04", "F07", "F08")}
    assert "secret" in lignes


def test_a_frozen_pattern_stays_suppressed():
    structures = dep("01", [100, 120, 130, 140]) + dep("38", [200, 210, 190, 230, 205])
    cellules = cellules_de(structures, [B1])
    gel = pl.DataFrame(
        {
            "niveau": ["departement", "departement"],
            "territoire": ["38", "38"],
            "public": ["CS", "CS"],
            "question": ["B1", "B1"],
            "statistique": ["moyenne", "mediane"],
            "modalite": ["", ""],
        }
    )
    sans_gel = proteger(cellules, [B1]).cellules
    assert statut(sans_gel, "38") == "publie"
    gele = proteger(cellules, [B1], gel=gel).cellules
    assert statut(gele, "38") == "secret"  # la moyenne gelée entraîne sa somme
    assert statut(gele, "38", statistique="moyenne") == "secret"
    assert statut(gele, "38", statistique="mediane") == "secret"
    assert auditer(gele, [B1]).ok


# --- Propriété : sur des hiérarchies aléatoires, le secret secondaire passe toujours l'audit. ---

CHOIX = QuestionStat("C1", "choix_unique", ("a", "b", "c"))


@st.composite
def hierarchies(draw):
    structures = []
    zones: dict[str, tuple[str, ...]] = {}
    n_regions = draw(st.integers(1, 2))
    for r in range(n_regions):
        region = ["84", "11"][r]
        for d in range(draw(st.integers(1, 4))):
            code = f"{region}{d}"
            avec_zones = draw(st.booleans()) and d == 0
            if avec_zones:
                zones[code] = (f"{code}-A", f"{code}-R")
            for _ in range(draw(st.integers(1, 7))):
                zone = draw(st.sampled_from(zones[code])) if avec_zones else None
                f06 = draw(st.sampled_from([0.0, 10.0, 1_000.0, 50_000.0]))
                f07 = draw(st.floats(0, 100_000).map(lambda x: round(x, 2)))
                structures.append(
                    {
                        "departement": code,
                        "region": region,
                        "zone": zone,
                        "type": draw(st.sampled_from(["CS", "EVS"])),
                        "gestionnaire": draw(st.sampled_from(["commune", None, None, None])),
                        "B1": draw(st.one_of(st.none(), st.floats(0, 1e6).map(lambda x: round(x, 2)))),
                        "F06": f06,
                        "F07": f07,
                        "F08": 0.0,
                        "F04": f06 + f07,
                        "O1": draw(st.one_of(st.none(), st.booleans())),
                        "C1": draw(st.sampled_from([None, "a", "a", "b", "c"])),
                    }
                )
    for i, s in enumerate(structures):
        if s["gestionnaire"] is None:
            s["gestionnaire"] = f"g{i}"
    return structures, zones


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hierarchies())
def test_after_suppression_the_audit_always_passes(donnees):
    structures, zones = donnees
    questions = [B1, O1, CHOIX, *FINANCEMENT]
    cellules = cellules_de(structures, questions, zones)
    protegees = verifier_protection(cellules, questions, [BUDGET])
    # Statuts cohérents : moyenne ⇔ somme, part ⇔ effectif ; jamais de valeur pour une cellule secrète.
    assert protegees.filter((pl.col("statut") != "publie") & pl.col("valeur").is_not_null()).height == 0
