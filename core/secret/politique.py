"""Politique de secret statistique : paramètres par défaut et leur raison d'être.

Les raisons et les sources sont dans ``docs/secret-statistique.md`` (pour les opérateurs et les
COPIL) et dans la note de recherche du projet. Le paramètre ``p_pourcent`` ne doit **jamais** être
publié (Manuel de contrôle de la divulgation : « il est absolument essentiel de garder
confidentiels les paramètres d'une règle de concentration ») : il est exclu de ``repr`` pour ne
pas finir dans un journal ou une trace.
"""

from dataclasses import dataclass, field

from core.stats.modele import PUBLICS


@dataclass(frozen=True, slots=True)
class Politique:
    # Grandeurs (sommes, moyennes) : au moins 3 contributeurs (gestionnaires) — une cellule de 2 est
    # connue de chacun des deux par soustraction de sa propre valeur (règle INSEE, Manuel §4.2).
    frequence_min: int = 3
    # Dominance : le premier contributeur ne doit pas dépasser 85 % du total (pratique INSEE).
    dominance_k: float = 85.0
    # Règle p % : X − x1 − x2 < p/100 · x1 ⇒ sensible (protège contre le 2e contributeur).
    # Paramètre secret : jamais affiché, jamais publié.
    p_pourcent: float = field(default=10.0, repr=False)
    # Quantiles (médiane, quartiles) : seulement à partir de 10 structures.
    quantiles_min: int = 10
    # Pas de répartition par modalité pour moins de 5 répondants à la question.
    repartition_min_repondants: int = 5
    # Intervalle de protection minimal : ±10 % de la valeur de toute cellule sensible.
    intervalle_protection: float = 0.10
    # Protection minimale absolue : une unité (une structure pour les comptes, un euro, un ETP…),
    # pour qu'une cellule sensible de valeur 0 ou 1 ne soit jamais retrouvée exactement.
    protection_min: float = 1.0
    # Publics calculés et publiés.
    publics: tuple[str, ...] = PUBLICS
    # Secret secondaire : coût de suppression ∝ valeur^exposant (τ-ARGUS λ = 0,5), pondéré par niveau
    # (on évite de masquer la nation et les régions, comme la méthode descendante HiTaS).
    cout_exposant: float = 0.5
    poids_niveau: tuple[tuple[str, float], ...] = (
        ("nation", 1000.0),
        ("region", 30.0),
        ("departement", 3.0),
        ("zone", 1.0),
    )
    poids_ensemble: float = 1.5
    # Nombre maximal de tours audit → compléments (le processus converge en 2 ou 3 tours).
    tours_max: int = 12

    def __post_init__(self) -> None:
        if self.frequence_min < 1 or self.quantiles_min < 1 or self.repartition_min_repondants < 1:
            raise ValueError("Seuils de fréquence invalides.")
        if not 0 < self.dominance_k <= 100:
            raise ValueError("La règle de dominance attend k dans ]0, 100].")
        if not 0 <= self.p_pourcent < 100:
            raise ValueError("Paramètre de la règle p % invalide.")
        if self.intervalle_protection < 0 or self.protection_min < 0:
            raise ValueError("Intervalle de protection invalide.")
        if set(self.publics) - set(PUBLICS) or not self.publics:
            raise ValueError("Publics inconnus.")

    def poids(self, niveau: str) -> float:
        return dict(self.poids_niveau).get(niveau, 1.0)
