"""Réponses synthétiques complètes, cohérentes avec les règles du questionnaire, et erreurs plantées.

Sert à mesurer la qualité de détection (rappel par genre d'erreur, taux de fausses alertes) et au
banc d'essai quand la démonstration n'a pas encore de réponses complètes. Déterministe pour une
graine donnée ; Python pur.

Chaque structure a des paramètres latents stables (échelle de budget, coût d'un ETP, part des
charges de personnel, part de chaque financeur, heures par bénévole…) ; chaque année les tire avec
un petit bruit (budget : AR(1) en logarithme, σ ≈ 0,08), comme ``calibration.md`` §9 le propose.
Les erreurs plantées sont celles que le contrôle de cohérence doit attraper :

=========================  ===============================================================
genre                      erreur
=========================  ===============================================================
etp_salaries_inverses      ETP (E02) et salariés (E01) inversés
budget_en_milliers         toute la section F saisie en milliers d'euros
financements_incoherents   une ligne de financement fausse : F06–F20 ne font plus F04
dates_agrement_inversees   début (A10) et fin (A11) de l'agrément inversés
saut_x10                   une grandeur clé (H01, D03 ou F04) multipliée par 10 (zéro de trop)
=========================  ===============================================================
"""

import datetime
import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GENRES = (
    "etp_salaries_inverses",
    "budget_en_milliers",
    "financements_incoherents",
    "dates_agrement_inversees",
    "saut_x10",
)
DEPARTEMENTS = ("01", "13", "31", "33", "35", "44", "59", "67", "69", "75")
LIGNES_CS: tuple[str, ...] = ("F09", "F10", "F11", "F12", "F13", "F14", "F15", "F16", "F17", "F18", "F19", "F20")
PARTS_CS = (11, 3, 31, 4, 5, 1.5, 7, 0.5, 2, 10, 1.5, 7.5)
LIGNES_EVS: tuple[str, ...] = (
    "F08",
    "F09",
    "F10",
    "F11",
    "F12",
    "F13",
    "F14",
    "F15",
    "F16",
    "F17",
    "F18",
    "F19",
    "F20",
)
PARTS_EVS = (30, 5, 5, 22, 4, 5, 2, 6, 1, 2, 8, 4, 6)
AGES = ("H02A", "H02B", "H02C", "H02D", "H02E", "H02F")
PARTS_AGES = (8, 22, 13, 7, 35, 15)


@dataclass(frozen=True, slots=True)
class StructureSynthetique:
    identifiant: str
    type: str
    departement: str
    territoire: str  # urbain / rural
    mode_gestion: str


@dataclass(frozen=True, slots=True)
class ReponseSynthetique:
    structure: StructureSynthetique
    valeurs: dict[str, Any]
    precedentes: dict[str, Any]  # vide : structure nouvelle (pas de réponse l'an dernier)


@dataclass(frozen=True, slots=True)
class ErreurPlantee:
    identifiant: str
    genre: str
    questions: tuple[str, ...]  # questions touchées : une anomalie sur l'une d'elles attrape l'erreur


@dataclass(frozen=True, slots=True)
class JeuSynthetique:
    annee_donnees: int
    reponses: tuple[ReponseSynthetique, ...]
    plantees: tuple[ErreurPlantee, ...] = field(default=())

    @property
    def identifiants_plantes(self) -> set[str]:
        return {e.identifiant for e in self.plantees}


# --------------------------------------------------------------------------- outils


def siret_valide(rng: random.Random) -> str:
    """14 chiffres dont le dernier rend la clé de Luhn correcte."""
    chiffres = [rng.randint(0, 9) for _ in range(13)]
    for cle in range(10):
        candidat = chiffres + [cle]
        total = 0
        for i, c in enumerate(reversed(candidat)):
            if i % 2 == 1:
                c *= 2
                if c > 9:
                    c -= 9
            total += c
        if total % 10 == 0:
            return "".join(str(c) for c in candidat)
    raise AssertionError("clé de Luhn introuvable")  # pragma: no cover


def _repartir(total: int, parts: tuple[float, ...], rng: random.Random, concentration: float = 40) -> list[int]:
    """Répartit ``total`` (entier) selon des parts moyennes (tirage de Dirichlet), somme exacte."""
    poids = [rng.gammavariate(max(p * concentration / 100, 0.05), 1) for p in parts]
    somme = sum(poids) or 1
    valeurs = [int(total * p / somme) for p in poids]
    valeurs[max(range(len(valeurs)), key=lambda i: valeurs[i])] += total - sum(valeurs)
    return valeurs


