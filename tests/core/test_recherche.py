import re

import pytest

from core.recherche import cle_tri, motif_sans_accents, sans_accents


@pytest.mark.parametrize(
    ("cherche", "nom", "trouve"),
    [
        ("peguy", "Centre social Charles-Péguy", True),
        ("PÉGUY", "Centre social Charles-Peguy", True),
        ("leo lagrange", "Maison Léo Lagrange", True),
        ("coeur", "Espace Cœur de ville", True),
        ("saint-etienne", "Centre social de Saint-Étienne", True),
        ("(.*)", "Centre (quartier)", False),  # les caractères spéciaux sont pris tels quels
        ("lucie", "Léo", False),
    ],
)
def test_search_ignores_accents_and_case(cherche, nom, trouve):
    assert bool(re.search(motif_sans_accents(cherche), nom, re.IGNORECASE)) is trouve


def test_french_sort_puts_leo_before_lucie():
    assert sorted(["Lucie", "Léo", "Lea", "Éric", "Zoé"], key=cle_tri) == ["Éric", "Lea", "Léo", "Lucie", "Zoé"]
    assert sans_accents("Œuvre Éducative") == "oeuvre educative"
