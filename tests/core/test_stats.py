"""Cœur statistique : chiffres calculés à la main, dénominateurs, non-réponse, export open data."""

import csv
import random

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.secret import Politique, proteger
from core.stats import (
    COLONNES_OUVERTES,
    ErreurDonnees,
    QuestionStat,
    Territoires,
    calculer_statistiques,
    vers_csv_ouvert,
)
from core.stats.modele import COLONNES_BASE, dtype_attendu
from tests.core.stats_naif import calculer_statistiques_naif

QUESTIONS = [
    QuestionStat("B1", "nombre", libelle="Budget"),
    QuestionStat("C1", "choix_unique", ("a", "b", "c")),
    QuestionStat("M1", "choix_multiple", ("x", "y")),
    QuestionStat("O1", "oui_non", sensible=True),
]
ZONES = {"69": ("69-A", "69-R")}


def cadre(lignes: list[dict], questions=QUESTIONS) -> pl.DataFrame:
    schema = {
        "structure": pl.Int64,
        "type": pl.Utf8,
        "departement": pl.Utf8,
        "region": pl.Utf8,
        "zone": pl.Utf8,
        "gestionnaire": pl.Utf8,
    } | {q.code: dtype_attendu(q) for q in questions}
    return pl.DataFrame([{k: ligne.get(k) for k in schema} for ligne in lignes], schema=schema)


def attendus_de(micro: pl.DataFrame, *autres: dict) -> pl.DataFrame:
    base = micro.select("structure", "type", "departement", "region", "zone")
    if not autres:
        return base
    return pl.concat([base, cadre(list(autres)).select(base.columns)])


LIEU_01 = dict(departement="01", region="84")
LIEU_69 = dict(departement="69", region="84")
REPONDANTS = [
    dict(structure=1, type="CS", gestionnaire="g1", B1=10.0, C1="a", M1=["x", "y"], O1=True) | LIEU_01,
    dict(structure=2, type="CS", gestionnaire="g2", B1=None, C1="b", M1=[], O1=False) | LIEU_01,
    dict(structure=3, type="EVS", gestionnaire="g3", B1=30.0, C1=None, M1=None, O1=None) | LIEU_01,
    dict(structure=4, type="CS", zone="69-A", gestionnaire="g4", B1=40.0, C1="a", M1=["x", "y"], O1=True) | LIEU_69,
    dict(structure=5, type="EVS", zone="69-R", gestionnaire="g4", B1=20.0, C1="a", M1=["y"], O1=True) | LIEU_69,
]
NON_REPONDANTE = dict(structure=6, type="EVS", departement="01", region="84")


@pytest.fixture
def cellules() -> pl.DataFrame:
    micro = cadre(REPONDANTS)
    return calculer_statistiques(micro, attendus_de(micro, NON_REPONDANTE), QUESTIONS, campagne="2025", zones=ZONES)


def valeur(cellules, territoire, public, question, statistique, modalite=""):
    ligne = cellules.filter(
        (pl.col("territoire") == territoire)
        & (pl.col("public") == public)
        & (pl.col("question") == question)
        & (pl.col("statistique") == statistique)
        & (pl.col("modalite") == modalite)
    )
    assert ligne.height == 1, (territoire, public, question, statistique, modalite)
    return ligne.row(0, named=True)


def test_it_computes_sums_means_medians_and_quartiles_by_hand(cellules):
    # Valeurs nationales : 10, 30, 40, 20 (la structure 2 n'a pas répondu).
    assert valeur(cellules, "FR", "ensemble", "B1", "somme")["valeur"] == 100.0
    assert valeur(cellules, "FR", "ensemble", "B1", "moyenne")["valeur"] == 25.0
    assert valeur(cellules, "FR", "ensemble", "B1", "mediane")["valeur"] == 25.0
    assert valeur(cellules, "FR", "ensemble", "B1", "q1")["valeur"] == pytest.approx(17.5)  # 10 + 0,75 × 10
    assert valeur(cellules, "FR", "ensemble", "B1", "q3")["valeur"] == pytest.approx(32.5)  # 30 + 0,25 × 10
    assert valeur(cellules, "FR", "CS", "B1", "somme")["valeur"] == 50.0
    assert valeur(cellules, "FR", "EVS", "B1", "moyenne")["valeur"] == 25.0
    assert valeur(cellules, "01", "CS", "B1", "moyenne")["valeur"] == 10.0
    assert valeur(cellules, "69-A", "ensemble", "B1", "somme")["valeur"] == 40.0


