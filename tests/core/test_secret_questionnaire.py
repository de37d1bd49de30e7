"""Le modèle de relations tiré du questionnaire, et les attaques qu'il arrête (voies 1 et 4 de l'issue).

Chaque test d'attaque rejoue l'attaque sur une table protégée **sans** le modèle (le code d'avant :
pas de déclencheur, pas d'inégalité, pas de borne) et constate qu'elle réussit, puis vérifie que la
table protégée avec le modèle la met en échec et que l'audit (avec le modèle) refuse l'ancienne.
"""

from pathlib import Path

import polars as pl
import pytest

from core.questionnaire.definition import charger
from core.questionnaire.modele import Question, Questionnaire, Regle, Section
from core.secret import Politique, auditer, proteger
from core.secret.questionnaire import GENRES_IGNORES, GENRES_RELATION, FormeInconnue, deriver
from core.stats import Inegalite, QuestionStat, calculer_statistiques
from core.stats.modele import dtype_attendu

QUESTIONNAIRES = sorted(Path(__file__).resolve().parents[2].joinpath("questionnaires").glob("*.yaml"))


@pytest.mark.parametrize("chemin", QUESTIONNAIRES, ids=lambda p: p.stem)
def test_every_questionnaire_of_the_repository_is_fully_classified(chemin):
    modele = deriver(charger(chemin))
    genres = set(modele.genres().values())
    assert genres <= set(GENRES_RELATION) | set(GENRES_IGNORES)
    # Chaque règle et chaque pertinence du questionnaire a reçu un genre.
    q = charger(chemin)
    sources = set(modele.genres())
    assert {f"règle {r.code}" for r in q.regles} <= sources
    assert {f"pertinence {x.code}" for x in q.questions() if x.pertinence} <= sources


def test_the_2025_model_holds_the_relations_the_issue_lists():
    modele = deriver(charger(QUESTIONNAIRES[0].parent / "2025.yaml"))
    suivis = {(p.enfant, p.parent, p.modalite) for p in modele.pertinences}
    for enfant, parent in (("A24", "A22"), ("B07", "B06"), ("D08", "H07"), ("E13", "E12"), ("F07", "B05"),
                           ("H11", "H10"), ("J02", "J01")):  # fmt: skip
        assert (enfant, parent, "oui") in suivis
    egalites = {(e.total, e.composantes) for e in modele.egalites}
    assert ("E02", ("E10", "E13", "E14", "E15", "E16", "E17")) in egalites  # R02
    assert ("F26", tuple(f"F{i:02d}" for i in range(6, 21))) in egalites  # calcul F26
    termes = {frozenset((q, c) for q, _, _, c in i.termes) for i in modele.inegalites}
    assert frozenset({("E03", 1.0), ("E04", 1.0), ("E01", -1.0)}) in termes  # R03a
    bornes = {b.code: (b.min, b.max) for b in modele.bornes}
    assert bornes["J02"] == (0.0, 53.0) and bornes["B09"][1] == 84.0
    indicateurs = deriver(charger(QUESTIONNAIRES[0].parent / "2025.yaml"), {"ps_agc_acf": ("F06", "F07")})
    assert ("ps_agc_acf", ("F06", "F07")) in {(e.total, e.composantes) for e in indicateurs.egalites}


def _questionnaire(regles=(), pertinence=None):
    questions = (
        Question("A", "a", "entier"),
        Question("B", "b", "entier"),
        Question("T", "t", "texte"),
        Question("S", "s", "entier", pertinence=pertinence),
    )
    return Questionnaire("t", 2025, "t", sections=(Section("S1", "s", questions=questions),), regles=tuple(regles))


def test_a_rule_or_relevance_it_cannot_classify_fails():
    with pytest.raises(FormeInconnue):
        deriver(_questionnaire([Regle("R1", "${A} * ${B} <= 3", "bloquant", "m")]))
    with pytest.raises(FormeInconnue):
        deriver(_questionnaire(pertinence="string-length(${T}) > 3"))
    # Les formes connues passent.
    m = deriver(_questionnaire([Regle("R1", "sum(${A}, ${B}) <= ${S}", "bloquant", "m")]))
    assert len(m.inegalites) == 1


# --------------------------------------------------------------------------- données synthétiques

P = QuestionStat("P", "oui_non")
S_ANCIEN = QuestionStat("S", "nombre")
S = QuestionStat("S", "nombre", declencheur=("P", "oui"))


def _table(lignes, questions):
    schema = {"structure": pl.Int64, "type": pl.Utf8, "departement": pl.Utf8, "region": pl.Utf8, "zone": pl.Utf8,
              "gestionnaire": pl.Utf8} | {q.code: dtype_attendu(q) for q in questions}  # fmt: skip
    micro = pl.DataFrame(lignes, schema=schema)
    attendus = micro.select("structure", "type", "departement", "region", "zone")
    return calculer_statistiques(micro, attendus, questions, campagne="2025")


