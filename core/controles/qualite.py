"""Qualité de détection : rappel par genre d'erreur plantée et taux de fausses alertes.

Une erreur plantée est **attrapée** quand la réponse porte au moins une anomalie (de gravité
comptée : bloquant ou avertissement par défaut) dont les questions recoupent celles de l'erreur ;
si l'erreur ne dit pas ses questions, n'importe quelle anomalie de la réponse compte. Une réponse
propre (sans erreur plantée) est une **fausse alerte** dès qu'elle porte une anomalie, toutes
gravités confondues (mesure stricte).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GRAVITES_COMPTEES = ("bloquant", "avertissement")


@dataclass(frozen=True, slots=True)
class Signal:
    questions: tuple[str, ...]
    gravite: str
    code: str = ""


@dataclass
class Qualite:
    par_genre: dict[str, tuple[int, int]] = field(default_factory=dict)  # genre → (attrapées, plantées)
    manquees: list[Any] = field(default_factory=list)
    propres: int = 0
    fausses_alertes: int = 0

    @property
    def attrapees(self) -> int:
        return sum(a for a, _ in self.par_genre.values())

    @property
    def plantees(self) -> int:
        return sum(t for _, t in self.par_genre.values())

    @property
    def rappel(self) -> float:
        return self.attrapees / self.plantees if self.plantees else 1.0

    @property
    def taux_fausses_alertes(self) -> float:
        return self.fausses_alertes / self.propres if self.propres else 0.0

    def rappel_de(self, genre: str) -> float:
        attrapees, total = self.par_genre.get(genre, (0, 0))
        return attrapees / total if total else 1.0


def _attribut(objet: Any, *noms: str, defaut: Any = None) -> Any:
    for nom in noms:
        if isinstance(objet, Mapping) and nom in objet:
            return objet[nom]
        if hasattr(objet, nom):
            return getattr(objet, nom)
    return defaut


def mesurer(
    plantees: Iterable[Any],
    signaux: Mapping[str, Iterable[Signal]],
    identifiants: Iterable[str],
    *,
    gravites: Iterable[str] = GRAVITES_COMPTEES,
) -> Qualite:
    """``plantees`` : objets ou dictionnaires avec ``identifiant`` (ou ``structure``), ``genre`` (ou
    ``type``, ``nature``, ``code``) et, si connues, ``questions`` ; ``signaux`` : identifiant →
    anomalies relevées ; ``identifiants`` : toutes les réponses contrôlées."""
    gravites = set(gravites)
    qualite = Qualite()
    touchees = set()
    comptes: dict[str, list[int]] = {}
    for erreur in plantees:
        identifiant = str(_attribut(erreur, "identifiant", "structure"))
        genre = str(_attribut(erreur, "genre", "type", "nature", "code", defaut="erreur"))
        questions = set(_attribut(erreur, "questions", "codes", defaut=()) or ())
        touchees.add(identifiant)
        compte = comptes.setdefault(genre, [0, 0])
        compte[1] += 1
        retenus = [s for s in signaux.get(identifiant, ()) if s.gravite in gravites]
        if any(not questions or questions & set(s.questions) for s in retenus):
            compte[0] += 1
        else:
            qualite.manquees.append(erreur)
    qualite.par_genre = {genre: (a, t) for genre, (a, t) in sorted(comptes.items())}
    for identifiant in identifiants:
        identifiant = str(identifiant)
        if identifiant in touchees:
            continue
        qualite.propres += 1
        if any(True for _ in signaux.get(identifiant, ())):
            qualite.fausses_alertes += 1
    return qualite
