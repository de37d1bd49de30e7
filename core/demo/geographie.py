"""Géographie de la démonstration : répartition des structures, communes, codes postaux, fédérations."""

import csv
import math
from dataclasses import dataclass
from functools import cache

from core.demo import calibrage
from core.territoires import DONNEES, departements, departements_de_region, departements_par_code


@dataclass(frozen=True, slots=True)
class Commune:
    code_insee: str
    nom: str
    code_postal: str


@cache
def chefs_lieux() -> dict[str, Commune]:
    """Chef-lieu (préfecture) de chaque département, avec un code postal déduit du département."""
    with open(DONNEES / "chefs-lieux.csv", encoding="utf-8", newline="") as f:
        return {
            r["code_departement"]: Commune(r["code_insee"], r["nom"], code_postal_chef_lieu(r["code_departement"]))
            for r in csv.DictReader(f)
        }


@cache
def communes_connues() -> dict[str, tuple[Commune, ...]]:
    """Quelques autres communes réelles de grands départements (communes-demo.csv)."""
    par_departement: dict[str, list[Commune]] = {}
    with open(DONNEES / "communes-demo.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            par_departement.setdefault(r["code_departement"], []).append(
                Commune(r["code_insee"], r["nom"], r["code_postal"])
            )
    return {code: tuple(communes) for code, communes in par_departement.items()}


def code_postal_chef_lieu(departement: str) -> str:
    if departement == "2A":
        return "20000"
    if departement == "2B":
        return "20200"
    if len(departement) == 3:
        return f"{departement}00"
    return f"{departement}000"


def codes_postaux_possibles(departement: str) -> list[str]:
    """Codes postaux plausibles (hors chef-lieu) : 97x pour l'outre-mer, 20000–20199 en Corse-du-Sud,
    20200–20299 en Haute-Corse."""
    if departement == "2A":
        return [f"20{n}" for n in range(110, 200, 10)]
    if departement == "2B":
        return [f"20{n}" for n in range(210, 300, 10)]
    if len(departement) == 3:
        return [f"{departement}{n}" for n in range(10, 100, 10)]
    return [f"{departement}{n}" for n in range(100, 1000, 10)]


def codes_postaux_grandes_villes(code_insee: str) -> list[str] | None:
    """Arrondissements de Paris, Marseille et Lyon."""
    if code_insee == "75056":
        return [f"750{n:02d}" for n in range(1, 21)]
    if code_insee == "13055":
        return [f"130{n:02d}" for n in range(1, 17)]
    if code_insee == "69123":
        return [f"6900{n}" for n in range(1, 10)]
    return None


# --- Répartition des structures (calibration §2) ---------------------------------------------------


def repartir(total: int, poids: dict[str, float], plancher: int = 0) -> dict[str, int]:
    """Répartit ``total`` proportionnellement aux poids (plus forts restes), avec un plancher."""
    codes = sorted(poids)
    if not codes:
        return {}
    fixes: dict[str, int] = {}
    while True:
        libres = [c for c in codes if c not in fixes]
        reste = total - sum(fixes.values())
        somme = sum(poids[c] for c in libres)
        quotas = {c: reste * poids[c] / somme for c in libres} if somme > 0 else {c: 0.0 for c in libres}
        sous_plancher = [c for c in libres if quotas[c] < plancher]
        if not sous_plancher or len(sous_plancher) == len(libres):
            break
        for c in sous_plancher:
            fixes[c] = plancher
    entiers = {c: int(q) for c, q in quotas.items()}
    manque = reste - sum(entiers.values())
    for c in sorted(libres, key=lambda c: (-(quotas[c] - entiers[c]), c))[: max(manque, 0)]:
        entiers[c] += 1
    return {c: fixes.get(c, entiers.get(c, 0)) for c in codes}


