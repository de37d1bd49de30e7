"""Référentiel des territoires : 18 régions et 101 départements (codes INSEE)."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DONNEES = Path(__file__).parent / "donnees"
CODE_NATION = "FR"


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    nom: str


@dataclass(frozen=True, slots=True)
class Departement:
    code: str
    nom: str
    code_region: str


@cache
def regions() -> tuple[Region, ...]:
    with open(DONNEES / "regions.csv", encoding="utf-8", newline="") as f:
        return tuple(Region(r["code_region"], r["nom_region"]) for r in csv.DictReader(f))


@cache
def departements() -> tuple[Departement, ...]:
    with open(DONNEES / "departements.csv", encoding="utf-8", newline="") as f:
        return tuple(
            Departement(r["code_departement"], r["nom_departement"], r["code_region"]) for r in csv.DictReader(f)
        )


@cache
def departements_par_code() -> dict[str, Departement]:
    return {d.code: d for d in departements()}


@cache
def departements_de_region(code_region: str) -> frozenset[str]:
    return frozenset(d.code for d in departements() if d.code_region == code_region)


def departement_depuis_code_postal(code_postal: str) -> str | None:
    """Département d'un code postal français (Corse et outre-mer compris), None si inconnu."""
    cp = code_postal.strip().replace(" ", "")
    if len(cp) != 5 or not cp.isdigit():
        return None
    if cp.startswith("97"):
        code = cp[:3]
    elif cp.startswith("20"):
        code = "2A" if int(cp) < 20200 else "2B"
    else:
        code = cp[:2]
    return code if code in departements_par_code() else None


def departement_depuis_commune(code_insee: str) -> str | None:
    """Département d'un code commune INSEE (5 caractères : 2 ou 3 pour le département)."""
    c = code_insee.strip().upper()
    if len(c) != 5:
        return None
    code = c[:3] if c.startswith("97") else c[:2]
    return code if code in departements_par_code() else None
