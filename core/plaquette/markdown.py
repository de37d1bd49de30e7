"""Sous-ensemble Markdown des textes locaux (édito, commentaires) : validation, HTML sûr, balisage Typst.

Permis : paragraphes (séparés par une ligne vide), **gras**, *italique*, listes à puces (``-`` ou ``*``)
et numérotées (``1.``), liens ``[texte](https://…)`` (http et https seulement). :func:`valider` signale
en français toute autre syntaxe (titres, HTML, images, code, tableaux, citations…) et les textes trop
longs ; :func:`vers_html` et :func:`vers_typst` ne la refusent pas mais l'impriment telle quelle :

- en HTML, tout texte est échappé (``<script>`` s'affiche, ne s'exécute pas) ;
- en Typst, tout texte devient une chaîne littérale (``#"…"``) : un ``#``, un ``]`` ou un ``$`` saisi
  s'imprime, il n'est jamais interprété comme du balisage ou du code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

#: Longueur maximale d'un texte local : l'édito a la place d'une demi-page de couverture, un commentaire
#: celle d'un encadré en bas de rubrique (au-delà, la plaquette dépasserait huit pages).
LONGUEUR_MAX = 900
LONGUEUR_MAX_COMMENTAIRE = 350
LIGNES_MAX = 10
LIGNES_MAX_COMMENTAIRE = 5


def longueur_max(bloc: str | None = None) -> int:
    """Longueur permise pour le bloc ``bloc`` (``edito`` ou un commentaire) ; ``None`` : celle de l'édito."""
    return LONGUEUR_MAX if bloc in (None, "edito") else LONGUEUR_MAX_COMMENTAIRE


def lignes_max(bloc: str | None = None) -> int:
    """Nombre de lignes non vides permis (paragraphes et éléments de liste) pour le bloc ``bloc``."""
    return LIGNES_MAX if bloc in (None, "edito") else LIGNES_MAX_COMMENTAIRE


_PUCE = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_NUMERO = re.compile(r"^\s{0,3}\d{1,3}[.)]\s+(.*)$")
_LIEN = re.compile(r"\[([^\[\]\n]+)\]\(([^()\s]+)\)")
_LIEN_LARGE = re.compile(r"\[([^\[\]\n]*)\]\(\s*([^)\s]*)")
_LIEN_HTTP = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)
_GRAS = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ITALIQUE = re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*|(?<![\w])_(?=\S)(.+?)(?<=\S)_(?![\w])")


# --------------------------------------------------------------------------- arbre


@dataclass
class Noeud:
    nature: str  # "texte", "gras", "italique", "lien"
    texte: str = ""
    enfants: list[Noeud] = field(default_factory=list)
    url: str = ""


@dataclass
class Bloc:
    nature: str  # "paragraphe", "puces", "numeros"
    elements: list[list[Noeud]]  # un paragraphe : un seul élément


def _en_ligne(texte: str) -> list[Noeud]:
    """Analyse les marques en ligne (liens, gras, italique) ; le reste est du texte."""
    noeuds: list[Noeud] = []
    pos = 0
    while pos < len(texte):
        candidats = []
        for nature, motif in (("lien", _LIEN), ("gras", _GRAS), ("italique", _ITALIQUE)):
            m = motif.search(texte, pos)
            if m:
                candidats.append((m.start(), nature, m))
        if not candidats:
            break
        debut, nature, m = min(candidats, key=lambda c: (c[0], ("lien", "gras", "italique").index(c[1])))
        if nature == "lien" and not _LIEN_HTTP.match(m.group(2)):
            # Lien non permis : imprimé tel quel (crochets compris), jamais cliquable.
            noeuds.append(Noeud("texte", texte[pos : m.end()]))
            pos = m.end()
            continue
        if debut > pos:
            noeuds.append(Noeud("texte", texte[pos:debut]))
        if nature == "lien":
            noeuds.append(Noeud("lien", enfants=_en_ligne(m.group(1)), url=m.group(2)))
        else:
            interieur = m.group(1) if m.group(1) is not None else m.group(2)
            noeuds.append(Noeud(nature, enfants=_en_ligne(interieur)))
        pos = m.end()
    if pos < len(texte):
        noeuds.append(Noeud("texte", texte[pos:]))
    return noeuds


def analyser(texte: str) -> list[Bloc]:
    """Découpe le texte en paragraphes et listes, puis analyse les marques en ligne."""
    texte = (texte or "").replace("\r\n", "\n").replace("\r", "\n")
    blocs: list[Bloc] = []
    courant: list[str] = []
    liste: Bloc | None = None

    def fermer_paragraphe():
        if courant:
            blocs.append(Bloc("paragraphe", [_en_ligne(" ".join(ligne.strip() for ligne in courant))]))
            courant.clear()

    for ligne in texte.split("\n"):
        if not ligne.strip():
            fermer_paragraphe()
            liste = None
            continue
        puce, numero = _PUCE.match(ligne), _NUMERO.match(ligne)
        trouve = puce or numero
        if trouve:
            fermer_paragraphe()
            nature = "puces" if puce else "numeros"
            contenu = trouve.group(1)
            if liste is None or liste.nature != nature:
                liste = Bloc(nature, [])
                blocs.append(liste)
            liste.elements.append(_en_ligne(contenu.strip()))
            continue
        if liste is not None and ligne[:1].isspace():
            # Suite d'un élément de liste sur la ligne suivante (indentée).
            dernier = liste.elements[-1]
            dernier.append(Noeud("texte", " "))
            dernier.extend(_en_ligne(ligne.strip()))
            continue
        liste = None
        courant.append(ligne)
    fermer_paragraphe()
    return blocs