def test_missing_answers_are_not_zeros(cellules):
    rep = valeur(cellules, "01", "CS", "B1", "repondants")
    assert rep["valeur"] == 1.0  # la structure 2 n'a pas répondu à B1 : hors du dénominateur
    assert valeur(cellules, "01", "CS", "B1", "moyenne")["valeur"] == 10.0  # et non 5
    assert valeur(cellules, "01", "CS", "B1", "mediane")["valeur"] == 10.0
    # Une structure qui n'a pas répondu à C1 n'entre pas dans les parts.
    assert valeur(cellules, "01", "ensemble", "C1", "repondants")["valeur"] == 2.0
    assert valeur(cellules, "01", "ensemble", "C1", "part", "a")["valeur"] == 50.0


def test_multiple_choice_counts_every_respondent_who_selected_each_choice(cellules):
    # M1 : 1 → x, y ; 2 → rien (répondu, liste vide) ; 4 → x, y ; 5 → y.
    assert valeur(cellules, "FR", "ensemble", "M1", "repondants")["valeur"] == 4.0
    assert valeur(cellules, "FR", "ensemble", "M1", "effectif", "x")["valeur"] == 2.0
    assert valeur(cellules, "FR", "ensemble", "M1", "effectif", "y")["valeur"] == 3.0
    assert valeur(cellules, "FR", "ensemble", "M1", "part", "x")["valeur"] == 50.0
    assert valeur(cellules, "FR", "ensemble", "M1", "part", "y")["valeur"] == 75.0  # les parts ne somment pas à 100


def test_single_choice_and_yes_no_shares_use_the_question_respondents(cellules):
    assert valeur(cellules, "FR", "ensemble", "C1", "effectif", "a")["valeur"] == 3.0
    assert valeur(cellules, "FR", "ensemble", "C1", "part", "a")["valeur"] == 75.0
    assert valeur(cellules, "FR", "ensemble", "C1", "part", "c")["valeur"] == 0.0
    assert valeur(cellules, "FR", "ensemble", "O1", "effectif", "oui")["valeur"] == 3.0
    assert valeur(cellules, "FR", "ensemble", "O1", "effectif", "non")["valeur"] == 1.0
    assert valeur(cellules, "FR", "ensemble", "O1", "part", "non")["valeur"] == 25.0
    part = valeur(cellules, "FR", "ensemble", "C1", "part", "b")
    assert part["denominateur"] == 4 and part["valeur"] == 25.0


def test_campaign_counts_include_expected_structures_that_did_not_answer(cellules):
    assert valeur(cellules, "FR", "ensemble", "*", "attendus")["valeur"] == 6.0
    assert valeur(cellules, "FR", "ensemble", "*", "repondants")["valeur"] == 5.0
    assert valeur(cellules, "01", "EVS", "*", "attendus")["valeur"] == 2.0
    assert valeur(cellules, "01", "EVS", "*", "repondants")["valeur"] == 1.0


def test_structures_of_one_gestionnaire_count_as_one_contributor(cellules):
    nation = valeur(cellules, "FR", "ensemble", "B1", "somme")
    # g4 gère les structures 4 (40) et 5 (20) : une contribution de 60.
    assert nation["n"] == 4
    assert nation["n_contrib"] == 3
    assert (nation["x1"], nation["x2"], nation["total_abs"]) == (60.0, 30.0, 100.0)
    assert valeur(cellules, "69", "ensemble", "B1", "repondants")["contributeur_unique"] == "g4"


