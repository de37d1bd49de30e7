import io

import polars as pl
import pytest
from pypdf import PdfReader

from core.formats import formater_nombre
from core.plaquette.markdown import lignes_max, longueur_max, valider
from core.plaquette.modele import BLOCS
from core.plaquette.rendu import rendre_pdf
from senacs.publications.contenu import ErreurContenu, contenu_plaquette, territoires_plaquettes, vider_cache
from senacs.statistiques.services import cellules_publiques, diffusion_publier
from tests.factories import CampagneFactory
from tests.statistiques.fabriques import campagne_statistiques, var_dir  # noqa: F401

pytestmark = pytest.mark.usefixtures("var_dir")


@pytest.fixture
def jeu(db):
    vider_cache()
    return campagne_statistiques()


@pytest.fixture
def diffusion(jeu):
    return diffusion_publier(campagne=jeu.campagne)


def cellule(diffusion, niveau, territoire, question, statistique, public="ensemble", modalite=""):
    t = cellules_publiques(diffusion, [territoire]).filter(
        (pl.col("niveau") == niveau)
        & (pl.col("public") == public)
        & (pl.col("question") == question)
        & (pl.col("statistique") == statistique)
        & (pl.col("modalite").fill_null("") == modalite)
    )
    assert t.height == 1
    return t.row(0, named=True)


def test_the_keys_of_every_territory_with_structures(diffusion, jeu):
    cles = territoires_plaquettes(jeu.campagne)
    assert cles[0] == "FR"
    assert set(cles) == {"FR", "R:84", "R:53", "D:01", "D:69", "D:29", "D:35"}
    assert cles.index("R:84") < cles.index("D:01") and cles.index("D:01") < cles.index("D:69")


def test_a_department_plaquette_prints_the_published_cells_in_french(diffusion, jeu):
    contenu = contenu_plaquette(campagne=jeu.campagne, cle="D:69", textes={"edito": "Bonjour **Rhône**"})
    assert contenu.cle == "D:69" and contenu.territoire == "Rhône" and contenu.campagne == "2025"
    assert contenu.annee_donnees == "2024" and contenu.mention == "Projet"
    attendus = cellule(diffusion, "departement", "69", "*", "attendus")
    cles = {c.libelle: c for c in contenu.chiffres_cles}
    assert cles["structures agréées"].valeur == formater_nombre(attendus["valeur"], 0)
    h01 = cellule(diffusion, "departement", "69", "H01", "somme")
    assert cles["personnes touchées"].valeur == (
        "s" if h01["statut"] == "secret" else formater_nombre(h01["valeur"], 0)
    )
    assert contenu.section("couverture").texte == "Bonjour **Rhône**"
    comparaison = contenu.section("comparaison").tableaux[0]
    assert comparaison.colonnes == ["Indicateur", "Rhône", "Auvergne-Rhône-Alpes", "France"]


def test_region_and_nation_plaquettes(diffusion, jeu):
    region = contenu_plaquette(campagne=jeu.campagne, cle="R:84")
    assert region.niveau == "region" and region.section("comparaison").tableaux[0].colonnes[1:] == [
        "Auvergne-Rhône-Alpes",
        "France",
    ]
    nation = contenu_plaquette(campagne=jeu.campagne, cle="FR", pages=[])
    assert nation.titre.endswith("en France")
    assert "comparaison" not in nation.pages and "tendances" not in nation.pages


def test_a_campaign_without_diffusion_raises_a_french_error(jeu):
    with pytest.raises(ErreurContenu, match="pas encore de diffusion"):
        contenu_plaquette(campagne=jeu.campagne, cle="D:69")
    with pytest.raises(ErreurContenu, match="pas encore de diffusion"):
        territoires_plaquettes(jeu.campagne)


@pytest.mark.parametrize(
    ("cle", "message"),
    [
        ("D:48", "aucune structure attendue"),
        ("D:999", "Territoire inconnu"),
        ("R:99", "Territoire inconnu"),
        ("", "inconnu"),
    ],
)
def test_unknown_or_empty_territories_raise_a_french_error(diffusion, jeu, cle, message):
    with pytest.raises(ErreurContenu, match=message):
        contenu_plaquette(campagne=jeu.campagne, cle=cle)


def test_an_unknown_page_raises_a_french_error(diffusion, jeu):
    with pytest.raises(ErreurContenu, match="Page inconnue"):
        contenu_plaquette(campagne=jeu.campagne, cle="D:69", pages=["couverture-bis"])


def test_a_tampered_diffusion_file_is_refused(diffusion, jeu):
    with open(diffusion.chemin, "ab") as f:
        f.write(b"x")
    vider_cache()
    with pytest.raises(ErreurContenu, match="modifié"):
        contenu_plaquette(campagne=jeu.campagne, cle="D:69")


def test_trends_use_earlier_campaigns_with_a_diffusion_only(diffusion, jeu):
    CampagneFactory(annee=2024, questionnaire=jeu.campagne.questionnaire)  # sans diffusion : ignorée
    tendances = contenu_plaquette(campagne=jeu.campagne, cle="D:69").section("tendances")
    assert tendances.tableaux[0].colonnes == ["Indicateur", "2025"]


def texte_au_maximum(bloc: str) -> str:
    """Un texte local au maximum permis : autant de lignes que possible (paragraphes et listes)."""
    n, lignes = longueur_max(bloc), lignes_max(bloc)
    phrase = "Les centres sociaux accompagnent **les habitants** du territoire. " * 20
    return "\n\n".join(("- " if i % 3 == 2 else "") + phrase[: n // lignes - 4] for i in range(lignes))


@pytest.mark.parametrize("cle", ["D:69", "FR"])
def test_local_texts_at_their_maximum_keep_the_plaquette_within_eight_pages(diffusion, jeu, cle):
    textes = {b.code: texte_au_maximum(b.code) for b in BLOCS}
    assert all(valider(t, bloc=code) == [] for code, t in textes.items())
    sans_texte = PdfReader(io.BytesIO(rendre_pdf(contenu_plaquette(campagne=jeu.campagne, cle=cle))))
    avec_textes = PdfReader(io.BytesIO(rendre_pdf(contenu_plaquette(campagne=jeu.campagne, cle=cle, textes=textes))))
    assert 4 <= len(sans_texte.pages) <= len(avec_textes.pages) <= 8
