"""Moteur des analyses thématiques (Python pur) : cellules, marges, secret primaire et secondaire,
compléments de filtres, registre, initiés, tendances à panel constant."""

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.analyses.calcul import SECRET, calculer, calculer_tendance
from core.analyses.modele import DIMENSIONS, MARGE, DefinitionAnalyse, Indicateur
from core.analyses.protection import COMPTAGE, GRANDEUR, Contribution, Regles, atomes, examiner, sensibilite

BUDGET = Indicateur("budget", "Budget total", "F04", "somme", "euros")
BUDGET_MOYEN = Indicateur("budget_moyen", "Budget moyen", "F04", "moyenne", "euros")
PART = Indicateur("part_oui", "Part des oui", "H03", "part", "pourcentage", "oui")
REGLES = Regles()
GESTIONS = ["associative", "municipale", "caf", "autre"]


def micro(lignes, campagne=2025):
    base = {
        "type": "CS",
        "gestion": "municipale",
        "qpv": "non",
        "urbain_rural": "urbain",
        "taille": "moyenne",
        "federation": "oui",
        "departement": "69",
        "territoire": "69",
        "campagne": campagne,
    }
    rangs = []
    for i, ligne in enumerate(lignes):
        rangs.append({"structure": i, "gestionnaire": f"G{i}", **base, **ligne})
    return pl.DataFrame(rangs)


def jeu_gestion(associatives=2, autres=12, valeur=100_000.0):
    lignes = []
    for i in range(associatives + autres):
        lignes.append(
            {
                "gestion": "associative" if i < associatives else GESTIONS[1 + i % 3],
                "type": "EVS" if i % 3 == 0 else "CS",
                "valeur": valeur + 7_919.0 * i,
            }
        )
    return micro(lignes)


def cellule(resultat, *modalites, campagne=2025):
    c = resultat.cellule(campagne, *modalites)
    assert c is not None, modalites
    return c


def test_definition_round_trips_through_json_and_validates_in_french():
    d = DefinitionAnalyse("budget", "D:69", ("gestion", "type"), (("gestion", ("caf", "municipale")),), (2025,))
    assert DefinitionAnalyse.depuis_json(d.vers_json()) == d.normalisee()
    erreurs = DefinitionAnalyse("", "X:1", ("a", "b", "c"), (("qpv", ()),), (1900,)).erreurs({"budget": BUDGET})
    assert "Choisissez un indicateur." in erreurs
    assert any("Territoire invalide" in e for e in erreurs)
    assert "Au plus deux dimensions de ventilation." in erreurs
    assert any("ne garde aucune modalité" in e for e in erreurs)
    assert any("Campagne invalide" in e for e in erreurs)
    with pytest.raises(ValueError, match="illisible"):
        DefinitionAnalyse.depuis_json({"campagnes": ["deux mille"]})


@given(
    dims=st.lists(st.sampled_from(["type", "gestion", "qpv", "taille"]), max_size=2, unique=True),
    campagnes=st.lists(st.integers(2021, 2026), max_size=3),
)
def test_definition_json_round_trip_property(dims, campagnes):
    d = DefinitionAnalyse("budget", "R:84", tuple(dims), (("federation", ("oui",)),), tuple(campagnes))
    assert DefinitionAnalyse.depuis_json(d.vers_json()) == d.normalisee()
    assert d.erreurs({"budget": BUDGET}) == []


def test_cells_sums_margins_and_respondents_per_cell():
    m = micro([{"gestion": GESTIONS[i % 2], "valeur": 10_000.0 * (i + 1)} for i in range(12)])
    r = calculer(m, DefinitionAnalyse("budget", "D:69", ("gestion",)), BUDGET, DIMENSIONS, REGLES).resultat
    total = cellule(r, MARGE)
    assert total.valeur == sum(10_000.0 * (i + 1) for i in range(12)) and total.repondants == 12
    assert cellule(r, "associative").valeur + cellule(r, "municipale").valeur == total.valeur
    assert cellule(r, "associative").repondants == 6
    assert cellule(r, "caf").repondants == 0 and cellule(r, "caf").texte == "0\u00a0€"
    assert total.texte == "780\u00a0000\u00a0€"
    assert r.lignes[-1] == (MARGE, "Ensemble") and r.spec["data"]["values"]
    assert "représentées" in r.texte_alternatif and "Secret statistique" in r.note_methodologique


def test_non_response_is_not_zero_and_means_use_respondents_only():
    lignes = [{"valeur": 100.0 * (i + 1)} for i in range(6)] + [{"valeur": None}]
    r = calculer(micro(lignes), DefinitionAnalyse("budget_moyen", "D:69"), BUDGET_MOYEN, DIMENSIONS, REGLES).resultat
    (c,) = r.cellules
    assert c.repondants == 6 and c.valeur == pytest.approx(350.0)