def _proche(rng: random.Random, valeur: float, sigma: float) -> float:
    return valeur * math.exp(rng.gauss(0, sigma))


def _borner(valeur: float, bas: float, haut: float) -> float:
    return min(haut, max(bas, valeur))


# --------------------------------------------------------------------------- structures et latents


def _structure(rng: random.Random, rang: int) -> StructureSynthetique:
    type_ = "CS" if rng.random() < 0.58 else "EVS"
    rural = rng.random() < (0.22 if type_ == "CS" else 0.55)
    if type_ == "CS":
        mode = rng.choices(("associatif", "collectivite", "intercommunalite", "caf"), (70, 24, 4, 2))[0]
    else:
        mode = rng.choices(("associatif", "collectivite", "autre"), (92, 7, 1))[0]
    return StructureSynthetique(
        identifiant=f"S{rang:05d}",
        type=type_,
        departement=rng.choice(DEPARTEMENTS),
        territoire="rural" if rural else "urbain",
        mode_gestion=mode,
    )


def _latents(rng: random.Random, s: StructureSynthetique) -> dict[str, Any]:
    cs = s.type == "CS"
    z = rng.gauss(0, 1)
    if cs:
        budget = _borner(500_000 * math.exp(0.7 * z) * (0.75 if s.territoire == "rural" else 1), 150_000, 4_000_000)
    else:
        budget = _borner(55_000 * math.exp(0.8 * z), 30_000, 300_000)
    return {
        "budget": budget,
        "z": z,
        "part_personnel": rng.uniform(0.58, 0.78),
        "cout_etp": rng.uniform(32_000, 50_000),
        "etp_par_salarie": rng.uniform(0.45, 0.85),
        "heures_benevole": _borner(66 * math.exp(rng.gauss(0, 0.5)), 10, 300),
        "public": math.exp(0.8 * z + rng.gauss(0, 0.35)) * (800 if cs else 200),
        "benevoles": math.exp(0.4 * z + rng.gauss(0, 0.5)) * (22 if cs else 15),
        "agc": rng.uniform(45_000, 80_000),
        "acf": rng.uniform(12_000, 28_000),
        "parts": _repartir(100_000, PARTS_CS if cs else PARTS_EVS, rng),
        "ages": _repartir(100, PARTS_AGES, rng, concentration=30 * 100 / 100),
        "projet_famille": cs and rng.random() < 0.8,
        "referent_famille": cs and rng.random() < 0.92,
        "siret": siret_valide(rng),
        "debut_agrement": rng.randint(0, 3),
        "premier_agrement": rng.randint(0, 30),
        "population": _borner((12_000 if cs else 4_000) * math.exp(rng.gauss(0, 0.9)), 500, 150_000),
        "geographie": "non_concerne"
        if s.territoire == "rural"
        else rng.choices(("qpv", "aupres_qpv", "non_concerne"), (38, 12, 50) if cs else (15, 10, 75))[0],
        "federation": rng.random() < 0.6,
        "convention": "ucanss" if s.mode_gestion == "caf" else rng.choice(("alisfa", "fpt", "autre")),
    }


# --------------------------------------------------------------------------- une réponse propre


