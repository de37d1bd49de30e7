"""Seuils des détecteurs de valeurs suspectes : valeurs par défaut et surcharge par les réglages.

Les valeurs par défaut sont celles de ``Seuils()`` ; leur raison d'être est écrite dans
``docs/controles.md``. En production, le réglage Django ``SENACS_CONTROLES`` (un dictionnaire) en
remplace une partie : ``Seuils.depuis_reglage({"z_max": 4.0, "ratios": {"cout_etp": {"minimum": 22000}}})``.
Une clé inconnue lève ``ValueError`` (une faute de frappe ne passe pas inaperçue).
"""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

GRAVITES = ("bloquant", "avertissement", "information")
TAILLES = ("petite", "moyenne", "grande")

# Grandeurs suivies d'une année sur l'autre : budget, lignes de financement, emploi, bénévoles, public.
LIGNES_FINANCEMENT = tuple(f"F{n:02d}" for n in range(6, 21))
VARIABLES_EVOLUTION = ("F02", "F04", *LIGNES_FINANCEMENT, "E01", "E02", "D03", "H01")
VARIABLES_PAIRS = ("F02", "F03", "F04", "E01", "E02", "D03", "D04", "H01")


def _planchers() -> dict[str, float]:
    planchers: dict[str, float] = {"F02": 20_000, "F03": 15_000, "F04": 20_000}
    planchers |= {code: 10_000 for code in LIGNES_FINANCEMENT}
    planchers |= {"E01": 5, "E02": 2, "D03": 10, "D04": 500, "H01": 100}
    return planchers


@dataclass(frozen=True, slots=True)
class Ratio:
    """Un rapport interne entre deux réponses, qui doit rester dans une fourchette."""

    code: str
    numerateur: str
    denominateur: str
    minimum: float | None
    maximum: float | None
    gravite: str
    libelle: str  # « Le coût moyen d'un ETP », suivi de « (F03 / E02) » dans le message
    unite: str = ""  # "€", "h", "" : unité du rapport dans le message


def _ratios() -> tuple[Ratio, ...]:
    return (
        Ratio("cout_etp", "F03", "E02", 25_000, 70_000, "avertissement", "Le coût moyen d'un ETP", "€"),
        Ratio("heures_benevole", "D04", "D03", None, 500, "avertissement", "Le nombre d'heures par bénévole", "h"),
        Ratio("etp_par_salarie", "E02", "E01", None, 1, "bloquant", "Le nombre d'ETP par salarié"),
        Ratio("part_personnel", "F03", "F02", None, 1, "bloquant", "La part des charges de personnel", "%"),
    )