def test_primary_rules_frequency_dominance_and_one_contributor_per_manager():
    # Trois structures, mais deux ont le même gestionnaire : deux contributeurs seulement.
    lignes = [{"valeur": 1000.0, "gestionnaire": "G0"}, {"valeur": 1000.0, "gestionnaire": "G0"}, {"valeur": 900.0}]
    r = calculer(micro(lignes), DefinitionAnalyse("budget", "D:69"), BUDGET, DIMENSIONS, REGLES).resultat
    assert r.cellules[0].masquee and r.cellules[0].motif == "primaire" and r.cellules[0].texte == SECRET
    # Un contributeur dominant (> 85 %).
    lignes = [{"valeur": 1_000_000.0}] + [{"valeur": 10_000.0} for _ in range(5)]
    r = calculer(micro(lignes), DefinitionAnalyse("budget", "D:69"), BUDGET, DIMENSIONS, REGLES).resultat
    assert r.cellules[0].masquee and r.cellules[0].valeur is None
    # Une part sur moins de 5 répondants n'est jamais publiée.
    lignes = [{"valeur": float(i % 2)} for i in range(4)]
    r = calculer(micro(lignes), DefinitionAnalyse("part_oui", "D:69"), PART, DIMENSIONS, REGLES).resultat
    assert r.cellules[0].masquee


def test_margins_cannot_reveal_a_suppressed_cell():
    r = calculer(jeu_gestion(), DefinitionAnalyse("budget", "D:69", ("gestion",)), BUDGET, DIMENSIONS, REGLES).resultat
    assoc = cellule(r, "associative")
    assert assoc.masquee and assoc.motif == "primaire"
    masquees = [c for c in r.cellules if c.masquee]
    assert len(masquees) >= 2, "une seule cellule masquée se retrouverait par différence avec la marge"
    assert any(c.motif == "secondaire" for c in masquees)
    # Voie 6 : une cellule masquée ne montre pas son nombre de répondants (la dimension de taille de
    # budget donnait la classe d'un centre seul) ; le code d'avant le donnait (repondants = n).
    assert all(c.repondants is None for c in masquees)


def test_filtered_figure_is_protected_with_its_complement_even_without_history():
    # « Tout sauf l'associatif » : le complément (2 associatives) se lit par différence avec la figure
    # non filtrée ; l'analyse filtrée est protégée comme un seul tableau avec elle.
    d = DefinitionAnalyse("budget", "D:69", filtres=(("gestion", ("autre", "caf", "municipale")),))
    r = calculer(jeu_gestion(), d, BUDGET, DIMENSIONS, REGLES).resultat
    assert r.cellules[0].masquee and r.cellules[0].motif == "secondaire"
    # Avec 6 associatives, le complément est sûr : la figure filtrée est publiée.
    r = calculer(jeu_gestion(associatives=6), d, BUDGET, DIMENSIONS, REGLES).resultat
    assert not r.cellules[0].masquee


def test_ledger_differencing_suppresses_and_says_why():
    m = jeu_gestion(associatives=6)
    d_assoc = DefinitionAnalyse("budget", "D:69", filtres=(("gestion", ("associative",)),))
    libere = calculer(m, d_assoc, BUDGET, DIMENSIONS, REGLES).liberations
    assert len(libere) == 1
    # Une autre analyse : associatives de type CS (5 structures) — leur différence avec la figure
    # libérée isolerait l'unique associative EVS… sauf qu'elle est masquée, motif « registre ».
    d = DefinitionAnalyse("budget", "D:69", filtres=(("gestion", ("associative",)), ("type", ("CS",))))
    fond = {2025: [lib.structures for lib in libere]}
    r = calculer(m, d, BUDGET, DIMENSIONS, REGLES, registre=fond).resultat
    assert r.cellules[0].masquee and r.cellules[0].motif == "registre"
    r_sans = calculer(m, d, BUDGET, DIMENSIONS, REGLES).resultat
    assert not r_sans.cellules[0].masquee


def test_a_cell_equal_to_a_diffusion_secret_stays_secret_and_is_not_derivable():
    m = jeu_gestion(associatives=6)
    evs = frozenset(m.filter(pl.col("type") == "EVS")["structure"].to_list())
    d = DefinitionAnalyse("budget", "D:69", ("type",))
    r = calculer(m, d, BUDGET, DIMENSIONS, REGLES, secrets={2025: [evs]}).resultat
    assert not calculer(m, d, BUDGET, DIMENSIONS, REGLES).resultat.cellule(2025, "EVS").masquee
    assert cellule(r, "EVS").masquee and cellule(r, "EVS").motif == "secondaire"
    assert cellule(r, "CS").masquee or cellule(r, MARGE).masquee, "sinon EVS = total − CS"


def test_a_cell_already_known_is_shown_and_never_suppressed_again():
    m = jeu_gestion(associatives=6)
    total = frozenset(m["structure"].to_list())
    d = DefinitionAnalyse("budget", "D:69", ("gestion",))
    r = calculer(m, d, BUDGET, DIMENSIONS, REGLES, fond={2025: [total]}).resultat
    assert not cellule(r, MARGE).masquee


