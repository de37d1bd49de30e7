"""Carte choroplèthe des départements en grille de tuiles, rendue par Vega-Lite (aucun fond de carte).

Aucune géométrie tierce : chaque département est un carré placé à une position de grille déclarée
ici (``GRILLE`` : colonne, ligne), qui respecte à peu près la géographie (positions obtenues une fois
par affectation optimale des chefs-lieux sur la grille, puis relues à la main). Les cinq départements
d'outre-mer (971 Guadeloupe, 972 Martinique, 973 Guyane, 974 La Réunion, 976 Mayotte) sont des tuiles
séparées dans une rangée en encart, sous la métropole.

- ``classes(valeurs)`` : au plus cinq classes (quantiles arrondis), libellés en français ;
- ``carte(...)`` → ``Carte`` : spécification Vega-Lite (tuiles colorées, tuiles secrètes hachurées et
  marquées ``s``, étiquettes, légende en français), texte alternatif et lignes du tableau accessible.

Le rendu SVG passe par ``core.graphiques.svg_accessible`` ; le module n'importe pas Django.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.formats import ESPACE_INSECABLE, formater_nombre
from core.territoires import departements_par_code

# --------------------------------------------------------------------------- grille

#: Département → (colonne, ligne) ; ligne 0 en haut (nord). Métropole sur 12 colonnes × 12 lignes.
GRILLE: dict[str, tuple[int, int]] = {
    # ligne 0 : Manche orientale et Nord
    "76": (4, 0), "62": (5, 0), "80": (6, 0), "59": (7, 0),
    # ligne 1
    "14": (3, 1), "27": (4, 1), "95": (5, 1), "60": (6, 1), "93": (7, 1), "02": (8, 1), "08": (9, 1),
    "57": (10, 1),
    # ligne 2
    "50": (2, 2), "61": (3, 2), "78": (4, 2), "92": (5, 2), "75": (6, 2), "94": (7, 2), "51": (8, 2),
    "55": (9, 2), "54": (10, 2), "67": (11, 2),
    # ligne 3
    "29": (0, 3), "22": (1, 3), "35": (2, 3), "53": (3, 3), "72": (4, 3), "28": (5, 3), "91": (6, 3),
    "77": (7, 3), "10": (8, 3), "52": (9, 3), "88": (10, 3), "68": (11, 3),
    # ligne 4
    "56": (1, 4), "44": (2, 4), "49": (3, 4), "37": (4, 4), "41": (5, 4), "45": (6, 4), "58": (7, 4),
    "89": (8, 4), "21": (9, 4), "70": (10, 4), "90": (11, 4),
    # ligne 5
    "85": (2, 5), "79": (3, 5), "86": (4, 5), "36": (5, 5), "18": (6, 5), "03": (7, 5), "71": (8, 5),
    "39": (9, 5), "25": (10, 5),
    # ligne 6
    "17": (3, 6), "16": (4, 6), "87": (5, 6), "23": (6, 6), "63": (7, 6), "69": (8, 6), "01": (9, 6),
    "74": (10, 6),
    # ligne 7
    "33": (3, 7), "24": (4, 7), "19": (5, 7), "15": (6, 7), "43": (7, 7), "42": (8, 7), "38": (9, 7),
    "73": (10, 7),
    # ligne 8
    "47": (4, 8), "46": (5, 8), "12": (6, 8), "48": (7, 8), "07": (8, 8), "26": (9, 8), "05": (10, 8),
    # ligne 9
    "40": (3, 9), "32": (4, 9), "82": (5, 9), "81": (6, 9), "34": (7, 9), "30": (8, 9), "84": (9, 9),
    "04": (10, 9), "06": (11, 9),
    # ligne 10 : Pyrénées, Méditerranée et Corse
    "64": (3, 10), "65": (4, 10), "31": (5, 10), "11": (6, 10), "13": (9, 10), "83": (10, 10), "2B": (11, 10),
    # ligne 11
    "09": (5, 11), "66": (6, 11), "2A": (11, 11),
    # encart outre-mer (ligne 13, sous une ligne vide qui porte son titre)
    "971": (0, 13), "972": (1, 13), "973": (2, 13), "974": (3, 13), "976": (4, 13),
}  # fmt: skip

DROM = ("971", "972", "973", "974", "976")
LIGNE_ENCART = 13

#: Couleurs des classes (du plus clair au plus foncé), contrastées entre elles et avec le texte.
COULEURS = ["#e3e3fd", "#b1b1f9", "#7b7bf0", "#3b3bd0", "#000091"]
COULEUR_SECRET = "#f2f2f2"
COULEUR_ABSENT = "#ffffff"
COULEUR_HACHURE = "#3a3a3a"
LIBELLE_SECRET = "s : secret statistique (tuile hachurée)"
LIBELLE_ABSENT = "aucune donnée"

STATUT_PUBLIE = "publie"
STATUT_SECRET = "secret"
STATUT_ABSENT = "absent"


@dataclass(frozen=True)
class ValeurDepartement:
    """La cellule d'un département : valeur publiée, secrète (``valeur`` None) ou absente."""

    code: str
    valeur: float | None
    statut: str  # publie | secret | absent
    repondants: int | None = None