# --------------------------------------------------------------------------- validation


_INTERDITS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"^\s{0,3}#{1,6}(\s|$)", re.M), "les titres (« # ») ne sont pas permis : le gabarit fixe les titres"),
    (re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>"), "le HTML n'est pas permis"),
    (re.compile(r"!\["), "les images ne sont pas permises"),
    (re.compile(r"`"), "le code (« ` ») n'est pas permis"),
    (re.compile(r"^\s{0,3}>", re.M), "les citations (« > ») ne sont pas permises"),
    (re.compile(r"^\s*\|.*\|\s*$", re.M), "les tableaux ne sont pas permis"),
    (re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$", re.M), "les lignes de séparation ne sont pas permises"),
    (re.compile(r"^\s{4,}[-*+]\s", re.M), "les listes imbriquées ne sont pas permises"),
)


def valider(texte: str, *, bloc: str | None = None) -> list[str]:
    """Messages d'erreur en français pour une syntaxe non permise ou un texte trop long ; ``[]`` si le
    texte est accepté. ``bloc`` (code du bloc) choisit la longueur permise (:func:`longueur_max`)."""
    texte = (texte or "").replace("\r\n", "\n")
    erreurs = []
    maximum = longueur_max(bloc)
    if len(texte) > maximum:
        erreurs.append(
            f"Le texte est trop long : {len(texte):,} caractères pour {maximum:,} au plus.".replace(",", "\u00a0")
        )
    lignes = sum(1 for ligne in texte.split("\n") if ligne.strip())
    if lignes > lignes_max(bloc):
        erreurs.append(f"Le texte compte trop de lignes : {lignes} pour {lignes_max(bloc)} au plus.")
    for motif, message in _INTERDITS:
        if motif.search(texte):
            erreurs.append(message[0].upper() + message[1:] + ".")
    for m in _LIEN_LARGE.finditer(texte):
        if not _LIEN_HTTP.match(m.group(2)) or not _LIEN.fullmatch(m.group(0) + ")"):
            erreurs.append(
                f"Lien refusé « {m.group(2)[:80]} » : seules les adresses http:// et https:// sont permises."
            )
    if "\x00" in texte:
        erreurs.append("Le texte contient un caractère invalide.")
    return erreurs


# --------------------------------------------------------------------------- HTML


def _html_noeuds(noeuds: list[Noeud]) -> str:
    morceaux = []
    for n in noeuds:
        if n.nature == "texte":
            morceaux.append(escape(n.texte))
        elif n.nature == "gras":
            morceaux.append(f"<strong>{_html_noeuds(n.enfants)}</strong>")
        elif n.nature == "italique":
            morceaux.append(f"<em>{_html_noeuds(n.enfants)}</em>")
        elif n.nature == "lien":
            morceaux.append(
                f'<a href="{escape(n.url, quote=True)}" rel="noopener nofollow">{_html_noeuds(n.enfants)}</a>'
            )
    return "".join(morceaux)


def vers_html(texte: str) -> str:
    """HTML sûr du sous-ensemble : ``<p>``, ``<ul>``/``<ol>``, ``<strong>``, ``<em>``, ``<a>`` (http/https) ;
    tout autre caractère est échappé."""
    sorties = []
    for bloc in analyser(texte):
        if bloc.nature == "paragraphe":
            sorties.append(f"<p>{_html_noeuds(bloc.elements[0])}</p>")
        else:
            balise = "ul" if bloc.nature == "puces" else "ol"
            items = "".join(f"<li>{_html_noeuds(e)}</li>" for e in bloc.elements)
            sorties.append(f"<{balise}>{items}</{balise}>")
    return "\n".join(sorties)


# --------------------------------------------------------------------------- Typst


def chaine_typst(texte: str) -> str:
    """Littéral de chaîne Typst (entre guillemets, caractères spéciaux échappés)."""
    echappe = (
        texte.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
    return f'"{echappe}"'


def _typst_noeuds(noeuds: list[Noeud]) -> str:
    morceaux = []
    for n in noeuds:
        if n.nature == "texte":
            if n.texte:
                morceaux.append(f"#{chaine_typst(n.texte)}")
        elif n.nature == "gras":
            morceaux.append(f"#strong[{_typst_noeuds(n.enfants)}]")
        elif n.nature == "italique":
            morceaux.append(f"#emph[{_typst_noeuds(n.enfants)}]")
        elif n.nature == "lien":
            morceaux.append(f"#link({chaine_typst(n.url)})[{_typst_noeuds(n.enfants)}]")
    return "".join(morceaux)


def vers_typst(texte: str) -> str:
    """Balisage Typst du sous-ensemble (à évaluer par ``eval(…, mode: "markup")``) : chaque texte saisi est
    une chaîne littérale, seuls ``strong``, ``emph``, ``link``, ``list``, ``enum`` et ``parbreak`` sont émis."""
    sorties = []
    for bloc in analyser(texte):
        if bloc.nature == "paragraphe":
            sorties.append(f"#par[{_typst_noeuds(bloc.elements[0])}]")
        else:
            fonction = "list" if bloc.nature == "puces" else "enum"
            items = ", ".join(f"[{_typst_noeuds(e)}]" for e in bloc.elements)
            sorties.append(f"#{fonction}({items})")
    return "\n".join(sorties)
