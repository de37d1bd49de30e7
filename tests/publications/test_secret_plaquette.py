"""Sûreté des plaquettes (issue 6, point 6) : une plaquette d'un très petit département, rendue en PDF et
en HTML, ne laisse paraître aucune valeur secrète — ni la réponse brute d'une structure, ni la vraie
valeur d'une cellule masquée."""

import html as html_lib
import io
import re

import polars as pl
import pytest
from pypdf import PdfReader

from core.formats import formater_euros, formater_nombre, formater_pourcentage
from core.plaquette.construction import QUESTIONS
from core.plaquette.rendu import rendre_html, rendre_pdf
from senacs.publications.contenu import contenu_plaquette, vider_cache
from senacs.reponses.models import Reponse
from senacs.statistiques.services import diffusion_publier, lire_cellules
from tests.statistiques.fabriques import campagne_statistiques, var_dir  # noqa: F401

pytestmark = pytest.mark.usefixtures("var_dir")

# Le Finistère (29) du jeu de test : 4 centres sociaux et 2 espaces de vie sociale, dont un ne répond pas.
PETIT = "29"
CHIFFRES_MIN = 4  # une forme trop courte (« 3 », « 12 % ») peut figurer ailleurs par hasard


def formes(valeur: float) -> set[str]:
    """Toutes les façons dont la plaquette pourrait imprimer ce nombre."""
    v = float(valeur)
    textes = {
        formater_nombre(v, 0),
        formater_nombre(v, 1),
        formater_nombre(v),
        formater_euros(v),
        formater_pourcentage(v, 0),
        formater_pourcentage(v, 1),
    }
    if abs(v) >= 1_000_000:
        textes.add(f"{formater_nombre(v / 1_000_000, 1)}\u00a0M€")
    elif abs(v) >= 1000:
        textes.add(f"{formater_nombre(v / 1000, 0)}\u00a0k€")
    return {t for t in textes if sum(ch.isdigit() for ch in t) >= CHIFFRES_MIN}


def imprime(forme: str, texte: str) -> bool:
    """Vrai si ``forme`` figure dans ``texte`` comme un nombre entier, pas comme morceau d'un autre
    (« 4 489 » ne se lit pas dans « 224 489 € », ni « 1 234 » dans « 1 234,5 »)."""
    motif = r"(?<!\d)(?<!\d[\u00a0\u202f ])(?<!\d,)" + re.escape(forme) + r"(?!\d)(?!,\d)(?![\u00a0\u202f ]\d)"
    return re.search(motif, texte) is not None


def formes_publiees(diffusion) -> set[str]:
    """Formes des chiffres publiés des territoires affichés (département, région, France).

    Une médiane (ou un quartile) publiée d'un grand territoire est, par construction, la valeur d'une
    structure quelconque : une valeur secrète qui coïncide avec un chiffre publié affiché n'est pas une
    fuite (rien ne dit de quelle structure ou de quelle cellule il s'agit) ; toute autre apparition en est une."""
    publiees = lire_cellules(diffusion).filter(
        (pl.col("statut") == "publie")
        & (
            ((pl.col("niveau") == "departement") & (pl.col("territoire") == PETIT))
            | ((pl.col("niveau") == "region") & (pl.col("territoire") == "53"))
            | (pl.col("niveau") == "nation")
        )
    )
    return set().union(*(formes(v) for v in publiees["valeur"].drop_nulls().to_list()))


@pytest.fixture
def petit_departement(db):
    vider_cache()
    jeu = campagne_statistiques()
    diffusion = diffusion_publier(campagne=jeu.campagne)
    contenu = contenu_plaquette(
        campagne=jeu.campagne, cle=f"D:{PETIT}", textes={"edito": "Le Finistère."}, mention="Projet"
    )
    pdf = rendre_pdf(contenu)
    texte_pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    # Le texte de la page HTML (textes des SVG compris, attributs exclus : la géométrie d'un tracé,
    # « M141,0 », n'est pas un chiffre imprimé ; une valeur masquée n'est de toute façon jamais tracée).
    html = rendre_html(contenu)
    texte_html = html_lib.unescape(re.sub(r"<[^>]+>", " ", html))
    return jeu, diffusion, contenu, texte_pdf, texte_html


def test_a_number_is_found_whole_and_never_inside_another():
    assert imprime("4\u00a0489", "total 4\u00a0489\u00a0€ ;")
    assert not imprime("4\u00a0489", "e (AGC) 224\u00a0489\u00a0€ s")
    assert not imprime("1\u00a0234", "1\u00a0234,5")
    assert imprime("12,5\u00a0%", "part 12,5\u00a0%")


def test_the_small_department_is_mostly_suppressed(petit_departement):
    jeu, diffusion, contenu, texte_pdf, html = petit_departement
    cellules = lire_cellules(diffusion).filter(
        (pl.col("niveau") == "departement") & (pl.col("territoire") == PETIT) & pl.col("question").is_in(QUESTIONS)
    )
    secretes = cellules.filter(pl.col("statut") == "secret").height
    assert secretes > cellules.filter(pl.col("statut") == "publie").height / 2
    assert texte_pdf.count("\ns\n") + texte_pdf.count(" s ") > 10 or texte_pdf.count("s") > 50
    assert contenu.section("finances").tableaux[0].lignes[0][1] == "s" or " s " in html


def test_no_raw_answer_of_a_structure_appears_in_the_pdf_or_the_html(petit_departement):
    jeu, diffusion, contenu, texte_pdf, html = petit_departement
    reponses = Reponse.objects.filter(
        campagne=jeu.campagne, structure__departement_id=PETIT, statut__in=["soumise", "validee"]
    )
    assert 1 <= reponses.count() <= 6
    deja_publiees = formes_publiees(diffusion)
    verifiees = 0
    for reponse in reponses:
        for code, valeur in reponse.valeurs.items():
            if code not in QUESTIONS or isinstance(valeur, (bool, list, dict)) or valeur in (None, ""):
                continue
            try:
                nombre = float(str(valeur).replace(",", "."))
            except ValueError:
                continue
            for forme in formes(nombre) - deja_publiees:
                verifiees += 1
                assert not imprime(forme, texte_pdf), (reponse.structure_id, code, forme)
                assert not imprime(forme, html), (reponse.structure_id, code, forme)
    assert verifiees > 50


def test_no_suppressed_cell_value_appears_in_the_pdf_or_the_html(petit_departement):
    jeu, diffusion, contenu, texte_pdf, html = petit_departement
    # Toutes les cellules masquées des territoires que la plaquette affiche (département, région, France).
    secretes = lire_cellules(diffusion).filter(
        (pl.col("statut") == "secret")
        & pl.col("question").is_in(QUESTIONS)
        & (
            ((pl.col("niveau") == "departement") & (pl.col("territoire") == PETIT))
            | ((pl.col("niveau") == "region") & (pl.col("territoire") == "53"))
            | (pl.col("niveau") == "nation")
        )
    )
    assert secretes.height > 20
    deja_publiees = formes_publiees(diffusion)
    verifiees = 0
    for ligne in secretes.iter_rows(named=True):
        if ligne["valeur_brute"] is None:
            continue
        for forme in formes(ligne["valeur_brute"]) - deja_publiees:
            verifiees += 1
            assert not imprime(forme, texte_pdf), (ligne["territoire"], ligne["question"], ligne["statistique"], forme)
            assert not imprime(forme, html), (ligne["territoire"], ligne["question"], ligne["statistique"], forme)
    assert verifiees > 20
