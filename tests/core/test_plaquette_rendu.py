import io
import re
import struct
import zlib

import pytest
from pypdf import PdfReader

from core.plaquette.construction import construire
from core.plaquette.modele import BLOCS, PAGES, ContenuPlaquette
from core.plaquette.rendu import SOURCE_GABARIT, ErreurRendu, rendre_html, rendre_pdf, rendre_png
from tests.core.plaquette_exemple import NATION, REGION, cellules_exemple, entrees


@pytest.fixture(scope="module")
def cellules():
    return cellules_exemple()


@pytest.fixture(scope="module")
def contenu(cellules) -> ContenuPlaquette:
    return construire(entrees(cellules))


@pytest.fixture(scope="module")
def pdf(contenu) -> PdfReader:
    return PdfReader(io.BytesIO(rendre_pdf(contenu)))


def texte_pdf(lecteur: PdfReader) -> str:
    return "\n".join(p.extract_text() for p in lecteur.pages)


def test_pages_and_blocks_of_the_template():
    codes = [p.code for p in PAGES]
    assert codes[0] == "couverture" and codes[-1] == "methodologie" and len(codes) == 11
    assert {b.page for b in BLOCS} <= set(codes)
    assert [b.code for b in BLOCS][0] == "edito"


def test_key_figures_are_french_strings_and_a_secret_one_is_never_a_headline_s(contenu):
    cles = {c.libelle: c for c in contenu.chiffres_cles}
    assert cles["structures agréées"].valeur == "12" and cles["structures agréées"].detail == "8 CS et 4 EVS"
    assert cles["personnes touchées"].valeur == "12\u00a0345"
    # E01 masquée : pas de « s » en grand, le libellé passe dans la ligne « non diffusé » en petit…
    assert "salariés" not in cles and contenu.chiffres_cles_non_diffuses == ["salariés"]
    assert all(c.valeur != "s" for c in contenu.chiffres_cles)
    # … et un autre chiffre clé diffusable prend sa place : toujours six chiffres clés.
    assert len(contenu.chiffres_cles) == 6
    assert cles["budget cumulé"].valeur == "4,6\u00a0M€"
    assert cles["structures répondantes"].detail == "taux de réponse 83\u00a0%"


def test_a_chart_never_plots_a_suppressed_value_and_its_alt_text_lists_the_figures(contenu):
    territoire = contenu.section("territoire")
    gestion = next(g for g in territoire.graphiques if g.titre == "Modes de gestion")
    assert gestion.alternative == (
        "Modes de gestion, Lozère, 2024 : Associatif 70\u00a0% ; Collectivité locale s (secret statistique) ; "
        "Caf (gestion directe) s (secret statistique)."
    )
    assert "Collectivité locale" in gestion.note and "secret" in gestion.note
    assert "Associatif" in gestion.svg and "Collectivité" not in gestion.svg and "20 %" not in gestion.svg


def test_a_share_computed_from_a_suppressed_cell_is_suppressed(contenu):
    financeurs = contenu.section("finances").tableaux[0]
    lignes = {ligne[0]: ligne for ligne in financeurs.lignes}
    assert lignes["Département"][1:] == ["s", "s"]
    assert lignes["Communes"][1:] == ["800\u00a0000\u00a0€", "20\u00a0%"]
    assert lignes["MSA"][1:] == ["—", "—"]  # sans répondant : ni valeur, ni secret


def test_optional_pages_can_be_left_out_but_not_mandatory_ones(cellules):
    c = construire(entrees(cellules, pages=["tendances"]))
    assert "tendances" in c.pages and "comparaison" not in c.pages and "partenariats" not in c.pages
    assert {"couverture", "territoire", "finances", "methodologie"} <= set(c.pages)
    with pytest.raises(ValueError, match="Page inconnue"):
        construire(entrees(cellules, pages=["inconnue"]))


def test_the_national_comparison_page_of_the_nation_lists_the_regions(cellules):
    c = construire(entrees(cellules, lieu=NATION, comparaison=[REGION]))
    comparaison = c.section("comparaison")
    assert comparaison.tableaux[0].lignes[0][0] == "Occitanie"
    assert c.titre == "Les centres sociaux et espaces de vie sociale en France"