def test_every_territory_public_and_question_has_its_cells(cellules):
    territoires = set(cellules["territoire"].unique())
    assert territoires == {"FR", "84", "01", "69", "69-A", "69-R"}
    par_groupe = cellules.group_by("territoire", "public").len()
    assert par_groupe["len"].n_unique() == 1  # même grille partout
    assert set(cellules["statistique"].unique()) <= {
        "attendus", "repondants", "somme", "moyenne", "mediane", "q1", "q3", "effectif", "part"
    }  # fmt: skip
    # Parent : code du niveau au-dessus, vide pour la nation.
    parents = dict(cellules.select("territoire", "parent").unique().iter_rows())
    assert parents == {"FR": "", "84": "FR", "01": "84", "69": "84", "69-A": "69", "69-R": "69"}
    # Zone sans répondant EVS : moyenne et quantiles indéfinis, somme nulle.
    assert valeur(cellules, "69-A", "EVS", "B1", "somme")["valeur"] == 0.0
    assert valeur(cellules, "69-A", "EVS", "B1", "moyenne")["valeur"] is None


def test_it_matches_the_naive_computation(cellules):
    micro = cadre(REPONDANTS)
    naif = calculer_statistiques_naif(
        micro, attendus_de(micro, NON_REPONDANTE), QUESTIONS, campagne="2025", zones=ZONES
    )
    _meme_resultat(cellules, naif)


def _meme_resultat(cellules: pl.DataFrame, naif: pl.DataFrame) -> None:
    cle = ["niveau", "territoire", "public", "question", "statistique", "modalite"]
    assert cellules.height == naif.height
    j = cellules.join(naif, on=cle, suffix="_naif")
    assert j.height == cellules.height
    for col in ("valeur", "n", "n_contrib", "x1", "x2", "total_abs", "denominateur"):
        a, b = j[col], j[f"{col}_naif"]
        if a.dtype == pl.Float64:
            ecart = ((a - b).abs() > 1e-9 * (1 + b.abs())).fill_null(False) | (a.is_null() != b.is_null())
        else:
            ecart = a.ne_missing(b)
        assert not ecart.any(), j.filter(ecart).select(*cle, col, f"{col}_naif").head()