def test_insider_cannot_recover_another_singleton():
    # Deux structures isolées dans leur cellule : leur somme publiée, l'une retrouve l'autre.
    assert sensibilite([0], {0: Contribution("A", 5.0)}, GRANDEUR, REGLES)[0]
    contributions = {0: Contribution("A", 50.0), 1: Contribution("B", 70.0)}
    examen = examiner([frozenset({0, 1})], contributions, GRANDEUR, REGLES)
    assert examen.exposes, "chaque structure connaît la sienne et déduit l'autre"


def test_atoms_split_structures_by_membership():
    liste, matrice = atomes([frozenset({1, 2, 3, 4}), frozenset({1, 2})])
    assert sorted(map(sorted, liste)) == [[1, 2], [3, 4]]
    assert matrice.shape == (2, 2)


def test_counts_share_rules_both_sides():
    contributions = {i: Contribution(f"G{i}", 1.0 if i < 9 else 0.0) for i in range(10)}
    sensible, haut, bas = sensibilite(range(10), contributions, COMPTAGE, REGLES)
    assert sensible and haut == 1 and bas >= 1  # un seul « non » : il apprend les neuf « oui »


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(4, 18),
    graine=st.integers(0, 10_000),
    dims=st.sampled_from([(), ("gestion",), ("type",), ("gestion", "type")]),
    filtre=st.booleans(),
)
def test_nothing_released_exposes_a_sensitive_group(n, graine, dims, filtre):
    """Propriété : ce qui est montré (avec la figure non filtrée supposée connue) n'expose aucun groupe."""
    import random

    alea = random.Random(graine)
    lignes = [
        {
            "gestion": alea.choice(GESTIONS),
            "type": alea.choice(["CS", "EVS"]),
            "valeur": float(alea.randint(1, 20) * 10_000),
            "gestionnaire": f"G{alea.randint(0, n)}",
        }
        for _ in range(n)
    ]
    m = micro(lignes)
    filtres = (("gestion", ("caf", "municipale", "autre")),) if filtre else ()
    d = DefinitionAnalyse("budget", "D:69", dims, filtres)
    calc = calculer(m, d, BUDGET, DIMENSIONS, REGLES)
    contributions = {s: Contribution(g, v) for s, g, v in m.select("structure", "gestionnaire", "valeur").iter_rows()}
    connus = [lib.structures for lib in calc.liberations]
    assert not examiner(connus, contributions, GRANDEUR, REGLES).exposes


def test_trend_all_respondents_and_constant_panel():
    lignes = []
    for campagne in (2023, 2024, 2025):
        for i in range(10):
            if campagne == 2023 and i == 9:
                continue  # la structure 9 arrive en 2024 : hors panel
            lignes.append({"structure": i, "campagne": campagne, "valeur": 1000.0 * (i + 1) + campagne})
    m = pl.DataFrame(
        [
            {**{k: v for k, v in micro([{}]).row(0, named=True).items() if k not in ("structure", "campagne")}, **x}
            | {"gestionnaire": f"G{x['structure']}"}
            for x in lignes
        ]
    )
    t = calculer_tendance(m, BUDGET, "D:69", (2023, 2024, 2025), REGLES)
    assert t.panel_effectif == 9
    # Un point masqué ne montre pas son nombre de répondants.
    assert [c.repondants for c in t.tous] == [
        None if c.masquee else n for c, n in zip(t.tous, [9, 10, 10], strict=True)
    ]
    assert [c.repondants for c in t.panel] == [
        None if c.masquee else n for c, n in zip(t.panel, [9, 9, 9], strict=True)
    ]
    assert any(c.masquee for c in t.tous + t.panel)
    # 2023 : tous = panel (mêmes structures) ; 2024 et 2025 : l'écart isolerait la structure 9.
    assert not t.tous[0].masquee and not t.panel[0].masquee
    for k in (1, 2):
        assert t.tous[k].masquee or t.panel[k].masquee
    assert t.spec["mark"]["type"] == "line"
    assert "panel constant de 9 structures" in t.texte_alternatif


def test_several_campaigns_are_drawn_side_by_side_with_a_legend_never_added_up():
    m = pl.concat(
        [
            micro([{"gestion": GESTIONS[i % 2], "valeur": 10_000.0} for i in range(12)], campagne=a)
            for a in (2024, 2025)
        ]
    )
    for dims in (("gestion",), ("gestion", "type")):
        definition = DefinitionAnalyse("budget", "D:69", dims, campagnes=(2024, 2025))
        spec = calculer(m, definition, BUDGET, DIMENSIONS, REGLES).resultat.spec
        assert spec["encoding"]["y"]["stack"] is None  # aucune barre empilée sur une autre
        campagnes = {v["campagne"] for v in spec["data"]["values"]}
        assert campagnes == {"2024", "2025"}
        if len(dims) == 1:
            assert spec["encoding"]["xOffset"]["field"] == "campagne"
            assert spec["encoding"]["color"]["field"] == "campagne"  # la légende dit quelle barre est quelle année
        else:
            assert spec["encoding"]["column"]["field"] == "campagne"
