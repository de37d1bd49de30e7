"""Secret primaire : chaque règle, sur des cas du Manuel de contrôle de la divulgation."""

import polars as pl
import pytest

from core.secret import Politique, appliquer_regles_primaires
from core.stats import QuestionStat, calculer_statistiques
from core.stats.modele import dtype_attendu

QUESTIONS = [
    QuestionStat("B1", "nombre"),
    QuestionStat("C1", "choix_unique", ("a", "b", "c")),
    QuestionStat("O1", "oui_non", sensible=True),
    QuestionStat("M1", "choix_multiple", ("x", "y"), sensible=True),
]


def departement(valeurs=(), gestionnaires=None, *, c1=None, o1=None, m1=None, type_="CS") -> pl.DataFrame:
    """Un département « 01 » (région 84) dont chaque structure répond ; autres questions vides."""
    n = max(len(valeurs), len(c1 or ()), len(o1 or ()), len(m1 or ()))
    schema = {
        "structure": pl.Int64,
        "type": pl.Utf8,
        "departement": pl.Utf8,
        "region": pl.Utf8,
        "zone": pl.Utf8,
        "gestionnaire": pl.Utf8,
    } | {q.code: dtype_attendu(q) for q in QUESTIONS}

    def val(seq, i):
        return seq[i] if seq is not None and i < len(seq) else None

    lignes = [
        {
            "structure": i + 1,
            "type": type_,
            "departement": "01",
            "region": "84",
            "zone": None,
            "gestionnaire": gestionnaires[i] if gestionnaires else f"g{i + 1}",
            "B1": float(valeurs[i]) if i < len(valeurs) else None,
            "C1": val(c1, i),
            "O1": val(o1, i),
            "M1": val(m1, i),
        }
        for i in range(n)
    ]
    return pl.DataFrame(lignes, schema=schema)


def primaire(micro: pl.DataFrame, politique: Politique | None = None) -> pl.DataFrame:
    attendus = micro.select("structure", "type", "departement", "region", "zone")
    cellules = calculer_statistiques(micro, attendus, QUESTIONS, campagne="2025")
    return appliquer_regles_primaires(cellules, QUESTIONS, politique or Politique())


def cellule(cellules, question, statistique, modalite="", territoire="01", public="CS"):
    ligne = cellules.filter(
        (pl.col("territoire") == territoire)
        & (pl.col("public") == public)
        & (pl.col("question") == question)
        & (pl.col("statistique") == statistique)
        & (pl.col("modalite") == modalite)
    )
    assert ligne.height == 1
    return ligne.row(0, named=True)


def test_fewer_than_three_contributors_is_sensitive():
    deux = cellule(primaire(departement([100, 200])), "B1", "somme")
    assert deux["sensible"] and deux["motif"] == "frequence" and deux["statut"] == "secret"
    trois = cellule(primaire(departement([100, 110, 120])), "B1", "somme")
    assert not trois["sensible"] and trois["statut"] == "publie"


def test_an_empty_cell_is_not_sensitive():
    somme = cellule(primaire(departement([100, 110, 120])), "B1", "somme", public="EVS")
    assert somme["valeur_brute"] == 0.0 and not somme["sensible"]


def test_largest_contributor_above_85_percent_is_sensitive():
    domine = cellule(primaire(departement([86, 7, 7])), "B1", "somme")
    assert domine["sensible"] and domine["motif"] == "dominance"
    # 84 % : pas de dominance, et la règle p % est satisfaite (100 − 84 − 6 = 10 ≥ 8,4).
    sain = cellule(primaire(departement([84, 6, 5, 5])), "B1", "somme")
    assert not sain["sensible"]


def test_the_p_percent_rule_follows_the_handbook_examples():
    # Exemple 2 : X = 110 000, x1 = 52 000, x2 = 50 000 est sûr pour p = 10.
    exemple2 = cellule(primaire(departement([52_000, 50_000, 4_000, 4_000])), "B1", "somme")
    assert exemple2["valeur_brute"] == 110_000 and not exemple2["sensible"]
    # Exemple 1 : X = 100 000, x1 = 50 000, x2 = 49 000 : le deuxième estime le premier à 2 % près.
    exemple1 = cellule(primaire(departement([50_000, 49_000, 1_000])), "B1", "somme")
    assert exemple1["sensible"] and exemple1["motif"] == "p_pourcent"
    # Avec un p plus grand, l'exemple 2 devient sensible (p = 20 : 8 000 < 10 400).
    strict = cellule(primaire(departement([52_000, 50_000, 4_000, 4_000]), Politique(p_pourcent=20)), "B1", "somme")
    assert strict["sensible"]


def test_structures_of_one_gestionnaire_are_merged_before_the_rules():
    separes = cellule(primaire(departement([50, 40, 5, 5])), "B1", "somme")
    assert not separes["sensible"]
    # La même commune gère les deux premiers centres : 90 % du total, dominance.
    groupe = cellule(primaire(departement([50, 40, 5, 5], ["commune", "commune", "a3", "a4"])), "B1", "somme")
    assert groupe["n_contrib"] == 3 and groupe["x1"] == 90 and groupe["sensible"] and groupe["motif"] == "dominance"
    # Trois structures, deux gestionnaires : règle de fréquence.
    deux = cellule(primaire(departement([30, 30, 40], ["c", "c", "a"])), "B1", "somme")
    assert deux["sensible"] and deux["motif"] == "frequence"


