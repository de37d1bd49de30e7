import re

import polars as pl
import pytest

from core.cartes import (
    DROM,
    GRILLE,
    LIBELLE_SECRET,
    ValeurDepartement,
    carte,
    classe_de,
    classes,
    texte_court,
    valeurs_depuis_cellules,
)
from core.formats import ESPACE_INSECABLE
from core.graphiques import svg
from core.territoires import departements, departements_de_region


def test_every_department_has_its_own_tile_including_the_five_overseas_departments():
    codes = {d.code for d in departements()}

    assert set(GRILLE) == codes
    assert len(set(GRILLE.values())) == len(GRILLE)  # aucune tuile superposée
    assert set(DROM) == {"971", "972", "973", "974", "976"}
    metropole = max(GRILLE[c][1] for c in codes - set(DROM))
    assert all(GRILLE[c][1] > metropole + 1 for c in DROM)  # encart séparé


def test_the_grid_roughly_follows_geography():
    col, lig = {c: p[0] for c, p in GRILLE.items()}, {c: p[1] for c, p in GRILLE.items()}

    assert lig["59"] < lig["75"] < lig["13"]  # Nord, Paris, Marseille
    assert col["29"] < col["75"] < col["67"]  # Finistère, Paris, Bas-Rhin
    assert col["64"] < col["66"] and lig["2A"] > lig["2B"]


def test_classes_are_quantiles_with_french_labels():
    cls = classes([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], decimales=1, unite="%")

    assert 2 <= len(cls) <= 5
    assert cls[0].libelle == f"de 1,0 à {cls[0].libelle.split('à ')[1]}"
    assert cls[-1].libelle.endswith(f"10,0{ESPACE_INSECABLE}%")
    assert all(classe_de(v, cls) is not None for v in range(1, 11))
    assert classe_de(1.0, cls) is cls[0] and classe_de(10.0, cls) is cls[-1]


def test_classes_of_no_value_and_of_a_single_value():
    assert classes([]) == []
    (seule,) = classes([12.5, 12.5], decimales=1)
    assert seule.libelle == "de 12,5 à 12,5"


def test_short_tile_texts_are_french():
    assert texte_court(1234567, 0) == f"1,2{ESPACE_INSECABLE}M"
    assert texte_court(45300, 0) == f"45{ESPACE_INSECABLE}k"
    assert texte_court(12.34, 1) == "12,3"


def _valeurs():
    return [
        ValeurDepartement("69", 42.5, "publie", 30),
        ValeurDepartement("01", None, "secret", 2),
        ValeurDepartement("38", 12.0, "publie", 12),
        ValeurDepartement("42", 25.0, "publie", 9),
    ]


def test_a_region_map_shows_only_its_departments_and_hatches_suppressed_ones():
    resultat = carte(_valeurs(), titre="Part (%)", departements=departements_de_region("84"), unite="%")

    codes = {ligne.code for ligne in resultat.lignes}
    assert codes == set(departements_de_region("84"))
    par_code = {ligne.code: ligne for ligne in resultat.lignes}
    assert par_code["69"].texte == f"42,5{ESPACE_INSECABLE}%" and par_code["69"].repondants == "30"
    assert par_code["01"].texte == "s" and par_code["01"].classe == LIBELLE_SECRET
    assert par_code["73"].texte == "–"  # aucune donnée
    couches = resultat.spec["layer"]
    hachures = [c for c in couches if c["mark"]["type"] == "rule"]
    assert len(hachures) == 1 and len(hachures[0]["data"]["values"]) >= 4  # la seule tuile secrète
    assert "Secret statistique (s) : 01" in resultat.texte_alternatif


def test_the_map_renders_to_svg_with_labels_legend_and_overseas_inset():
    resultat = carte(_valeurs(), titre="Part des structures", unite="%")

    rendu = svg(resultat.spec)

    assert rendu.startswith("<svg")
    textes = re.findall(r">([^<>]+)</text>", rendu)
    for attendu in ("69", "971", "976", "2A", "s", "Outre-mer", "Légende", LIBELLE_SECRET):
        assert attendu in textes, attendu
    assert any(t.startswith("de ") and "%" in t for t in textes)  # légende en français
    assert "42,5" in textes  # virgule décimale dans la tuile
    assert rendu.count('aria-roledescription="rule mark"') >= 4  # les hachures de la tuile secrète


def test_a_map_needs_departments():
    with pytest.raises(ValueError):
        carte([], titre="x", departements=[])


def test_values_are_read_from_published_cells_only():
    cellules = pl.DataFrame(
        {
            "niveau": ["departement"] * 6 + ["region"],
            "territoire": ["69", "69", "01", "01", "38", "38", "84"],
            "public": ["ensemble"] * 7,
            "question": ["F04"] * 7,
            "statistique": ["moyenne", "repondants", "moyenne", "repondants", "mediane", "repondants", "moyenne"],
            "modalite": [None] * 7,
            "valeur": [1000.0, 12.0, None, 2.0, 5.0, 7.0, 9.0],
            "statut": ["publie", "publie", "secret", "publie", "publie", "publie", "publie"],
        }
    )

    valeurs = valeurs_depuis_cellules(
        cellules, departements=["69", "01", "38", "26"], public="ensemble", question="F04", statistique="moyenne"
    )

    par_code = {v.code: v for v in valeurs}
    assert par_code["69"] == ValeurDepartement("69", 1000.0, "publie", 12)
    assert par_code["01"] == ValeurDepartement("01", None, "secret", 2)
    assert par_code["38"].statut == "absent" and par_code["38"].repondants == 7
    assert par_code["26"].statut == "absent" and par_code["26"].repondants is None
