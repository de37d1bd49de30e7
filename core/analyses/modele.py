"""Analyses thématiques : définitions, dimensions, indicateurs et résultats (Python pur, sans Django).

Une analyse croise un indicateur (statistique d'une question : somme, moyenne, part, effectif) avec
0 à 2 dimensions (type de structure, mode de gestion, QPV…), sous des filtres, pour une ou plusieurs
campagnes, sur un territoire (« FR », « R:84 », « D:69 »). Chaque cellule du résultat est protégée
par le secret statistique (``core.analyses.protection``) ; une cellule masquée porte le texte ``s``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

MARGE = "*"
STATISTIQUES = ("somme", "moyenne", "part", "effectif")


@dataclass(frozen=True)
class Dimension:
    """Axe de ventilation : ``modalites`` est un tuple de (code, libellé)."""

    code: str
    libelle: str
    modalites: tuple[tuple[str, str], ...]

    def libelle_modalite(self, code: str) -> str:
        if code == MARGE:
            return "Ensemble"
        return dict(self.modalites).get(code, code)


# Modalités fixes ; la dimension « territoire » reçoit ses modalités (départements du territoire
# choisi) au moment du calcul : voir ``dimension_territoire``.
DIMENSIONS: dict[str, Dimension] = {
    "type": Dimension("type", "Type de structure", (("CS", "Centre social"), ("EVS", "Espace de vie sociale"))),
    "gestion": Dimension(
        "gestion",
        "Mode de gestion",
        (
            ("associative", "Associative"),
            ("municipale", "Municipale ou intercommunale"),
            ("caf", "Caf"),
            ("autre", "Autre"),
        ),
    ),
    "qpv": Dimension("qpv", "Quartier prioritaire (QPV)", (("oui", "En QPV ou à proximité"), ("non", "Hors QPV"))),
    "urbain_rural": Dimension(
        "urbain_rural", "Territoire urbain ou rural", (("urbain", "Urbain"), ("rural", "Rural"))
    ),
    "taille": Dimension(
        "taille",
        "Taille (budget total)",
        (
            ("petite", "Moins de 300 000 €"),
            ("moyenne", "De 300 000 € à 800 000 €"),
            ("grande", "800 000 € et plus"),
            ("nr", "Budget non renseigné"),
        ),
    ),
    "federation": Dimension(
        "federation", "Adhésion à une fédération", (("oui", "Adhérente"), ("non", "Non adhérente"))
    ),
    "territoire": Dimension("territoire", "Département", ()),
}


def dimension_territoire(departements: list[tuple[str, str]]) -> Dimension:
    """La dimension « territoire » avec, pour modalités, les départements (code, libellé) du territoire."""
    return Dimension("territoire", "Département", tuple(departements))


@dataclass(frozen=True)
class Indicateur:
    """Statistique d'une question. ``statistique`` : « somme » | « moyenne » | « part » | « effectif ».

    ``question`` : code de la question (version de référence du questionnaire) ; pour « part » et
    « effectif » d'une question à choix, ``modalite`` désigne la réponse comptée (« oui » par défaut).
    ``unite`` : « euros » | « etp » | « personnes » | « structures » | « pourcentage » | «  » ...
    """

    code: str
    libelle: str
    question: str
    statistique: str
    unite: str
    modalite: str | None = None


_TERRITOIRE = re.compile(r"^(FR|R:\d{2,3}|D:(\d{2,3}|2A|2B))$")


@dataclass(frozen=True)
class DefinitionAnalyse:
    """Définition d'une analyse, sérialisable en JSON (champ ``Analyse.definition``)."""

    indicateur: str
    territoire: str  # « FR » | « R:84 » | « D:69 »
    dimensions: tuple[str, ...] = ()  # 0 à 2 codes de DIMENSIONS
    filtres: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (dimension, modalités gardées)
    campagnes: tuple[int, ...] = ()

    def vers_json(self) -> dict[str, Any]:
        return {
            "indicateur": self.indicateur,
            "territoire": self.territoire,
            "dimensions": list(self.dimensions),
            "filtres": {code: list(modalites) for code, modalites in self.filtres},
            "campagnes": list(self.campagnes),
        }

    @classmethod
    def depuis_json(cls, d: dict[str, Any]) -> DefinitionAnalyse:
        """Lit une définition (dict JSON) ; lève ``ValueError`` (message français) si elle est mal formée."""
        if not isinstance(d, dict):
            raise ValueError("Définition d'analyse illisible.")
        try:
            filtres = d.get("filtres") or {}
            paires: Iterable[tuple[Any, Any]]
            if isinstance(filtres, dict):
                paires = filtres.items()
            else:
                paires = [(f[0], f[1]) for f in filtres]
            filtres_t = tuple(
                sorted((str(code), tuple(sorted({str(m) for m in modalites}))) for code, modalites in paires)
            )
            return cls(
                indicateur=str(d.get("indicateur") or ""),
                territoire=str(d.get("territoire") or ""),
                dimensions=tuple(str(x) for x in (d.get("dimensions") or ())),
                filtres=filtres_t,
                campagnes=tuple(sorted({int(c) for c in (d.get("campagnes") or ())})),
            )
        except (TypeError, ValueError, IndexError, AttributeError) as exc:
            raise ValueError("Définition d'analyse illisible.") from exc

    def normalisee(self) -> DefinitionAnalyse:
        """Filtres triés, campagnes triées et dédoublonnées (forme canonique)."""
        return DefinitionAnalyse(
            indicateur=self.indicateur,
            territoire=self.territoire,
            dimensions=tuple(self.dimensions),
            filtres=tuple(sorted((c, tuple(sorted(set(m)))) for c, m in self.filtres)),
            campagnes=tuple(sorted(set(self.campagnes))),
        )

    def erreurs(self, indicateurs: dict[str, Indicateur] | None = None) -> list[str]:
        """Messages d'erreur en français (liste vide si la définition est valide).

        ``indicateurs`` : catalogue pour vérifier le code d'indicateur (facultatif).
        """
        erreurs: list[str] = []
        if not self.indicateur:
            erreurs.append("Choisissez un indicateur.")
        elif indicateurs is not None and self.indicateur not in indicateurs:
            erreurs.append(f"Indicateur inconnu : « {self.indicateur} ».")
        if not _TERRITOIRE.match(self.territoire or ""):
            erreurs.append("Territoire invalide : attendu « FR », « R:<code région> » ou « D:<code département> ».")
        if len(self.dimensions) > 2:
            erreurs.append("Au plus deux dimensions de ventilation.")
        if len(set(self.dimensions)) != len(self.dimensions):
            erreurs.append("La même dimension est choisie deux fois.")
        for code in self.dimensions:
            if code not in DIMENSIONS:
                erreurs.append(f"Dimension inconnue : « {code} ».")
        vus: set[str] = set()
        for code, modalites in self.filtres:
            if code not in DIMENSIONS:
                erreurs.append(f"Filtre sur une dimension inconnue : « {code} ».")
                continue
            if code in vus:
                erreurs.append(f"Deux filtres sur la même dimension : « {DIMENSIONS[code].libelle} ».")
            vus.add(code)
            if not modalites:
                erreurs.append(f"Le filtre « {DIMENSIONS[code].libelle} » ne garde aucune modalité.")
            connues = {m for m, _ in DIMENSIONS[code].modalites}
            if code != "territoire":
                for m in modalites:
                    if m not in connues:
                        erreurs.append(f"Modalité inconnue pour « {DIMENSIONS[code].libelle} » : « {m} ».")
        if len(self.campagnes) > 12:
            erreurs.append("Au plus douze campagnes.")
        for c in self.campagnes:
            if not 2000 <= int(c) <= 2100:
                erreurs.append(f"Campagne invalide : {c}.")
        return erreurs