@dataclass(frozen=True)
class Seuils:
    """Tous les seuils des détecteurs (D-EVOL, D-UNITE, D-PAIRS, D-RATIO)."""

    # Taille : budget de référence en euros — médiane de trois estimations (produits ou charges de
    # l'an dernier, de l'année, ETP × budget_par_etp), pour qu'une erreur d'unité, cette année ou l'an
    # dernier, ne change pas la structure de tranche ; avec deux estimations seulement : l'an dernier,
    # sinon les ETP, sinon l'année. Bornes (petite < bas ≤ moyenne < haut ≤ grande) par type.
    bornes_taille: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: {"CS": (300_000.0, 800_000.0), "EVS": (40_000.0, 120_000.0)}
    )
    budget_par_etp: float = 55_000.0
    # D-EVOL : variation relative admise d'une année sur l'autre selon la taille (0,5 = ± 50 % : le
    # chiffre est signalé au-delà de × 1,5 ou en deçà de ÷ 1,5), et plancher absolu par question.
    variables_evolution: tuple[str, ...] = VARIABLES_EVOLUTION
    evolution_max: Mapping[str, float] = field(default_factory=lambda: {"petite": 1.0, "moyenne": 0.75, "grande": 0.5})
    # Une ligne de financement dépend d'une seule décision (subvention nouvelle ou arrêtée) : elle
    # varie plus que les totaux ; seuil propre aux lignes F06–F20, quelle que soit la taille.
    evolution_max_lignes: float = 1.0
    planchers: Mapping[str, float] = field(default_factory=_planchers)
    # D-UNITE : facteurs recherchés (× ou ÷ 10, 100, 1 000 par rapport à l'an dernier), tolérance en
    # log10 autour de la puissance de dix ; facteurs recherchés par rapport à la médiane des pairs
    # quand l'an dernier manque, avec leur tolérance.
    facteurs_unite: tuple[int, ...] = (10, 100, 1000)
    tolerance_unite: float = 0.15
    facteurs_unite_pairs: tuple[int, ...] = (100, 1000)
    tolerance_unite_pairs: float = 0.35
    # D-PAIRS : écart robuste (médiane, MAD) en logarithme dans le groupe type × taille × urbain/rural.
    variables_pairs: tuple[str, ...] = VARIABLES_PAIRS
    # Les montants du budget définissent la tranche de taille : les comparer dans leur tranche serait
    # circulaire (et gonflerait les écarts dans la tranche ouverte « grande »). Ils se comparent dans
    # le groupe type × urbain/rural, les autres grandeurs dans type × taille × urbain/rural.
    pairs_sans_taille: tuple[str, ...] = ("F02", "F03", "F04")
    z_max: float = 3.5
    taille_min_groupe: int = 20
    # D-RATIO : rapports internes et leurs fourchettes.
    ratios: tuple[Ratio, ...] = field(default_factory=_ratios)
    # Gravité de chaque détecteur (D-RATIO : celle de chaque rapport).
    gravites: Mapping[str, str] = field(
        default_factory=lambda: {"D-EVOL": "avertissement", "D-UNITE": "avertissement", "D-PAIRS": "information"}
    )

    def __post_init__(self):
        for gravite in list(self.gravites.values()) + [r.gravite for r in self.ratios]:
            if gravite not in GRAVITES:
                raise ValueError(f"Gravité « {gravite} » inconnue (possibles : {', '.join(GRAVITES)}).")
        for taille in TAILLES:
            if taille not in self.evolution_max:
                raise ValueError(f"evolution_max : la taille « {taille} » manque.")
        for type_structure, (bas, haut) in self.bornes_taille.items():
            if not 0 < bas < haut:
                raise ValueError(f"bornes_taille[{type_structure}] : il faut 0 < bas < haut.")
        if self.taille_min_groupe < 3:
            raise ValueError("taille_min_groupe : au moins 3 structures pour parler de pairs.")

    def plancher(self, code: str) -> float:
        return float(self.planchers.get(code, 0))

    def ratio(self, code: str) -> Ratio:
        return next(r for r in self.ratios if r.code == code)

    @classmethod
    def depuis_reglage(cls, reglage: Mapping[str, Any] | None) -> "Seuils":
        """Seuils par défaut, remplacés par ce que donne ``reglage`` (dictionnaires fusionnés clé à clé ;
        ``ratios`` : ``{code: {champ: valeur}}`` modifie un rapport existant)."""
        defaut = cls()
        if not reglage:
            return defaut
        noms = {f.name for f in dataclasses.fields(cls)}
        inconnues = sorted(set(reglage) - noms)
        if inconnues:
            raise ValueError(f"SENACS_CONTROLES : clé(s) inconnue(s) {', '.join(inconnues)}.")
        valeurs: dict[str, Any] = {}
        for nom, valeur in reglage.items():
            actuelle = getattr(defaut, nom)
            if nom == "ratios":
                valeurs[nom] = _fusionner_ratios(defaut.ratios, valeur)
            elif isinstance(actuelle, Mapping):
                fusion = dict(actuelle)
                fusion.update(valeur)
                valeurs[nom] = fusion
            elif isinstance(actuelle, tuple):
                valeurs[nom] = tuple(valeur)
            else:
                valeurs[nom] = type(actuelle)(valeur)
        return dataclasses.replace(defaut, **valeurs)


def _fusionner_ratios(ratios: tuple[Ratio, ...], modifications: Mapping[str, Mapping[str, Any]]) -> tuple[Ratio, ...]:
    par_code = {r.code: r for r in ratios}
    inconnus = sorted(set(modifications) - set(par_code))
    if inconnus:
        raise ValueError(f"SENACS_CONTROLES['ratios'] : rapport(s) inconnu(s) {', '.join(inconnus)}.")
    champs = {f.name for f in dataclasses.fields(Ratio)} - {"code"}
    resultat = []
    for r in ratios:
        changement = dict(modifications.get(r.code, {}))
        mauvais = sorted(set(changement) - champs)
        if mauvais:
            raise ValueError(f"SENACS_CONTROLES['ratios']['{r.code}'] : champ(s) inconnu(s) {', '.join(mauvais)}.")
        resultat.append(dataclasses.replace(r, **changement))
    return tuple(resultat)