@cache
def allocation_complete() -> dict[str, dict[str, int]]:
    """Structures actives par département et par type, à taille réelle : {"CS": {dep: n}, "EVS": {...}}."""
    resultat: dict[str, dict[str, int]] = {"CS": {}, "EVS": {}}
    excedent = {"CS": 0, "EVS": 0}
    for code_region, totaux in sorted(calibrage.ALLOCATION_REGIONALE.items()):
        deps = sorted(departements_de_region(code_region))
        for rang, type_structure in enumerate(("CS", "EVS")):
            exposant = calibrage.EXPOSANT_CS if type_structure == "CS" else calibrage.EXPOSANT_EVS
            fixes: dict[str, int] = {}
            for d in deps:
                if d in calibrage.PETITS_DEPARTEMENTS:
                    fixes[d] = calibrage.PETITS_DEPARTEMENTS[d][rang]
                elif (ancre := calibrage.ANCRES.get(d, (None, None))[rang]) is not None:
                    fixes[d] = ancre
            libres = [d for d in deps if d not in fixes]
            reste = totaux[rang] - sum(fixes.values())
            resultat[type_structure].update(fixes)
            if libres:
                poids = {d: calibrage.POPULATION_MILLIERS[d] ** exposant for d in libres}
                resultat[type_structure].update(repartir(reste, poids, calibrage.PLANCHER[type_structure]))
            else:
                excedent[type_structure] += reste
    # Ce que les petits départements d'outre-mer n'ont pas pris va aux départements non contraints.
    for type_structure, surplus in excedent.items():
        non_contraints = {
            d: float(n)
            for d, n in resultat[type_structure].items()
            if d not in calibrage.PETITS_DEPARTEMENTS and d not in calibrage.ANCRES
        }
        for d, n in repartir(surplus, non_contraints).items():
            resultat[type_structure][d] += n
    return resultat


def allocation(taille: float) -> dict[str, dict[str, int]]:
    """Allocation mise à l'échelle (au moins une structure de chaque type par département)."""
    complete = allocation_complete()
    if taille == 1:
        return {t: dict(v) for t, v in complete.items()}
    return {t: {d: max(1, round(n * taille)) for d, n in v.items()} for t, v in complete.items()}


def probabilites_urbain(alloc: dict[str, dict[str, int]]) -> dict[str, dict[str, float]]:
    """Probabilité qu'une structure soit urbaine, par type et département : plus forte dans les
    départements peuplés, 1 à Paris et en petite couronne, la moyenne pondérée valant la part nationale."""
    resultat: dict[str, dict[str, float]] = {}
    for type_structure, par_dep in alloc.items():
        libres = {d: n for d, n in par_dep.items() if d not in calibrage.DEPARTEMENTS_URBAINS}
        total = sum(par_dep.values())
        deja_urbains = sum(n for d, n in par_dep.items() if d in calibrage.DEPARTEMENTS_URBAINS)
        cible = (calibrage.PART_URBAIN[type_structure] * total - deja_urbains) / sum(libres.values())
        moyenne = sum(n * math.log(calibrage.POPULATION_MILLIERS[d]) for d, n in libres.items()) / sum(libres.values())

        def proba(d: str, intercept: float, moy: float = moyenne) -> float:
            x = intercept + calibrage.SENSIBILITE_URBAIN * (math.log(calibrage.POPULATION_MILLIERS[d]) - moy)
            return 1 / (1 + math.exp(-x))

        bas, haut = -10.0, 10.0
        for _ in range(60):
            milieu = (bas + haut) / 2
            part = sum(n * proba(d, milieu) for d, n in libres.items()) / sum(libres.values())
            bas, haut = (milieu, haut) if part < cible else (bas, milieu)
        resultat[type_structure] = {
            d: 1.0 if d in calibrage.DEPARTEMENTS_URBAINS else proba(d, bas) for d in sorted(par_dep)
        }
    return resultat


# --- Articles : « du Rhône », « de l'Ain », « des Landes », « de la Gironde » ------------------------

_DU = frozenset(
    "14 15 18 25 29 30 32 39 41 45 46 47 49 56 59 62 63 67 68 69 81 82 83 84 90 94 95".split()
)  # fmt: skip
_DES = frozenset("04 05 06 08 13 22 40 64 65 66 79 88 92 78".split())
_DE_L = frozenset("01 02 03 07 09 10 11 12 27 28 34 35 36 37 38 60 61 89 91".split())
_DE = frozenset({"75", "976", "974"})