def test_the_pdf_is_pdf_ua_tagged_in_french_with_a_title(pdf):
    racine = pdf.trailer["/Root"]
    assert racine["/Lang"] in ("fr", "fr-FR")
    assert bool(racine["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in racine
    xmp = racine["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfuaid:part(>|=\")1", xmp)
    assert pdf.metadata.title == "Plaquette SENACS 2025 — Lozère"
    assert 4 <= len(pdf.pages) <= 8


def test_the_pdf_embeds_only_lato(pdf):
    polices = set()

    def parcourir(objet, vus):
        objet = objet.get_object() if hasattr(objet, "get_object") else objet
        if id(objet) in vus:
            return
        vus.add(id(objet))
        if isinstance(objet, dict):
            if "/BaseFont" in objet:
                polices.add(str(objet["/BaseFont"]).split("+")[-1])
            for v in objet.values():
                parcourir(v, vus)
        elif isinstance(objet, list):
            for v in objet:
                parcourir(v, vus)

    for page in pdf.pages:
        parcourir(page["/Resources"], set())
    assert polices and all(p.startswith("Lato") for p in polices), polices


def test_the_pdf_text_holds_the_french_figures_and_the_local_texts(pdf):
    texte = texte_pdf(pdf)
    for attendu in ("12\u00a0345", "4,6\u00a0M€", "800\u00a0000\u00a0€", "Lozère", "Projet — non publié", "édito"):
        assert attendu in texte, attendu
    assert "<script>x</script>" in texte  # imprimé tel quel, jamais interprété


def test_charts_carry_their_alternative_text_in_the_pdf(pdf, contenu):
    alternatives = set()
    racine = pdf.trailer["/Root"]["/StructTreeRoot"].get_object()

    def parcourir(noeud, profondeur=0):
        noeud = noeud.get_object()
        if isinstance(noeud, dict):
            if "/Alt" in noeud:
                alternatives.add(str(noeud["/Alt"]))
            enfants = noeud.get("/K")
            if enfants is not None:
                for enfant in enfants if isinstance(enfants, list) else [enfants]:
                    if hasattr(enfant, "get_object") and isinstance(enfant.get_object(), dict):
                        parcourir(enfant, profondeur + 1)

    parcourir(racine)
    graphiques = [g for s in contenu.sections for g in s.graphiques if g.svg]
    assert graphiques
    for g in graphiques:
        assert g.alternative in alternatives, g.titre


def test_html_has_the_same_content_accessible(contenu):
    html = rendre_html(contenu)
    assert html.startswith('<article class="plaquette"') and html.endswith("</article>")
    assert "<h1" in html and html.count("<h2") == len(contenu.sections)
    assert "<caption>Financements par financeur</caption>" in html
    assert '<th scope="col">' in html and '<th scope="row">' in html
    assert html.count('role="img"') == sum(1 for s in contenu.sections for g in s.graphiques if g.svg)
    assert "<title id=" in html and "<desc id=" in html
    assert "Associatif 70\u00a0%" in html  # texte de remplacement
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html
    assert "<strong>édito</strong>" in html
    assert "12\u00a0345" in html and 'class="secret"' in html


def test_a_broken_template_gives_a_french_error(contenu):
    with pytest.raises(ErreurRendu, match="n'a pas pu être compilé"):
        rendre_pdf(contenu, source=SOURCE_GABARIT + "\n#let x = (")


def test_a_custom_template_source_is_used(contenu):
    source = SOURCE_GABARIT.replace("Chiffres clés", "Repères du territoire")
    texte = texte_pdf(PdfReader(io.BytesIO(rendre_pdf(contenu, source=source))))
    assert "Repères du territoire" in texte


def test_signatories_are_printed_when_given(contenu):
    from dataclasses import replace

    signee = replace(contenu, signataires=["la Caf de la Lozère", "la fédération des centres sociaux"])
    attendu = "co-signée par la Caf de la Lozère et la fédération des centres sociaux"
    assert attendu in rendre_html(signee)
    assert attendu in texte_pdf(PdfReader(io.BytesIO(rendre_pdf(signee)))).replace("\n", " ")


def test_a_render_with_a_fixed_timestamp_is_byte_for_byte_reproducible(contenu, cellules):
    """Une plaquette publiée se reconstruit à l'identique (même SHA-256) : date de création fixée par
    l'instant de publication, identifiant du document dérivé du contenu."""
    instant = 1_767_225_600  # 1er janvier 2026
    premier = rendre_pdf(contenu, horodatage=instant)
    assert rendre_pdf(contenu, horodatage=instant) == premier
    assert rendre_pdf(contenu, horodatage=instant + 86_400) != premier  # la date compte
    autre = construire(entrees(cellules, textes={"edito": "Un autre édito."}))
    assert rendre_pdf(autre, horodatage=instant) != premier


def _pixels_png(png: bytes) -> tuple[int, int, list[bytes]]:
    """Lignes de pixels RGBA d'un PNG 8 bits non entrelacé (sortie de Typst), sans bibliothèque d'image."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, largeur, hauteur, canaux = 8, b"", 0, 0, 4
    while pos < len(png):
        taille, genre = struct.unpack(">I4s", png[pos : pos + 8])
        corps = png[pos + 8 : pos + 8 + taille]
        if genre == b"IHDR":
            largeur, hauteur, profondeur, couleur = struct.unpack(">IIBB", corps[:10])
            assert profondeur == 8 and couleur in (2, 6)
            canaux = 4 if couleur == 6 else 3
        elif genre == b"IDAT":
            idat += corps
        pos += 12 + taille
    brut, pas, lignes, precedente = zlib.decompress(idat), largeur * canaux, [], bytes(largeur * canaux)
    for y in range(hauteur):
        filtre, ligne = brut[y * (pas + 1)], bytearray(brut[y * (pas + 1) + 1 : (y + 1) * (pas + 1)])
        for i in range(pas):
            a = ligne[i - canaux] if i >= canaux else 0
            b, c = precedente[i], precedente[i - canaux] if i >= canaux else 0
            if filtre == 1:
                ligne[i] = (ligne[i] + a) & 255
            elif filtre == 2:
                ligne[i] = (ligne[i] + b) & 255
            elif filtre == 3:
                ligne[i] = (ligne[i] + (a + b) // 2) & 255
            elif filtre == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                ligne[i] = (ligne[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        lignes.append(bytes(ligne))
        precedente = ligne
    return largeur, canaux, lignes


def test_the_footer_rule_never_strikes_through_the_footer_text(contenu, pdf):
    # Le texte du pied de page s'extrait intact sur chaque page après la couverture…
    for page in pdf.pages[1:]:
        assert "Observatoire SENACS — Lozère — campagne 2025" in page.extract_text()
    # … et, sur l'image des pages, le filet bleu est au-dessus de toute encre du texte du pied de page.
    for png in rendre_png(contenu, ppi=100)[1:3]:
        largeur, canaux, lignes = _pixels_png(png)
        pied = range(len(lignes) - int(16 / 25.4 * 100), len(lignes))  # marge basse de 16 mm

        def bleu(px):
            return px[2] - max(px[0], px[1]) > 40  # filet anticrénelé : bleuté

        def encre(px):
            return max(px[:3]) < 200 and not bleu(px)

        rangees = {y: [lignes[y][x * canaux : x * canaux + 3] for x in range(largeur)] for y in pied}
        filets = [y for y in pied if sum(bleu(p) for p in rangees[y]) > largeur * 0.6]
        texte = [y for y in pied if any(encre(p) for p in rangees[y])]
        assert filets and texte, "pied de page introuvable"
        assert max(filets) < min(texte), (filets, texte[:3])


def test_no_section_prints_a_headline_s_but_a_small_not_released_line(contenu, pdf):
    assert all(c.valeur != "s" for s in contenu.sections for c in s.chiffres)
    assert "salariés" in contenu.chiffres_cles_non_diffuses
    texte = texte_pdf(pdf).replace("\n", " ")
    assert "Non diffusé (secret statistique) : salariés." in texte
    assert "Non diffusé (secret statistique)" in rendre_html(contenu)