def test_protection_levels_follow_the_handbook_and_never_fall_below_ten_percent():
    pol = Politique()
    domine = cellule(primaire(departement([990, 5, 5])), "B1", "somme")
    assert domine["upl"] == pytest.approx(100 / 85 * 990 - 1000)  # 164,7 > 10 % de 1 000
    assert domine["lpl"] == pytest.approx(domine["upl"])
    # Exemple 4 : 330 = 300 + 20 + 10 ; la borne haute doit atteindre 352,94 (22,94), mais le
    # plancher de 10 % (33) l'emporte.
    ex4 = cellule(primaire(departement([300, 20, 10])), "B1", "somme")
    assert ex4["motif"] == "dominance"
    assert ex4["upl"] == pytest.approx(max(100 / 85 * 300 - 330, 0.1 * 300 - 10, 33.0))
    # p % : p/100·x1 − (X − x1 − x2).
    p = cellule(primaire(departement([50_000, 49_000, 1_000])), "B1", "somme")
    assert p["upl"] == pytest.approx(max(pol.p_pourcent / 100 * 50_000 - 1_000, 0.1 * 100_000))
    # Fréquence : 10 % de la valeur, au moins une unité.
    f = cellule(primaire(departement([0, 0])), "B1", "somme")
    assert f["sensible"] and f["upl"] == 1.0 and f["lpl"] == 0.0


def test_the_mean_follows_its_sum():
    cellules = primaire(departement([100, 200]))
    assert cellule(cellules, "B1", "moyenne")["statut"] == "secret"
    assert cellule(cellules, "B1", "moyenne")["valeur"] is None
    publie = primaire(departement([100, 110, 120]))
    assert cellule(publie, "B1", "moyenne")["statut"] == "publie"


def test_quantiles_need_ten_structures_and_a_publishable_sum():
    neuf = primaire(departement(range(100, 109)))
    assert cellule(neuf, "B1", "somme")["statut"] == "publie"
    assert cellule(neuf, "B1", "mediane")["statut"] == "secret"
    assert cellule(neuf, "B1", "mediane")["motif"] == "quantiles"
    dix = primaire(departement(range(100, 110)))
    for q in ("mediane", "q1", "q3"):
        assert cellule(dix, "B1", q)["statut"] == "publie"
    domine = primaire(departement([10_000] + [1] * 10))
    assert cellule(domine, "B1", "somme")["statut"] == "secret"
    assert cellule(domine, "B1", "mediane")["statut"] == "secret"


def test_no_breakdown_under_five_respondents():
    quatre = primaire(departement(c1=["a", "a", "a", "b"]))
    for m in ("a", "b", "c"):
        assert cellule(quatre, "C1", "effectif", m)["statut"] == "secret"
        assert cellule(quatre, "C1", "part", m)["statut"] == "secret"
    assert cellule(quatre, "C1", "effectif", "a")["sensible"]  # sinon retrouvé par différence
    assert not cellule(quatre, "C1", "effectif", "c")["sensible"]  # vide
    assert cellule(quatre, "C1", "repondants")["statut"] == "publie"
    cinq = primaire(departement(c1=["a", "a", "a", "b", "b"]))
    assert cellule(cinq, "C1", "effectif", "a")["statut"] == "publie"
    assert cellule(cinq, "C1", "effectif", "b")["motif"] == "frequence"
    assert cellule(cinq, "C1", "part", "b")["statut"] == "secret"  # la part suit son effectif
    assert cellule(cinq, "C1", "effectif", "c")["statut"] == "publie"  # une case vide n'est pas primaire


def test_a_sensitive_breakdown_where_everyone_or_all_but_one_agree_is_sensitive():
    tous = primaire(departement(o1=[True] * 6))
    oui = cellule(tous, "O1", "effectif", "oui")
    assert oui["sensible"] and oui["motif"] == "attribut_groupe"
    assert oui["upl"] == 0.0 and oui["lpl"] >= 1.0  # l'attaquant ne doit pas savoir que tous ont dit oui
    sauf_un = primaire(departement(o1=[True] * 5 + [False]))
    assert cellule(sauf_un, "O1", "effectif", "oui")["motif"] == "attribut_groupe"
    assert cellule(sauf_un, "O1", "effectif", "non")["motif"] == "frequence"
    equilibre = primaire(departement(o1=[True] * 3 + [False] * 3))
    assert not cellule(equilibre, "O1", "effectif", "oui")["sensible"]
    # Question non sensible : l'unanimité se publie.
    unanime = primaire(departement(c1=["a"] * 6))
    assert cellule(unanime, "C1", "effectif", "a")["statut"] == "publie"
    # Choix multiple sensible : une modalité que personne ne coche est aussi un attribut de groupe.
    multiple = primaire(departement(m1=[["x"]] * 6))
    assert cellule(multiple, "M1", "effectif", "x")["motif"] == "attribut_groupe"
    assert cellule(multiple, "M1", "effectif", "y")["motif"] == "attribut_groupe"


def test_campaign_counts_and_question_respondents_are_always_published():
    cellules = primaire(departement([100]))
    for stat in ("attendus", "repondants"):
        assert cellule(cellules, "*", stat)["statut"] == "publie"
    assert cellule(cellules, "B1", "repondants")["statut"] == "publie"
    assert cellule(cellules, "B1", "somme")["statut"] == "secret"


def test_the_p_parameter_is_never_printed():
    assert "p_pourcent" not in repr(Politique())
    assert "p_pourcent" not in repr(Politique(p_pourcent=12.5)) and "12.5" not in repr(Politique(p_pourcent=12.5))