def de_departement(code: str) -> str:
    nom = departements_par_code()[code].nom
    if code in _DU:
        return f"du {nom}"
    if code in _DES:
        return f"des {nom}"
    if code in _DE_L:
        return f"de l'{nom}"
    if code in _DE:
        return f"de {nom}"
    return f"de la {nom}"


def de_commune(nom: str) -> str:
    """« de Gap », « d'Agen », « du Mesnil… », « des Granges… »."""
    if nom.startswith("Le "):
        return f"du {nom[3:]}"
    if nom.startswith("Les "):
        return f"des {nom[4:]}"
    if nom[:1] in "AEIOUYÉÈÊÎÔH":
        return f"d'{nom}"
    return f"de {nom}"


# --- Fédérations locales des centres sociaux ---------------------------------------------------------

FEDERATIONS_GROUPEES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Fédération des centres sociaux des Pays de Savoie", ("73", "74")),
    ("Fédération des centres sociaux Drôme-Ardèche", ("07", "26")),
    ("Fédération des centres sociaux de Loire et Haute-Loire", ("42", "43")),
    ("Fédération des centres sociaux d'Auvergne", ("03", "15", "63")),
    ("Fédération des centres sociaux de Bourgogne", ("21", "58", "71", "89")),
    ("Fédération des centres sociaux de Franche-Comté", ("25", "39", "70", "90")),
    ("Fédération des centres sociaux d'Alsace", ("67", "68")),
    ("Fédération des centres sociaux de Lorraine", ("54", "55", "88")),
    ("Fédération des centres sociaux de Champagne-Ardenne", ("08", "10", "51", "52")),
    ("Fédération des centres sociaux des Alpes du Sud", ("04", "05")),
    ("Fédération des centres sociaux des Pays de l'Adour", ("40", "64", "65")),
)
# Une seule fédération pour toute la région.
FEDERATIONS_REGIONALES: tuple[tuple[str, str], ...] = (
    ("Fédération régionale des centres sociaux de Bretagne", "53"),
    ("Fédération des centres sociaux du Centre-Val de Loire", "24"),
    ("Fédération des centres sociaux de Normandie", "28"),
    ("Fédération des centres sociaux de Corse", "94"),
)
# Unions régionales, en plus des fédérations départementales.
UNIONS_REGIONALES: tuple[tuple[str, str], ...] = (
    ("Union régionale des centres sociaux d'Auvergne-Rhône-Alpes", "84"),
    ("Union régionale des centres sociaux des Hauts-de-France", "32"),
    ("Union régionale des fédérations de centres sociaux d'Île-de-France", "11"),
)
SANS_FEDERATION = frozenset({"976", "973", "972", "48"})
FEDERATION_RHONE = "Fédération des centres sociaux du Rhône et de la Métropole de Lyon"


def federations() -> tuple[tuple[str, tuple[str, ...], bool], ...]:
    """(nom, départements couverts, est une union régionale) — ordre stable."""
    couverts: set[str] = set()
    resultat: list[tuple[str, tuple[str, ...], bool]] = []
    for nom, deps in FEDERATIONS_GROUPEES:
        resultat.append((nom, deps, False))
        couverts |= set(deps)
    for nom, region in FEDERATIONS_REGIONALES:
        deps = tuple(sorted(departements_de_region(region)))
        resultat.append((nom, deps, False))
        couverts |= set(deps)
    for d in departements():
        if d.code in couverts or d.code in SANS_FEDERATION:
            continue
        nom = FEDERATION_RHONE if d.code == "69" else f"Fédération des centres sociaux {de_departement(d.code)}"
        resultat.append((nom, (d.code,), False))
    for nom, region in UNIONS_REGIONALES:
        resultat.append((nom, tuple(sorted(departements_de_region(region))), True))
    return tuple(resultat)


def federation_locale_par_departement() -> dict[str, str]:
    """La fédération (non régionale) à laquelle adhère une structure de chaque département."""
    resultat: dict[str, str] = {}
    for nom, deps, union in federations():
        if union:
            continue
        for d in deps:
            resultat.setdefault(d, nom)
    return resultat
