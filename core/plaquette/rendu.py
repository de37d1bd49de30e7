"""Rendu d'une plaquette : PDF/UA-1 par Typst (gabarit national) et fragment HTML du même contenu.

- :func:`rendre_pdf` compile le gabarit (``gabarit/plaquette.typ`` ou une ``source`` versionnée par le
  rôle national) avec les données en JSON (``sys.inputs.donnees``), la police Lato du paquet
  ``font-lato`` seulement (``ignore_system_fonts=True``) et la norme PDF/UA-1 (document balisé, titré,
  en français ; chaque graphique porte son texte de remplacement). Un compilateur Typst est gardé par
  source de gabarit : les polices ne sont chargées qu'une fois.
- :func:`rendre_html` produit un ``<article>`` : titres hiérarchisés, tableaux avec ``<caption>`` et
  ``<th scope>``, SVG en ligne avec ``role="img"``, ``<title>`` et ``<desc>`` ; les textes locaux passent
  par le sous-ensemble Markdown sûr (``core.plaquette.markdown.vers_html``).
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import threading
from dataclasses import asdict
from html import escape
from pathlib import Path

import typst

from core.graphiques import dossier_polices
from core.plaquette.markdown import vers_html, vers_typst
from core.plaquette.modele import ContenuPlaquette, Graphique, Tableau

VERSION_GABARIT = "2025.2"
FICHIER_GABARIT = Path(__file__).parent / "gabarit" / "plaquette.typ"
SOURCE_GABARIT: str = FICHIER_GABARIT.read_text(encoding="utf-8")

#: Rubriques qui commencent une nouvelle page (les autres suivent la précédente sur la même page).
SAUTS_DE_PAGE = ("methodologie",)


AUCUNE_VALEUR = "Aucune valeur publiable : toutes les modalités sont couvertes par le secret statistique (s)."


class ErreurRendu(RuntimeError):
    """Compilation du gabarit impossible (gabarit invalide) ; message en français."""


# --------------------------------------------------------------------------- PDF


_compilateurs: dict[str, typst.Compiler] = {}
_verrou = threading.Lock()


_dossier_gabarits: Path | None = None


def _fichier_gabarit(source: str, cle: str) -> Path:
    """Le compilateur Typst lit un fichier : chaque source de gabarit est écrite une fois dans un dossier
    temporaire propre au processus (le gabarit par défaut est lu sur place)."""
    global _dossier_gabarits
    if source == SOURCE_GABARIT:
        return FICHIER_GABARIT
    if _dossier_gabarits is None:
        _dossier_gabarits = Path(tempfile.mkdtemp(prefix="senacs-gabarits-"))
    chemin = _dossier_gabarits / f"gabarit-{cle}.typ"
    if not chemin.exists():
        chemin.write_text(source, encoding="utf-8")
    return chemin


def _compilateur(source: str) -> tuple[typst.Compiler, threading.Lock]:
    cle = hashlib.sha256(source.encode("utf-8")).hexdigest()
    with _verrou:
        comp = _compilateurs.get(cle)
        if comp is None:
            chemin = _fichier_gabarit(source, cle)
            comp = typst.Compiler(
                str(chemin),
                root=str(chemin.parent),
                font_paths=[str(dossier_polices())],
                ignore_system_fonts=True,
            )
            if len(_compilateurs) > 8:
                _compilateurs.clear()
            _compilateurs[cle] = comp
    return comp, _verrou_compilation


_verrou_compilation = threading.Lock()


_LARGEUR_SVG = re.compile(r'<svg\b[^>]*?\swidth="([0-9.]+)')
#: Échelle commune des graphiques (points Typst par pixel SVG) : même taille de texte dans tous les graphiques.
ECHELLE_GRAPHIQUES = 0.64
LARGEUR_MAX_PT = 250.0


def _largeur_pt(svg: str) -> float:
    m = _LARGEUR_SVG.search(svg or "")
    if not m:
        return LARGEUR_MAX_PT
    return round(min(float(m.group(1)) * ECHELLE_GRAPHIQUES, LARGEUR_MAX_PT), 1)


def donnees_typst(contenu: ContenuPlaquette) -> str:
    """Le JSON passé au gabarit : le contenu, plus les textes locaux convertis en balisage Typst sûr."""
    donnees = asdict(contenu)
    for section in donnees["sections"]:
        section["texte_typst"] = vers_typst(section["texte"]) if section["texte"].strip() else ""
        for g in section["graphiques"]:
            g["largeur_pt"] = _largeur_pt(g["svg"])
    donnees["sauts"] = list(SAUTS_DE_PAGE)
    return json.dumps(donnees, ensure_ascii=False)


def compiler(donnees_json: str, *, source: str | None = None, horodatage: int | None = None) -> bytes:
    """Compile le gabarit avec des données déjà préparées (voir :func:`donnees_typst`).

    ``horodatage`` (secondes depuis 1970) fixe la date de création du PDF : avec lui, le rendu est
    **reproductible octet pour octet** (l'identifiant du document est dérivé du contenu par Typst) ;
    sans lui, la date est celle du rendu."""
    comp, verrou = _compilateur(source if source is not None else SOURCE_GABARIT)
    try:
        with verrou:
            pdf = comp.compile(sys_inputs={"donnees": donnees_json}, pdf_standards=["ua-1"], timestamp=horodatage)
    except Exception as exc:  # typst.TypstError : gabarit invalide ou contenu non conforme PDF/UA
        raise ErreurRendu(f"Le gabarit de la plaquette n'a pas pu être compilé : {exc}") from exc
    if not isinstance(pdf, bytes):  # une seule sortie pour le format PDF
        raise ErreurRendu("La compilation du gabarit n'a pas produit de PDF.")
    return pdf


def rendre_pdf(contenu: ContenuPlaquette, *, source: str | None = None, horodatage: int | None = None) -> bytes:
    """PDF/UA-1 de la plaquette (polices Lato embarquées, aucune police du système) ; ``horodatage`` :
    voir :func:`compiler`."""
    return compiler(donnees_typst(contenu), source=source, horodatage=horodatage)


def rendre_png(contenu: ContenuPlaquette, *, ppi: int = 60, source: str | None = None) -> list[bytes]:
    """Images PNG des pages (aperçus, images de la documentation) : même gabarit, même mise en page."""
    comp, verrou = _compilateur(source if source is not None else SOURCE_GABARIT)
    try:
        with verrou:
            pages = comp.compile(format="png", ppi=ppi, sys_inputs={"donnees": donnees_typst(contenu)})
    except Exception as exc:
        raise ErreurRendu(f"Le gabarit de la plaquette n'a pas pu être compilé : {exc}") from exc
    if pages is None:
        raise ErreurRendu("La compilation du gabarit n'a produit aucune page.")
    return pages if isinstance(pages, list) else [pages]


# --------------------------------------------------------------------------- HTML


_SVG_OUVERTURE = re.compile(r"<svg\b[^>]*>")


def svg_en_ligne(g: Graphique, identifiant: str) -> str:
    """Le SVG du graphique pour une page web : ``role="img"``, ``<title>`` et ``<desc>`` reliés par
    ``aria-labelledby`` (le texte de remplacement décrit les chiffres)."""
    m = _SVG_OUVERTURE.search(g.svg)
    if not m:
        return ""
    entete = m.group(0)
    entete = re.sub(r'\s(role|aria-labelledby|aria-label)="[^"]*"', "", entete)
    entete = entete[:-1] + f' role="img" aria-labelledby="{identifiant}-t {identifiant}-d" focusable="false">'
    titre = (
        f'<title id="{identifiant}-t">{escape(g.titre)}</title>'
        f'<desc id="{identifiant}-d">{escape(g.alternative)}</desc>'
    )
    return g.svg[: m.start()] + entete + titre + g.svg[m.end() :]


def _tableau_html(t: Tableau) -> str:
    texte = len(t.colonnes) == 2 and any(len(ligne[1]) > 14 for ligne in t.lignes)
    classe_tableau = "plaquette-tableau plaquette-tableau--texte" if texte else "plaquette-tableau"
    entete = "".join(f'<th scope="col">{escape(c)}</th>' for c in t.colonnes)
    lignes = []
    for ligne in t.lignes:
        cellules = [f'<th scope="row">{escape(ligne[0])}</th>']
        for v in ligne[1:]:
            classe = ' class="secret"' if v == "s" else ""
            titre = ' title="secret statistique"' if v == "s" else ""
            cellules.append(f"<td{classe}{titre}>{escape(v)}</td>")
        lignes.append(f"<tr>{''.join(cellules)}</tr>")
    note = f'<p class="plaquette-note">{escape(t.note)}</p>' if t.note else ""
    return (
        f'<div class="{classe_tableau}"><table><caption>{escape(t.titre)}</caption>'
        f"<thead><tr>{entete}</tr></thead><tbody>{''.join(lignes)}</tbody></table>{note}</div>"
    )


def _graphique_html(g: Graphique, identifiant: str) -> str:
    if g.svg:
        corps = svg_en_ligne(g, identifiant)
    else:
        corps = f'<p class="plaquette-note">{AUCUNE_VALEUR}</p>'
    note = f'<p class="plaquette-note">{escape(g.note)}</p>' if g.note else ""
    return f'<figure class="plaquette-graphique"><figcaption>{escape(g.titre)}</figcaption>{corps}{note}</figure>'


def _chiffres_html(chiffres, classe: str) -> str:
    if not chiffres:
        return ""
    items = []
    for c in chiffres:
        detail = f'<span class="plaquette-detail">{escape(c.detail)}</span>' if c.detail else ""
        items.append(
            f'<li><span class="plaquette-valeur">{escape(c.valeur)}</span> '
            f'<span class="plaquette-libelle">{escape(c.libelle)}</span>{detail}</li>'
        )
    return f'<ul class="{classe}">{"".join(items)}</ul>'


def _non_diffuses_html(libelles) -> str:
    if not libelles:
        return ""
    return f'<p class="plaquette-note">Non diffusé (secret statistique) : {escape(", ".join(libelles))}.</p>'


def rendre_html(contenu: ContenuPlaquette) -> str:
    """Fragment HTML (``<article>``) du même contenu que le PDF, accessible et sans script."""
    c = contenu
    morceaux = [
        '<article class="plaquette" lang="fr" aria-labelledby="plaquette-titre">',
        '<header class="plaquette-entete">',
        f'<p class="plaquette-surtitre">Observatoire SENACS · campagne {escape(c.campagne)}</p>',
        f'<h1 id="plaquette-titre">{escape(c.titre)}</h1>',
        f'<p class="plaquette-sous-titre">{escape(c.sous_titre)}</p>',
        f'<p class="plaquette-mention">{escape(c.mention)}</p>',
        f'<p class="plaquette-avertissement">{escape(c.avertissement)}</p>' if c.avertissement else "",
        "</header>",
    ]
    numero = 0
    for s in c.sections:
        code = escape(s.code)
        morceaux.append(
            f'<section class="plaquette-section" id="plaquette-{code}" aria-labelledby="plaquette-h-{code}">'
        )
        if s.code == "couverture":
            morceaux.append(f'<h2 id="plaquette-h-{escape(s.code)}">Chiffres clés</h2>')
            morceaux.append(_chiffres_html(c.chiffres_cles, "plaquette-chiffres-cles"))
            morceaux.append(_non_diffuses_html(c.chiffres_cles_non_diffuses))
            if s.texte.strip():
                morceaux.append(
                    f'<h3>{escape(s.bloc_titre)}</h3><div class="plaquette-texte">{vers_html(s.texte)}</div>'
                )
            morceaux.append("</section>")
            continue
        morceaux.append(f'<h2 id="plaquette-h-{escape(s.code)}">{escape(s.titre)}</h2>')
        morceaux.extend(f"<p>{escape(p)}</p>" for p in s.introduction)
        morceaux.append(_chiffres_html(s.chiffres, "plaquette-chiffres"))
        morceaux.append(_non_diffuses_html(s.non_diffuses))
        if s.graphiques or s.tableaux:
            morceaux.append('<div class="plaquette-elements">')
            for g in s.graphiques:
                numero += 1
                morceaux.append(_graphique_html(g, f"plaquette-graphique-{numero}"))
            morceaux.extend(_tableau_html(t) for t in s.tableaux)
            morceaux.append("</div>")
        if s.texte.strip():
            morceaux.append(
                f'<aside class="plaquette-commentaire" aria-label="{escape(s.bloc_titre, quote=True)}">'
                f"<h3>{escape(s.bloc_titre)}</h3>{vers_html(s.texte)}</aside>"
            )
        morceaux.append("</section>")
    pied = f"Gabarit national {c.version_gabarit}."
    if c.signataires:
        noms = (
            c.signataires[0] if len(c.signataires) == 1 else ", ".join(c.signataires[:-1]) + " et " + c.signataires[-1]
        )
        pied = f"Plaquette co-signée par {noms}. " + pied
    if c.edite_le:
        pied += f" Édité le {c.edite_le}."
    morceaux.append(f'<footer class="plaquette-pied"><p>{escape(pied)}</p></footer></article>')
    return "\n".join(m for m in morceaux if m)
