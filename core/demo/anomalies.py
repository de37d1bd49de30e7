"""Anomalies glissées dans les réponses de démonstration (calibration §9) : ≈ 3 % des réponses de chaque
campagne, campagnes passées comprises (elles ont échappé au contrôle), pour que le contrôle de
cohérence ait quelque chose à trouver et qu'on puisse mesurer son rappel et ses faux positifs.

Chaque anomalie est gardée (``AnomalieInjectee`` : structure, campagne, type, questions modifiées,
règles du questionnaire qui doivent la signaler). Types :

=============================  ====================================================  ===============
type                           ce qui est modifié                                    règle attendue
=============================  ====================================================  ===============
``etp_salaries_inverses``      E01 et E02 intervertis (ETP > salariés)               R01 (bloquant)
``budget_en_milliers``         F02 et F04 saisis en milliers d'euros (÷ 1 000)        R04b (bloquant)
``erreur_unite_x10``           une grandeur × 10 : E01, F02, C11 ou D03              R24, R05, R28, R10
``financements_incoherents``   une ligne de financement doublée ou oubliée           R04b (bloquant)
``dates_agrement_inversees``   début et fin de l'agrément en cours intervertis       R09b (bloquant)
``saut_annuel``                H01, ou toute la section F, × 10 par rapport à        R16c, R16a
                               l'an dernier
``heures_benevolat_absurdes``  D04 de 600 à 1 500 heures par bénévole                R11a
=============================  ====================================================  ===============

Une réponse soumise de la campagne en cours n'a pu être déposée qu'avec des avertissements (justifiés) :
elle ne reçoit que des anomalies qu'aucune règle bloquante ne signale. Un brouillon ne reçoit qu'une
anomalie qui porte sur des questions déjà remplies.

Écho : l'année qui suit une anomalie sur une grandeur suivie d'une année sur l'autre (F04, H01, D03),
la réponse (propre) de la même structure déclenche souvent l'avertissement d'évolution (R16a, R16c,
R16d), puisque ``precedent()`` lit la valeur fausse : c'est attendu.
"""

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from core.demo import calibrage
from core.demo.modeles import AnomalieInjectee, ReponseDemo

LIGNES = tuple(f"F{n:02d}" for n in range(6, 21))
TYPES = (
    "etp_salaries_inverses",
    "budget_en_milliers",
    "erreur_unite_x10",
    "financements_incoherents",
    "dates_agrement_inversees",
    "saut_annuel",
    "heures_benevolat_absurdes",
)
# Types signalés par une règle bloquante : exclus des réponses soumises de la campagne en cours.
TYPES_BLOQUANTS = frozenset({"etp_salaries_inverses", "budget_en_milliers", "financements_incoherents",
                             "dates_agrement_inversees"})  # fmt: skip

Resultat = tuple[tuple[str, ...], tuple[str, ...], str] | None
Injecteur = Callable[[dict[str, Any], dict[str, Any] | None, random.Random, bool], Resultat]


