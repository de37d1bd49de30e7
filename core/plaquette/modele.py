"""Modèle du contenu d'une plaquette : pages du gabarit national, blocs de commentaire, contenu mis en forme.

Tout ce que contient :class:`ContenuPlaquette` est **déjà mis en forme** (chaînes françaises) : le gabarit
n'a plus aucun calcul à faire, il place des textes. Les chiffres viennent uniquement des agrégats protégés ;
une cellule secrète s'imprime ``s``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Page:
    """Une page (rubrique) du gabarit national ; les pages optionnelles peuvent être retirées localement."""

    code: str
    titre: str
    optionnelle: bool


@dataclass(frozen=True)
class Bloc:
    """Un emplacement de commentaire local (Markdown restreint) dans une page du gabarit."""

    code: str
    titre: str
    page: str


PAGES: tuple[Page, ...] = (
    Page("couverture", "Couverture et chiffres clés", False),
    Page("qu-est-ce", "Centres sociaux et espaces de vie sociale", True),
    Page("territoire", "Le territoire", False),
    Page("projets", "Projets et publics", False),
    Page("participation", "Participation et bénévolat", False),
    Page("rh", "Ressources humaines", False),
    Page("finances", "Finances et financeurs", False),
    Page("partenariats", "Partenariats", True),
    Page("tendances", "Évolutions", True),
    Page("comparaison", "Comparaison nationale", True),
    Page("methodologie", "Méthodologie", False),
)

BLOCS: tuple[Bloc, ...] = (
    Bloc("edito", "Édito", "couverture"),
    Bloc("territoire", "Commentaire sur le territoire", "territoire"),
    Bloc("projets", "Commentaire sur les projets et les publics", "projets"),
    Bloc("participation", "Commentaire sur la participation et le bénévolat", "participation"),
    Bloc("rh", "Commentaire sur les ressources humaines", "rh"),
    Bloc("finances", "Commentaire sur les finances", "finances"),
    Bloc("partenariats", "Commentaire sur les partenariats", "partenariats"),
    Bloc("tendances", "Commentaire sur les évolutions", "tendances"),
    Bloc("comparaison", "Commentaire sur la comparaison nationale", "comparaison"),
)

PAGES_PAR_CODE = {p.code: p for p in PAGES}
BLOCS_PAR_CODE = {b.code: b for b in BLOCS}


def pages_incluses(pages=None) -> list[str]:
    """Codes des pages retenues, dans l'ordre du gabarit : les obligatoires toujours, les optionnelles
    seulement si elles sont demandées (``pages=None`` : toutes). Lève ``ValueError`` pour un code inconnu."""
    if pages is None:
        return [p.code for p in PAGES]
    demandees = set(pages)
    inconnues = sorted(demandees - set(PAGES_PAR_CODE))
    if inconnues:
        raise ValueError(f"Page inconnue dans le gabarit : {', '.join(inconnues)}.")
    return [p.code for p in PAGES if not p.optionnelle or p.code in demandees]


@dataclass
class Chiffre:
    """Un chiffre clé : valeur mise en forme (``"1 234"``, ``"s"``) et son libellé."""

    libelle: str
    valeur: str
    detail: str = ""


@dataclass
class Tableau:
    """Un tableau : première ligne d'en-tête (``colonnes``), première colonne d'en-tête de ligne."""

    titre: str
    colonnes: list[str]
    lignes: list[list[str]]
    note: str = ""
    pleine_largeur: bool = False  # sinon : pleine largeur seulement au-delà de trois colonnes


@dataclass
class Graphique:
    """Un graphique : SVG (Vega-Lite → vl-convert) et texte de remplacement construit à partir des chiffres."""

    titre: str
    svg: str
    alternative: str
    note: str = ""


@dataclass
class Section:
    """Le contenu d'une page (rubrique) du gabarit."""

    code: str
    titre: str
    introduction: list[str] = field(default_factory=list)  # paragraphes fixes du gabarit (texte brut)
    chiffres: list[Chiffre] = field(default_factory=list)
    # libellés des chiffres de la rangée couverts par le secret : jamais un « s » en grand, une ligne sobre
    non_diffuses: list[str] = field(default_factory=list)
    graphiques: list[Graphique] = field(default_factory=list)
    tableaux: list[Tableau] = field(default_factory=list)
    bloc: str = ""  # code du bloc de commentaire local de la page ("" : aucun)
    bloc_titre: str = ""
    texte: str = ""  # commentaire local (Markdown restreint, non encore converti)


@dataclass
class ContenuPlaquette:
    """Tout ce que le gabarit affiche, déjà mis en forme en français."""

    cle: str  # "FR", "R:84", "D:48"
    niveau: str  # "nation", "region", "departement"
    territoire: str  # "Lozère", "Auvergne-Rhône-Alpes", "France"
    titre: str  # titre de couverture
    sous_titre: str
    titre_document: str  # métadonnées du PDF
    campagne: str  # "2025"
    annee_donnees: str  # "2024"
    mention: str  # "Projet — non publié", "Publiée le 29/11/2026"
    version_gabarit: str
    chiffres_cles: list[Chiffre] = field(default_factory=list)
    chiffres_cles_non_diffuses: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)  # pages retenues, dans l'ordre du gabarit
    signataires: list[str] = field(default_factory=list)  # « Caf du Rhône », « Fédération des centres sociaux… »
    edite_le: str = ""
    avertissement: str = ""  # p. ex. territoire où presque tout est couvert par le secret statistique

    @property
    def pages(self) -> list[str]:
        return [s.code for s in self.sections]

    def section(self, code: str) -> Section | None:
        return next((s for s in self.sections if s.code == code), None)

    def vers_dict(self) -> dict:
        return asdict(self)

    def vers_json(self) -> str:
        return json.dumps(self.vers_dict(), ensure_ascii=False)