@dataclass(frozen=True)
class Classe:
    minimum: float
    maximum: float
    libelle: str
    couleur: str

    def contient(self, v: float) -> bool:
        return self.minimum <= v <= self.maximum


@dataclass
class LigneCarte:
    code: str
    nom: str
    texte: str  # valeur mise en forme, « s » ou « – »
    repondants: str
    classe: str


@dataclass
class Carte:
    spec: dict[str, Any]
    texte_alternatif: str
    lignes: list[LigneCarte]
    classes: list[Classe] = field(default_factory=list)


# --------------------------------------------------------------------------- classes


def _arrondi(v: float, decimales: int) -> float:
    facteur = 10**decimales
    return math.floor(v * facteur + 0.5) / facteur


def classes(valeurs: Iterable[float], *, decimales: int = 1, nombre: int = 5, unite: str = "") -> list[Classe]:
    """Classes par quantiles (au plus ``nombre``, bornes arrondies, sans doublon), libellés français
    « de 12,5 à 18,0 % ». Aucune classe sans valeur publiée."""
    vs = sorted(float(v) for v in valeurs if v is not None and math.isfinite(v))
    if not vs:
        return []
    nombre = max(1, min(nombre, len(set(vs))))
    bornes: list[float] = [_arrondi(vs[0], decimales)]
    for i in range(1, nombre):
        rang = i * (len(vs) - 1) / nombre
        bas, frac = int(rang), rang - int(rang)
        q = vs[bas] + (vs[min(bas + 1, len(vs) - 1)] - vs[bas]) * frac
        b = _arrondi(q, decimales)
        if b > bornes[-1]:
            bornes.append(b)
    fin = _arrondi(vs[-1], decimales)
    if fin > bornes[-1] or len(bornes) == 1:
        bornes.append(max(fin, bornes[-1]))
    suffixe = f"{ESPACE_INSECABLE}{unite}" if unite else ""
    n = len(bornes) - 1
    # Couleurs réparties sur la palette : deux classes = clair et foncé.
    indices = [round(i * (len(COULEURS) - 1) / max(n - 1, 1)) for i in range(n)]
    sortie = []
    for i in range(n):
        bas, haut = bornes[i], bornes[i + 1]
        if i == n - 1:
            haut = max(haut, vs[-1])
        libelle = f"de {formater_nombre(bas, decimales)} à {formater_nombre(haut, decimales)}{suffixe}"
        sortie.append(Classe(bas if i else vs[0], haut, libelle, COULEURS[indices[i]]))
    return sortie


def classe_de(v: float, cls: Sequence[Classe]) -> Classe | None:
    """La classe d'une valeur : la première dont l'intervalle la contient (bornes incluses)."""
    for c in cls:
        if v <= c.maximum:
            return c
    return cls[-1] if cls else None


# --------------------------------------------------------------------------- texte court des tuiles


def texte_court(v: float, decimales: int) -> str:
    """Valeur abrégée pour une tuile (le tableau donne la valeur complète) : 1,2 M ; 45 k ; 12,5."""
    a = abs(v)
    if a >= 1_000_000:
        return f"{formater_nombre(v / 1_000_000, 1)}{ESPACE_INSECABLE}M"
    if a >= 10_000:
        return f"{formater_nombre(v / 1_000, 0)}{ESPACE_INSECABLE}k"
    return formater_nombre(v, decimales if a < 100 else 0)


# --------------------------------------------------------------------------- carte