def reponse_propre(
    s: StructureSynthetique, latents: Mapping[str, Any], annee_donnees: int, rng: random.Random, bruit: float = 0.08
) -> dict[str, Any]:
    """Toutes les réponses obligatoires (et les principales facultatives) d'une structure pour une
    année, cohérentes avec les règles R01 à R29 du questionnaire 2025."""
    cs = s.type == "CS"
    v: dict[str, Any] = {}
    # --- A : identité
    dep = s.departement
    rang = sum(ord(c) * (i + 1) for i, c in enumerate(s.identifiant))
    debut = datetime.date(annee_donnees - latents["debut_agrement"], 1, 1)
    annees = min(4, max(latents["debut_agrement"] + 1, 2))
    fin = datetime.date(debut.year + annees, 1, 1) - datetime.timedelta(days=1)
    premier = datetime.date(max(1950, debut.year - latents["premier_agrement"]), debut.month, 1)
    v |= {
        "A01": f"Structure {s.identifiant}",
        "A02": "1 rue de la République",
        "A03": f"{'20' if dep in ('2A', '2B') else dep}{rang % 900 + 100:03d}"[:5],
        "A04": f"{dep}{rang % 899 + 1:03d}"[:5],
        "A05": dep,
        "A06": f"contact-{s.identifiant.lower()}@exemple.fr",
        "A08": latents["siret"],
        "A09": premier.isoformat(),
        "A10": debut.isoformat(),
        "A11": fin.isoformat(),
        "A14A": "Favoriser le lien social",
        "A15": s.mode_gestion,
        "A16": s.territoire,
        "A17": rng.choice(("commune", "communes", "intercommunalite"))
        if s.territoire == "rural"
        else rng.choice(("quartier", "quartiers", "commune")),
        "A18": latents["geographie"],
        "A19": latents["federation"],
        "A20": "non",
        "A21": False,
        "A22": False,
        "A23": False,
        "A25": premier.year - 2,
    }
    # --- F : finances (pivot de l'échelle)
    produits = int(round(_proche(rng, latents["budget"], bruit), -2))
    charges = int(round(produits * (1 - _borner(rng.gauss(0.005, 0.03), -0.12, 0.12)), -2))
    personnel = int(round(charges * _proche(rng, latents["part_personnel"], 0.03)))
    lignes: dict[str, int] = {}
    reste = produits
    if cs:
        agc = int(min(0.22 * produits, _proche(rng, latents["agc"], 0.04)))
        lignes["F06"] = agc
        reste -= agc
        if latents["projet_famille"] and latents["referent_famille"]:
            acf = int(min(0.08 * produits, _proche(rng, latents["acf"], 0.04)))
            lignes["F07"] = acf
            reste -= acf
        codes, parts = LIGNES_CS, latents["parts"]
    else:
        codes, parts = LIGNES_EVS, latents["parts"]
    bruitees = tuple(p * math.exp(rng.gauss(0, 0.05)) for p in parts)
    for code, part in zip(codes, _repartir(reste, bruitees, rng), strict=True):
        if part > 0 or code in ("F11", "F08"):
            lignes[code] = part
    if lignes.get("F11", 0) <= 0:  # commune : réponse obligatoire
        lignes["F11"] = 0
    if not cs and lignes.get("F08", 0) <= 0:
        prise = max(1000, produits // 10)
        lignes["F08"] = prise
        grosse = max((c for c in lignes if c != "F08"), key=lambda c: lignes[c])
        lignes[grosse] -= prise
    v |= {"F01": f"{annee_donnees}-12-31", "F02": charges, "F03": personnel, "F04": produits, **lignes}
    v["F24"] = int(round(charges * _borner(rng.gauss(1.02, 0.05), 0.8, 1.25), -2))
    # --- E : emploi
    etp = max(0.5, round(personnel / _proche(rng, latents["cout_etp"], 0.03), 1))
    if cs:
        etp = max(etp, 2.0)
    salaries = max(1, math.ceil(etp / _borner(_proche(rng, latents["etp_par_salarie"], 0.03), 0.4, 0.95)))
    cdi = int(salaries * 0.7)
    direction = (1.0 if etp >= 5 else 0.5) if cs else round(0.2 * etp, 2)
    v |= {"E01": salaries, "E02": etp, "E03": cdi, "E04": salaries - cdi, "E05": min(1, salaries - 1)}
    v |= {"E10": direction, "E20": latents["convention"]}
    reste_etp = etp - direction
    if cs:
        v["E12"] = latents["referent_famille"]
    if latents["referent_famille"]:
        referent = round(min(1.0, max(0.5, 0.2 * etp), reste_etp), 2)
        v["E13"] = referent
        reste_etp -= referent
    reste_etp = max(0.0, round(reste_etp, 2))
    accueil, animation, administratif = (round(reste_etp * p, 2) for p in (0.15, 0.55, 0.15))
    v |= {"E14": accueil, "E15": animation, "E16": administratif}
    v["E17"] = round(max(0.0, reste_etp - accueil - animation - administratif), 2)
    # --- D : bénévoles
    activite = max(1, round(_proche(rng, latents["benevoles"], bruit)))
    gouvernance = max(3, round(activite * 0.4))
    total = max(activite, gouvernance) + round(min(activite, gouvernance) * 0.5)
    heures = int(total * _proche(rng, latents["heures_benevole"], 0.05))
    v |= {"D01": activite, "D02": gouvernance, "D03": total, "D04": heures, "D07": total // 6}
    v["F21"] = heures * 15
    # --- B, C, G : projet, participation, partenariats
    v |= {"B01": "Isolement des habitants", "B02": "Lien social", "B08": rng.randint(200, 300) if cs else 180}
    v |= {"B09": 35.5}
    if cs:
        v["B05"] = latents["projet_famille"]
    membres = rng.randint(6, 20)
    v |= {"C04": membres, "C05": membres // 2, "C06": membres // 5, "C07": membres // 2, "C10": ["diagnostic"]}
    v |= {"C11": rng.randint(2, 30), "G01": True, "G02": rng.random() < 0.6}
    # --- H : publics
    public = max(20, round(_proche(rng, latents["public"], bruit)))
    v |= {"H01": public, "H03": True, "H10": True, "H06": public // 4, "H08": public // 10}
    v |= {"H14": public // 5, "H15": public // 10, "C01": public // 3}
    v |= dict(zip(AGES, latents["ages"], strict=True))
    v["A12"] = int(max(latents["population"], 2 * public))
    return v


# --------------------------------------------------------------------------- erreurs plantées


def planter(genre: str, v: dict[str, Any], rng: random.Random) -> tuple[str, ...] | None:
    """Modifie ``v`` sur place ; rend les questions touchées, ou None si l'erreur est sans effet ici."""
    if genre == "etp_salaries_inverses":
        if v["E01"] < v["E02"] + 1:
            return None
        v["E01"], v["E02"] = int(round(v["E02"])), float(v["E01"])
        return ("E01", "E02")
    if genre == "budget_en_milliers":
        for code in list(v):
            if code.startswith("F") and code not in ("F01", "F25") and isinstance(v[code], int | float):
                v[code] = round(v[code] / 1000, 1)
        return ("F02", "F03", "F04")
    if genre == "financements_incoherents":
        ecart = int(v["F04"] * rng.uniform(0.12, 0.3))
        v["F11"] = v.get("F11", 0) + ecart
        return ("F04", "F11", "F26")
    if genre == "dates_agrement_inversees":
        v["A10"], v["A11"] = v["A11"], v["A10"]
        return ("A10", "A11")
    if genre == "saut_x10":
        code = rng.choice(("H01", "D03", "F04"))
        v[code] = v[code] * 10
        return (code,)
    raise ValueError(f"Genre d'erreur inconnu : {genre}")


def generer_pour(
    structures: Iterable[StructureSynthetique],
    graine: int = 2025,
    *,
    annee_donnees: int = 2024,
    erreurs: Mapping[str, int] | None = None,
    part_sans_an_dernier: float = 0.05,
) -> JeuSynthetique:
    """Réponses propres de l'année et de l'an dernier pour des structures données, puis
    ``erreurs[genre]`` erreurs plantées, chacune dans une réponse différente (tirée parmi celles où
    l'erreur se voit). Les réponses de l'an dernier manquent pour ``part_sans_an_dernier`` d'entre
    elles (structures nouvelles). Même graine, mêmes structures : même résultat."""
    rng = random.Random(f"senacs-controles:{graine}")
    erreurs = dict(erreurs or {})
    reponses: list[ReponseSynthetique] = []
    for s in structures:
        rng_structure = random.Random(f"{graine}:{s.identifiant}")
        latents = _latents(rng_structure, s)
        valeurs = reponse_propre(s, latents, annee_donnees, random.Random(f"{graine}:{s.identifiant}:{annee_donnees}"))
        precedentes: dict[str, Any] = {}
        if rng_structure.random() >= part_sans_an_dernier:
            rng_prec = random.Random(f"{graine}:{s.identifiant}:{annee_donnees - 1}")
            precedentes = reponse_propre(s, latents, annee_donnees - 1, rng_prec)
        reponses.append(ReponseSynthetique(s, valeurs, precedentes))
    plantees: list[ErreurPlantee] = []
    candidates = list(range(len(reponses)))
    rng.shuffle(candidates)
    for genre in GENRES:
        voulues = erreurs.get(genre, 0)
        while voulues > 0 and candidates:
            i = candidates.pop()
            r = reponses[i]
            valeurs = dict(r.valeurs)
            questions = planter(genre, valeurs, rng)
            if questions is None:
                continue
            reponses[i] = ReponseSynthetique(r.structure, valeurs, r.precedentes)
            plantees.append(ErreurPlantee(r.structure.identifiant, genre, questions))
            voulues -= 1
    return JeuSynthetique(annee_donnees, tuple(reponses), tuple(plantees))


def generer(
    n: int,
    graine: int = 2025,
    *,
    annee_donnees: int = 2024,
    erreurs: Mapping[str, int] | None = None,
    part_sans_an_dernier: float = 0.05,
) -> JeuSynthetique:
    """``n`` structures tirées au hasard (58 % de CS, dix départements) plus une structure de plus par
    erreur demandée, avec leurs réponses (voir ``generer_pour``)."""
    total = n + sum((erreurs or {}).values())
    rng = random.Random(f"senacs-controles-structures:{graine}")
    structures = [_structure(rng, rang) for rang in range(1, total + 1)]
    return generer_pour(
        structures, graine, annee_donnees=annee_donnees, erreurs=erreurs, part_sans_an_dernier=part_sans_an_dernier
    )