def _nombre(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _euros(v: float) -> int:
    return int(round(v))


def _etp_salaries_inverses(v: dict, precedentes: dict | None, rng: random.Random, soumise: bool) -> Resultat:
    e01, e02 = v.get("E01"), v.get("E02")
    if not (_nombre(e01) and _nombre(e02)) or e01 < 3 or round(e02) >= e01:
        return None
    v["E01"], v["E02"] = int(round(e02)), e01
    return ("E01", "E02"), ("R01",), f"ETP et salariés intervertis : E01 = {v['E01']}, E02 = {v['E02']}."


def _budget_en_milliers(v: dict, precedentes: dict | None, rng: random.Random, soumise: bool) -> Resultat:
    f02, f04 = v.get("F02"), v.get("F04")
    if not (_nombre(f02) and _nombre(f04)) or f04 < 50_000 or not any(_nombre(v.get(c)) for c in LIGNES):
        return None
    v["F02"], v["F04"] = max(1, _euros(f02 / 1000)), _euros(f04 / 1000)
    return ("F02", "F04"), ("R04b",), f"Totaux saisis en milliers d'euros : F02 = {v['F02']}, F04 = {v['F04']}."


def _erreur_unite_x10(v: dict, precedentes: dict | None, rng: random.Random, soumise: bool) -> Resultat:
    cibles = []
    if _nombre(v.get("E01")) and v["E01"] >= 1 and _nombre(v.get("E02")) and v["E02"] > 0:
        cibles.append(("E01", "R24"))
    if _nombre(v.get("F02")) and _nombre(v.get("F03")) and _nombre(v.get("F04")):
        cibles.append(("F02", "R05"))
    if _nombre(v.get("C11")) and v["C11"] >= 9:
        cibles.append(("C11", "R28"))
    if not soumise and all(_nombre(v.get(c)) for c in ("D01", "D02", "D03")) and v["D03"] >= 1:
        cibles.append(("D03", "R10"))
    if not cibles:
        return None
    code, regle = rng.choice(cibles)
    v[code] = v[code] * 10
    return (code,), (regle,), f"{code} saisi avec un zéro de trop ({v[code]})."


def _financements_incoherents(v: dict, precedentes: dict | None, rng: random.Random, soumise: bool) -> Resultat:
    f04 = v.get("F04")
    presentes = [c for c in LIGNES if _nombre(v.get(c)) and v[c] > 0]
    if not _nombre(f04) or len(presentes) < 2:
        return None
    ligne = max(presentes, key=lambda c: (v[c], c))
    if v[ligne] < max(0.08 * f04, 5000):
        return None
    if rng.random() < 0.5:
        v[ligne] = v[ligne] * 2
        quoi = "comptée deux fois"
    else:
        v[ligne] = 0
        quoi = "oubliée"
    return (ligne, "F04"), ("R04b",), f"Ligne de financement {ligne} {quoi} : la ventilation ne fait plus F04."


def _dates_agrement_inversees(v: dict, precedentes: dict | None, rng: random.Random, soumise: bool) -> Resultat:
    if not (v.get("A10") and v.get("A11")):
        return None
    v["A10"], v["A11"] = v["A11"], v["A10"]
    return ("A10", "A11"), ("R09b",), f"Dates de l'agrément en cours interverties : du {v['A10']} au {v['A11']}."


def _saut_annuel(v: dict, precedentes: dict | None, rng: random.Random, soumise: bool) -> Resultat:
    if not precedentes:
        return None
    cibles = []
    if _nombre(v.get("H01")) and _nombre(precedentes.get("H01")) and precedentes["H01"] >= 20:
        cibles.append("H01")
    finances = ("F02", "F03", "F04")
    if all(_nombre(v.get(c)) for c in finances) and _nombre(precedentes.get("F04")) and precedentes["F04"] > 0:
        cibles.append("F04")
    if not cibles:
        return None
    if rng.choice(cibles) == "H01":
        v["H01"] = precedentes["H01"] * 10
        return ("H01",), ("R16c",), f"H01 dix fois plus élevé que l'an dernier ({precedentes['H01']} → {v['H01']})."
    modifiees = [c for c in (*finances, *LIGNES, "F24") if _nombre(v.get(c))]
    for code in modifiees:
        v[code] = v[code] * 10
    return (
        ("F04", *[c for c in modifiees if c != "F04"]),
        ("R16a",),
        f"Finances dix fois plus élevées que l'an dernier (F04 : {precedentes['F04']} → {v['F04']}).",
    )


def _heures_benevolat_absurdes(v: dict, precedentes: dict | None, rng: random.Random, soumise: bool) -> Resultat:
    d03 = v.get("D03")
    if not _nombre(d03) or d03 < 1 or not _nombre(v.get("D04")):
        return None
    v["D04"] = int(round(d03 * rng.uniform(600, 1500), -1))
    return ("D04",), ("R11a",), f"{v['D04']} heures de bénévolat pour {d03} bénévoles."


INJECTEURS: dict[str, Injecteur] = {
    "etp_salaries_inverses": _etp_salaries_inverses,
    "budget_en_milliers": _budget_en_milliers,
    "erreur_unite_x10": _erreur_unite_x10,
    "financements_incoherents": _financements_incoherents,
    "dates_agrement_inversees": _dates_agrement_inversees,
    "saut_annuel": _saut_annuel,
    "heures_benevolat_absurdes": _heures_benevolat_absurdes,
}


def injecter_anomalies(
    graine: int,
    reponses: Sequence[ReponseDemo],
    valeurs: Sequence[dict[str, Any]],
    exclues: set[str],
    part: float = calibrage.PART_ANOMALIES,
) -> list[AnomalieInjectee]:
    """Modifie ``valeurs`` (même ordre que ``reponses``) : ≈ ``part`` des réponses de chaque campagne
    reçoivent une anomalie (types à tour de rôle, dans un ordre tiré au sort). Les structures ``exclues``
    (celles des comptes de démonstration) n'en reçoivent pas. Rend la liste des anomalies, triée."""
    rng = random.Random(f"senacs-demo:{graine}:anomalies")
    par_campagne: dict[int, list[int]] = {}
    for k, r in enumerate(reponses):
        par_campagne.setdefault(r.campagne, []).append(k)
    position: Mapping[tuple[int, str], int] = {(r.campagne, r.structure): k for k, r in enumerate(reponses)}
    touchees: set[tuple[int, str]] = set()
    injectees: list[AnomalieInjectee] = []
    for annee in sorted(par_campagne):
        membres = par_campagne[annee]
        cible = round(part * len(membres))
        candidats = sorted(
            (k for k in membres if reponses[k].structure not in exclues), key=lambda k: reponses[k].structure
        )
        rng.shuffle(candidats)
        ordre = list(TYPES)
        rng.shuffle(ordre)
        tour = 0
        for k in candidats:
            if cible <= 0:
                break
            r = reponses[k]
            soumise = r.statut == "soumise"
            precedente = position.get((annee - 1, r.structure))
            precedentes = None
            if (
                precedente is not None
                and (annee - 1, r.structure) not in touchees
                and reponses[precedente].statut != "brouillon"
            ):
                precedentes = valeurs[precedente]
            for essai in range(len(ordre)):
                type_anomalie = ordre[(tour + essai) % len(ordre)]
                if soumise and type_anomalie in TYPES_BLOQUANTS:
                    continue
                resultat = INJECTEURS[type_anomalie](valeurs[k], precedentes, rng, soumise)
                if resultat is None:
                    continue
                questions, regles, description = resultat
                injectees.append(AnomalieInjectee(annee, r.structure, type_anomalie, questions, regles, description))
                touchees.add((annee, r.structure))
                tour += 1
                cible -= 1
                break
    return sorted(injectees, key=lambda a: (a.campagne, a.structure))