def _couleur_texte(fond: str) -> str:
    r, g, b = (int(fond[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#ffffff" if luminance < 140 else "#161616"


def _hachures(col: int, ligne: int) -> list[dict[str, float]]:
    """Diagonales parallèles inscrites dans la tuile, hors de la bande centrale qui porte le code et ``s``."""
    m, M = 0.06, 0.94
    segments = []
    for t in (0.2, 0.45, 0.68, 1.38, 1.6, 1.82):
        # droite x + y = t dans le carré unité, bornée à [m, M]
        x0, y0 = max(m, t - M), min(M, t - m)
        x1, y1 = min(M, t - m), max(m, t - M)
        if x1 - x0 < 0.05:
            continue
        segments.append({"x": col + x0, "y": ligne + y0, "x2": col + x1, "y2": ligne + y1})
    return segments


def carte(
    valeurs: Iterable[ValeurDepartement],
    *,
    titre: str,
    departements: Iterable[str] | None = None,
    unite: str = "",
    decimales: int = 1,
    taille_tuile: int | None = None,
) -> Carte:
    """Carte des ``departements`` (tous par défaut) : une tuile par département, colorée par classe de
    sa valeur publiée ; hachurée et marquée ``s`` si la valeur est secrète ; blanche si absente."""
    par_code = {v.code: v for v in valeurs}
    noms = departements_par_code()
    codes = sorted(departements if departements is not None else GRILLE, key=lambda c: (GRILLE[c][1], GRILLE[c][0]))
    codes = [c for c in codes if c in GRILLE]
    if not codes:
        raise ValueError("Aucun département à cartographier.")
    publiees = [
        par_code[c].valeur for c in codes if c in par_code and par_code[c].statut == STATUT_PUBLIE
    ]  # fmt: skip
    cls = classes([v for v in publiees if v is not None], decimales=decimales, unite=unite)

    # Cadrage : la boîte des tuiles retenues ; l'encart outre-mer est rapproché de la métropole.
    metropole = [c for c in codes if c not in DROM]
    outre_mer = [c for c in codes if c in DROM]
    positions: dict[str, tuple[int, int]] = {}
    if metropole:
        col0 = min(GRILLE[c][0] for c in metropole)
        lig0 = min(GRILLE[c][1] for c in metropole)
        for c in metropole:
            positions[c] = (GRILLE[c][0] - col0, GRILLE[c][1] - lig0)
        derniere = max(p[1] for p in positions.values())
        encart = derniere + 2
    else:
        encart = 0
    for i, c in enumerate(outre_mer):
        positions[c] = (i, encart)
    colonnes = max(p[0] for p in positions.values()) + 1
    lignes_grille = max(p[1] for p in positions.values()) + 1
    taille = taille_tuile or (46 if len(codes) > 30 else 72)

    tuiles, hachures, lignes = [], [], []
    for c in codes:
        col, lig = positions[c]
        v = par_code.get(c) or ValeurDepartement(c, None, STATUT_ABSENT)
        nom = noms[c].nom if c in noms else c
        repondants = "" if v.repondants is None else formater_nombre(v.repondants, 0)
        if v.statut == STATUT_PUBLIE and v.valeur is not None:
            k = classe_de(v.valeur, cls)
            fond, libelle_classe = k.couleur, k.libelle
            texte, court = formater_nombre(v.valeur, decimales), texte_court(v.valeur, decimales)
        elif v.statut == STATUT_SECRET:
            fond, libelle_classe, texte, court = COULEUR_SECRET, LIBELLE_SECRET, "s", "s"
            hachures.extend(_hachures(col, lig))
        else:
            fond, libelle_classe, texte, court = COULEUR_ABSENT, LIBELLE_ABSENT, "–", "–"
        if unite and texte not in ("s", "–"):
            texte = f"{texte}{ESPACE_INSECABLE}{unite}"
        tuiles.append(
            {
                "code": c,
                "nom": nom,
                "x": col + 0.04,
                "x2": col + 0.96,
                "y": lig + 0.04,
                "y2": lig + 0.96,
                "xc": col + 0.5,
                "yc": lig + 0.5,
                "classe": libelle_classe,
                "valeur": texte,
                "court": court,
                "encre": _couleur_texte(fond) if v.statut == STATUT_PUBLIE else "#161616",
                "repondants": repondants or "–",
            }
        )
        lignes.append(LigneCarte(c, nom, texte, repondants or "–", libelle_classe))

    domaine = [k.libelle for k in cls]
    couleurs = [k.couleur for k in cls]
    statuts = {t["classe"] for t in tuiles}
    for libelle, couleur in ((LIBELLE_SECRET, COULEUR_SECRET), (LIBELLE_ABSENT, COULEUR_ABSENT)):
        if libelle in statuts:
            domaine.append(libelle)
            couleurs.append(couleur)

    x = {"field": "x", "type": "quantitative", "scale": {"domain": [0, colonnes], "nice": False}, "axis": None}
    y = {
        "field": "y",
        "type": "quantitative",
        "scale": {"domain": [0, lignes_grille], "reverse": True, "nice": False},
        "axis": None,
    }
    couches: list[dict[str, Any]] = [
        {
            "data": {"values": tuiles},
            "mark": {"type": "rect", "stroke": "#6a6a6a", "strokeWidth": 0.6},
            "encoding": {
                "x": x,
                "x2": {"field": "x2"},
                "y": y,
                "y2": {"field": "y2"},
                "color": {
                    "field": "classe",
                    "type": "nominal",
                    "scale": {"domain": domaine, "range": couleurs},
                    "sort": domaine,
                    "legend": {
                        "title": "Légende",
                        "orient": "right",
                        "labelLimit": 320,
                        "symbolType": "square",
                        "symbolStrokeColor": "#6a6a6a",
                    },
                },
                "tooltip": [
                    {"field": "nom", "title": "Département"},
                    {"field": "valeur", "title": "Valeur"},
                    {"field": "repondants", "title": "Répondants"},
                ],
            },
        }
    ]
    if hachures:
        couches.append(
            {
                "data": {"values": hachures},
                "mark": {"type": "rule", "color": COULEUR_HACHURE, "strokeWidth": 1},
                "encoding": {"x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"}},
            }
        )
    xc = {**x, "field": "xc"}
    yc = {**y, "field": "yc"}
    petite = taille < 60
    couches += [
        {
            "data": {"values": tuiles},
            "mark": {"type": "text", "dy": -7, "fontSize": 10 if petite else 12, "fontWeight": "bold"},
            "encoding": {"x": xc, "y": yc, "text": {"field": "code"}, "color": {"field": "encre", "scale": None}},
        },
        {
            "data": {"values": tuiles},
            "mark": {"type": "text", "dy": 8, "fontSize": 9 if petite else 11},
            "encoding": {"x": xc, "y": yc, "text": {"field": "court"}, "color": {"field": "encre", "scale": None}},
        },
    ]
    if outre_mer and metropole:
        couches.append(
            {
                "data": {"values": [{"xc": 0, "yc": encart - 0.45, "t": "Outre-mer"}]},
                "mark": {"type": "text", "align": "left", "fontSize": 11, "fontStyle": "italic", "color": "#161616"},
                "encoding": {"x": xc, "y": yc, "text": {"field": "t"}},
            }
        )
    spec = {
        "title": titre,
        "width": colonnes * taille,
        "height": lignes_grille * taille,
        "layer": couches,
    }
    return Carte(spec=spec, texte_alternatif=texte_alternatif(titre, lignes, cls), lignes=lignes, classes=cls)


def texte_alternatif(titre: str, lignes: Sequence[LigneCarte], cls: Sequence[Classe]) -> str:
    secrets = [lg.code for lg in lignes if lg.texte == "s"]
    absents = [lg.code for lg in lignes if lg.texte == "–"]
    morceaux = [f"{titre}. Carte de {len(lignes)} départements en tuiles."]
    if cls:
        morceaux.append("Classes : " + " ; ".join(k.libelle for k in cls) + ".")
    valeurs = [f"{lg.nom} ({lg.code}) {lg.texte}" for lg in lignes if lg.texte not in ("s", "–")]
    if valeurs:
        morceaux.append("Valeurs : " + " ; ".join(valeurs) + ".")
    if secrets:
        morceaux.append(f"Secret statistique (s) : {', '.join(secrets)}.")
    if absents:
        morceaux.append(f"Aucune donnée : {', '.join(absents)}.")
    morceaux.append("Le tableau sous la carte donne les mêmes chiffres.")
    return " ".join(morceaux)


# --------------------------------------------------------------------------- lecture des cellules diffusées


def valeurs_depuis_cellules(
    cellules: Any,
    *,
    departements: Iterable[str],
    public: str,
    question: str,
    statistique: str,
    modalite: str = "",
) -> list[ValeurDepartement]:
    """Valeurs par département lues dans une table de cellules **publiques** (polars, colonnes du
    schéma ``agregats-v1`` : ``niveau``, ``territoire``, ``public``, ``question``, ``statistique``,
    ``modalite``, ``valeur``, ``statut``). Rien d'autre que des cellules déjà diffusées : une cellule
    ``secret`` reste secrète, une cellule « sans objet » ou absente est « aucune donnée ». Les
    répondants sont ceux de la question (statistique ``repondants``), publiés."""
    import polars as pl

    deps = sorted(set(departements))
    t = cellules.filter(
        (pl.col("niveau") == "departement")
        & pl.col("territoire").is_in(deps)
        & (pl.col("public") == public)
        & (pl.col("question") == question)
    )
    valeurs: dict[str, tuple[float | None, str]] = {}
    repondants: dict[str, int | None] = {}
    for territoire, stat, mod, valeur, statut in t.select(
        "territoire", "statistique", "modalite", "valeur", "statut"
    ).iter_rows():
        mod = mod or ""
        if stat == "repondants" and not mod:
            repondants[territoire] = int(valeur) if statut == STATUT_PUBLIE and valeur is not None else None
        elif stat == statistique and mod == (modalite or ""):
            if statut == STATUT_PUBLIE and valeur is not None:
                valeurs[territoire] = (float(valeur), STATUT_PUBLIE)
            elif statut == STATUT_SECRET:
                valeurs[territoire] = (None, STATUT_SECRET)
    sortie = []
    for d in deps:
        valeur, statut = valeurs.get(d, (None, STATUT_ABSENT))
        sortie.append(ValeurDepartement(d, valeur, statut, repondants.get(d)))
    return sortie