def _campagne_aleatoire(graine: int, n: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    rnd = random.Random(graine)
    lignes = []
    for s in range(1, n + 1):
        dep = rnd.choice(["01", "38", "69", "75"])
        lignes.append(
            dict(
                structure=s,
                type=rnd.choice(["CS", "EVS"]),
                departement=dep,
                region="11" if dep == "75" else "84",
                zone=rnd.choice(ZONES["69"]) if dep == "69" else None,
                gestionnaire=rnd.choice([None, f"g{rnd.randint(1, 5)}", f"a{s}"]),
                B1=rnd.choice([None, 0.0, round(rnd.lognormvariate(8, 1), 2), -rnd.random() * 10]),
                C1=rnd.choice([None, "a", "b", "c"]),
                M1=rnd.choice([None, [], ["x"], ["y"], ["x", "y"]]),
                O1=rnd.choice([None, True, False]),
            )
        )
    micro = cadre(lignes)
    return micro, attendus_de(micro, dict(structure=n + 1, type="CS", departement="38", region="84"))


def test_it_matches_the_naive_computation_on_a_random_campaign():
    micro, attendus = _campagne_aleatoire(7, 60)
    kwargs = dict(campagne="2025", zones=ZONES)
    _meme_resultat(
        calculer_statistiques(micro, attendus, QUESTIONS, **kwargs),
        calculer_statistiques_naif(micro, attendus, QUESTIONS, **kwargs),
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graine=st.integers(0, 10_000), n=st.integers(1, 25))
def test_vectorised_and_naive_computations_always_agree(graine, n):
    micro, attendus = _campagne_aleatoire(graine, n)
    kwargs = dict(campagne="2025", zones=ZONES if "69" in attendus["departement"].to_list() else None)
    _meme_resultat(
        calculer_statistiques(micro, attendus, QUESTIONS, **kwargs),
        calculer_statistiques_naif(micro, attendus, QUESTIONS, **kwargs),
    )


def test_it_rejects_inputs_that_break_the_contract():
    micro = cadre(REPONDANTS)
    with pytest.raises(ErreurDonnees, match="absente"):
        calculer_statistiques(micro, attendus_de(micro).head(3), QUESTIONS, campagne="2025", zones=ZONES)
    mauvais = micro.with_columns(C1=pl.Series(["a", "z", None, "a", "a"]))
    with pytest.raises(ErreurDonnees, match="modalités non déclarées"):
        calculer_statistiques(mauvais, attendus_de(mauvais), QUESTIONS, campagne="2025", zones=ZONES)
    sans_zone = micro.with_columns(zone=pl.lit(None, dtype=pl.Utf8))
    with pytest.raises(ErreurDonnees, match="sans zone"):
        calculer_statistiques(sans_zone, attendus_de(sans_zone), QUESTIONS, campagne="2025", zones=ZONES)
    entier = micro.with_columns(pl.col("B1").cast(pl.Int64))
    with pytest.raises(ErreurDonnees, match="type"):
        calculer_statistiques(entier, attendus_de(entier), QUESTIONS, campagne="2025", zones=ZONES)
    assert set(COLONNES_BASE) <= set(micro.columns)


def test_territories_come_from_expected_structures_with_the_declared_zones():
    micro = cadre(REPONDANTS)
    t = Territoires.depuis_donnees(attendus_de(micro, NON_REPONDANTE), micro, ZONES)
    assert t.regions == {"84": ("01", "69")}
    assert t.zones == {"69": ("69-A", "69-R")}
    with pytest.raises(ErreurDonnees):
        Territoires(regions={"84": ("01",), "11": ("01",)})
    complet = Territoires.referentiel(ZONES)
    assert len(complet.regions) == 18 and sum(len(d) for d in complet.regions.values()) == 101


def test_territories_without_any_structure_get_empty_published_cells():
    micro = cadre(REPONDANTS)
    cellules = calculer_statistiques(
        micro, attendus_de(micro), QUESTIONS, campagne="2025", territoires=Territoires.referentiel(ZONES)
    )
    assert cellules.select("niveau", "territoire").n_unique() == 1 + 18 + 101 + 2
    assert valeur(cellules, "29", "ensemble", "*", "attendus")["valeur"] == 0.0
    assert valeur(cellules, "29", "ensemble", "B1", "somme")["valeur"] == 0.0
    assert valeur(cellules, "29", "ensemble", "B1", "moyenne")["valeur"] is None


def test_open_data_csv_has_exactly_the_schema_columns_and_fixed_precision(cellules, tmp_path):
    protegees = proteger(cellules, QUESTIONS, (), Politique()).cellules
    chemin = tmp_path / "agregats.csv"
    n = vers_csv_ouvert(protegees, chemin)
    texte = chemin.read_text(encoding="utf-8")
    assert not texte.startswith("\ufeff")
    lignes = list(csv.DictReader(texte.splitlines()))
    assert n == len(lignes) == cellules.height
    assert list(lignes[0]) == list(COLONNES_OUVERTES)
    assert {ligne["statut"] for ligne in lignes} <= {"publie", "secret", "sans_objet"}
    for ligne in lignes:
        if ligne["statut"] != "publie":
            assert ligne["valeur"] == ""
        elif ligne["statistique"] in ("attendus", "repondants", "effectif"):
            assert ligne["valeur"].lstrip("-").isdigit()
        elif ligne["statistique"] == "part":
            assert len(ligne["valeur"].split(".")[1]) == 1
        else:
            assert len(ligne["valeur"].split(".")[1]) == 2
    nation = next(
        ligne
        for ligne in lignes
        if ligne["territoire"] == "FR" and ligne["public"] == "ensemble" and ligne["statistique"] == "attendus"
    )
    assert nation == {
        "campagne": "2025",
        "niveau": "nation",
        "territoire": "FR",
        "parent": "",
        "public": "ensemble",
        "question": "*",
        "statistique": "attendus",
        "modalite": "",
        "valeur": "6",
        "statut": "publie",
    }
    # Aucune colonne interne, aucun motif (primaire ou secondaire) ne sort.
    assert "primaire" not in texte and "secondaire" not in texte and "g4" not in texte


def test_the_export_refuses_an_unprotected_table(cellules, tmp_path):
    with pytest.raises(ValueError, match="secret statistique"):
        vers_csv_ouvert(cellules, tmp_path / "x.csv")


def test_empty_fields_are_written_empty_not_quoted(cellules, tmp_path):
    protegees = proteger(cellules, QUESTIONS, (), Politique()).cellules
    chemin = tmp_path / "agregats.csv"
    vers_csv_ouvert(protegees, chemin)
    lignes = chemin.read_text(encoding="utf-8").splitlines()
    assert lignes[1] == "2025,nation,FR,,CS,*,attendus,,3,publie"
    assert '""' not in "\n".join(lignes)
