"""Correspondances de questions entre versions du questionnaire (tendances, analyses multi-campagnes).

Un fichier de données (``senacs/analyses/correspondances.yaml``) déclare, pour un indicateur ou une
question, les codes à additionner selon la campagne ::

    F06:
      - campagnes: [2021, 2022]   # première et dernière campagne (null : sans borne)
        codes: [F06]
        note: Jusqu'en 2022, F06 regroupait AGC et ACF.
      - campagnes: [2023, null]
        codes: [F06, F07]

Sans déclaration, la variable d'une campagne est la question elle-même (``codes = (question,)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_CODE = re.compile(r"^[A-Z][0-9]{2}[A-Z]?$")


class ErreurCorrespondances(ValueError):
    pass


@dataclass(frozen=True)
class Version:
    debut: int | None
    fin: int | None
    codes: tuple[str, ...]
    note: str = ""

    def couvre(self, campagne: int) -> bool:
        return (self.debut is None or self.debut <= campagne) and (self.fin is None or campagne <= self.fin)


def lire(texte: str) -> dict[str, tuple[Version, ...]]:
    """Lit et vérifie le fichier ; lève ``ErreurCorrespondances`` (message français)."""
    donnees = yaml.safe_load(texte) or {}
    if not isinstance(donnees, dict):
        raise ErreurCorrespondances("Le fichier des correspondances doit être un dictionnaire.")
    table: dict[str, tuple[Version, ...]] = {}
    for cle, versions in donnees.items():
        if not isinstance(versions, list) or not versions:
            raise ErreurCorrespondances(f"{cle} : liste de versions attendue.")
        lues = []
        for v in versions:
            try:
                debut, fin = v["campagnes"]
                codes = tuple(str(c) for c in v["codes"])
            except (KeyError, TypeError, ValueError) as exc:
                raise ErreurCorrespondances(
                    f"{cle} : chaque version a « campagnes: [début, fin] » et « codes »"
                ) from exc
            if not codes or any(not _CODE.match(c) for c in codes):
                raise ErreurCorrespondances(f"{cle} : codes de questions invalides {list(codes)}.")
            if debut is not None and fin is not None and int(debut) > int(fin):
                raise ErreurCorrespondances(f"{cle} : campagnes {debut} > {fin}.")
            lues.append(
                Version(
                    None if debut is None else int(debut), None if fin is None else int(fin), codes, v.get("note", "")
                )
            )
        for a in lues:
            for b in lues:
                if a is not b and _chevauchent(a, b):
                    raise ErreurCorrespondances(f"{cle} : deux versions couvrent les mêmes campagnes.")
        table[str(cle)] = tuple(lues)
    return table


def _chevauchent(a: Version, b: Version) -> bool:
    bas = max(a.debut if a.debut is not None else -(10**9), b.debut if b.debut is not None else -(10**9))
    haut = min(a.fin if a.fin is not None else 10**9, b.fin if b.fin is not None else 10**9)
    return bas <= haut


def codes_pour(
    table: dict[str, tuple[Version, ...]], indicateur: str, question: str, campagne: int
) -> tuple[tuple[str, ...], str]:
    """(codes additionnés, note) de la variable de l'indicateur pour la campagne."""
    for cle in (indicateur, question):
        for v in table.get(cle, ()):
            if v.couvre(campagne):
                return v.codes, v.note
        if cle in table:
            return (question,), ""
    return (question,), ""


def cle_variable(codes: tuple[str, ...], modalite: str | None = None) -> str:
    """Clé de la variable dans le registre : ``F06+F07``, ``H03=oui``."""
    return "+".join(codes) + (f"={modalite}" if modalite else "")