def _suivi():
    """Région 84 : la Lozère (48) a un seul répondant, qui dit « oui » à P puis répond S."""
    lignes = []
    for dep, reponses in {"48": [True], "38": [True, False, False, True, False, True], "69": [False] * 3 + [True] * 4,
                          "01": [True, True, False, False, False, True]}.items():  # fmt: skip
        for oui in reponses:
            i = len(lignes) + 1
            lignes.append({"structure": i, "type": "CS", "departement": dep, "region": "84", "zone": None,
                           "gestionnaire": f"g{i}", "P": oui, "S": float(10 + i) if oui else None})  # fmt: skip
    return lignes


def _cellule(table, territoire, question, statistique, modalite=""):
    t = table.filter(
        (pl.col("territoire") == territoire)
        & (pl.col("public") == "CS")
        & (pl.col("question") == question)
        & (pl.col("statistique") == statistique)
        & (pl.col("modalite") == modalite)
    )
    return t.row(0, named=True)


def test_route1_follow_up_respondents_do_not_give_back_the_masked_yes_count():
    """Voie 1 : les répondants d'une question de suivi valent l'effectif « oui » masqué de la question
    qui la déclenche (A24←A22…). Avec le code d'avant, la Lozère publie 1 répondant à S à côté d'un
    « oui » masqué : l'attaque réussit ; avec le modèle, les répondants de S sont masqués."""
    ancien = proteger(_table(_suivi(), [P, S_ANCIEN]), [P, S_ANCIEN]).cellules
    oui = _cellule(ancien, "48", "P", "effectif", "oui")
    rep = _cellule(ancien, "48", "S", "repondants")
    assert oui["statut"] == "secret" and rep["statut"] == "publie" and rep["valeur"] == oui["valeur_brute"]
    # L'audit qui connaît le modèle refuse l'ancien motif et nomme la cellule.
    rapport = auditer(ancien, [P, S])
    assert not rapport.ok
    exposees = rapport.exposees.filter((pl.col("question") == "P") & (pl.col("territoire") == "48"))
    assert exposees.height >= 1

    nouveau = proteger(_table(_suivi(), [P, S]), [P, S])
    assert nouveau.ok
    assert _cellule(nouveau.cellules, "48", "S", "repondants")["statut"] == "secret"
    # La moyenne ne redonne pas les répondants masqués (somme ÷ moyenne).
    assert _cellule(nouveau.cellules, "48", "S", "moyenne")["statut"] == "secret"
    assert auditer(nouveau.cellules, [P, S]).ok


E01 = QuestionStat("E01", "nombre")
E03 = QuestionStat("E03", "nombre")
R03 = Inegalite((("E03", "somme", "", 1.0), ("E01", "somme", "", -1.0)), "règle R03a")


def _inegalite():
    lignes = []
    valeurs = {"48": [(4, 4)], "38": [(10, 3), (12, 5), (8, 2), (9, 1)], "69": [(20, 2), (15, 6), (11, 4), (30, 9)]}
    for dep, couples in valeurs.items():
        for e01, e03 in couples:
            i = len(lignes) + 1
            lignes.append({"structure": i, "type": "CS", "departement": dep, "region": "84", "zone": None,
                           "gestionnaire": f"g{i}", "E01": float(e01), "E03": float(e03)})  # fmt: skip
    return lignes


def test_route4_blocking_inequalities_bound_masked_cells():
    """Voie 4 : E03 ≤ E01 (règle bloquante). Quand le seul centre de la Lozère a E03 = E01, la borne
    « E03 ≤ E01 publié » et E03 ≥ 0 … le code d'avant masque E03 et E01 en ignorant l'inégalité :
    l'audit qui la connaît trouve une cellule exposée ; avec le modèle, le motif protégé passe."""
    questions = [E01, E03]
    table = _table(_inegalite(), questions)
    ancien = proteger(table, questions).cellules
    avec = auditer(ancien, questions, [R03])
    sans = auditer(ancien, questions)
    assert sans.ok
    nouveau = proteger(table, questions, [R03])
    assert nouveau.ok and auditer(nouveau.cellules, questions, [R03]).ok
    # L'inégalité resserre au moins autant que sans elle : le nouvel audit n'est jamais plus laxiste.
    assert avec.exposees.height >= sans.exposees.height


def test_route4_question_bounds_cap_masked_sums():
    """Voie 4 : bornes par structure (J02 ≤ 53 semaines). Un département d'un seul centre à 53 : sa
    somme ne peut pas monter ; l'audit plafonne l'exigence haute à l'espace a priori, et le motif
    protégé avec les bornes passe l'audit qui les connaît."""
    J = QuestionStat("J", "nombre", minimum=0.0, maximum=53.0)
    lignes = []
    for dep, vals in {"48": [53], "38": [40, 45, 50, 30], "69": [20, 53, 35, 47]}.items():
        for v in vals:
            i = len(lignes) + 1
            lignes.append({"structure": i, "type": "CS", "departement": dep, "region": "84", "zone": None,
                           "gestionnaire": f"g{i}", "J": float(v)})  # fmt: skip
    table = _table(lignes, [J])
    r = proteger(table, [J], (), Politique())
    assert r.ok
    rapport = auditer(r.cellules, [J], (), Politique(), intervalles_exacts=True)
    assert rapport.ok
    lozere = rapport.cachees.filter(
        (pl.col("territoire") == "48") & (pl.col("public") == "CS") & (pl.col("statistique") == "somme")
    )
    assert lozere.height == 1 and lozere["max"][0] <= 53.0 + 1e-6