@dataclass(frozen=True)
class CelluleAnalyse:
    """Cellule d'un résultat. ``modalites`` : un code par dimension, ``"*"`` pour la marge (ensemble).

    ``texte`` : valeur au format français, ou ``s`` si la cellule est masquée. ``valeur`` est ``None``
    quand la cellule est masquée (la vraie valeur ne sort jamais). ``motif`` (interne, jamais affiché
    aux lecteurs) : « primaire » | « secondaire » | « registre » (différence avec des chiffres déjà
    libérés) | ``None``.
    """

    campagne: int
    modalites: tuple[str, ...]
    valeur: float | None
    texte: str
    repondants: int | None
    masquee: bool
    motif: str | None = None


@dataclass
class ResultatAnalyse:
    definition: DefinitionAnalyse
    indicateur: Indicateur
    cellules: list[CelluleAnalyse]
    lignes: list[tuple[str, str]]  # (code, libellé) — modalités de la 1re dimension (ou campagnes)
    colonnes: list[tuple[str, str]]  # (code, libellé) — modalités de la 2e dimension (ou « * »)
    note_methodologique: str
    spec: dict  # Vega-Lite (cellules masquées non tracées)
    texte_alternatif: str
    libelle_territoire: str = ""
    avertissements: list[str] = field(default_factory=list)

    def cellule(self, campagne: int, *modalites: str) -> CelluleAnalyse | None:
        for c in self.cellules:
            if c.campagne == campagne and c.modalites == tuple(modalites):
                return c
        return None
