"""Campagnes de démonstration (2021 à 2026), qui répond, quand, avec quel statut, et réponses d'identité
(section A : A01 à A26, les axes du projet en A14A à A14E). Les autres sections sont remplies par
``core.demo.reponses``."""

import datetime
import random
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from core.demo import calibrage, noms
from core.demo.modeles import (
    CampagneDemo,
    ChangementPhaseDemo,
    ProrogationDemo,
    ReponseDemo,
    StructureDemo,
)

PARIS = ZoneInfo("Europe/Paris")
PHASES = ("preparation", "saisie", "controle", "analyse", "publication", "archivee")
CODES_AXES = ("A14A", "A14B", "A14C", "A14D", "A14E")  # A14 est un intitulé : les axes se saisissent dessous
CODES_IDENTITE = tuple(code for n in range(1, 27) for code in ((f"A{n:02d}",) if n != 14 else CODES_AXES))
# Fin de la période simulée pour la campagne en cours (saisie ouverte le 1er octobre 2026).
FIN_SIMULATION = datetime.datetime(2026, 11, 27, 18, 0, tzinfo=PARIS)


def moment(jour: datetime.date, heure: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(jour.year, jour.month, jour.day, heure, minute, tzinfo=PARIS)


def generer_campagnes() -> tuple[CampagneDemo, ...]:
    """Cinq campagnes archivées (données 2020 à 2024) et la campagne 2026 en saisie (données 2025)."""
    campagnes = []
    for annee in calibrage.ANNEES_CAMPAGNES:
        version = calibrage.VERSION_QUESTIONNAIRE.format(annee=annee)
        if annee == calibrage.CAMPAGNE_EN_COURS:
            campagnes.append(
                CampagneDemo(
                    annee=annee,
                    annee_donnees=annee - 1,
                    version_questionnaire=version,
                    phase="saisie",
                    date_ouverture_saisie=datetime.date(2026, 10, 1),
                    date_fin_saisie=datetime.date(2027, 1, 31),
                    date_fin_controle=datetime.date(2027, 3, 31),
                    date_fin_analyse=datetime.date(2027, 6, 30),
                    date_publication=datetime.date(2027, 9, 30),
                    changements=(ChangementPhaseDemo("preparation", "saisie", moment(datetime.date(2026, 10, 1))),),
                )
            )
            continue
        ouverture = datetime.date(annee, 2, 1) + datetime.timedelta(days=(annee * 7) % 15)
        fin_saisie = datetime.date(annee, 4, 30)
        fin_controle = datetime.date(annee, 6, 15)
        fin_analyse = datetime.date(annee, 9, 30)
        publication = datetime.date(annee, 11, 15)
        lendemain = datetime.timedelta(days=1)
        changements = [
            ChangementPhaseDemo("preparation", "saisie", moment(ouverture)),
            ChangementPhaseDemo("saisie", "controle", moment(fin_saisie + lendemain, 8, 30)),
        ]
        if annee == 2023:  # un retour en arrière motivé, pour montrer le journal
            changements += [
                ChangementPhaseDemo(
                    "controle", "saisie", moment(fin_saisie + 2 * lendemain, 10), noms.MOTIFS_REOUVERTURE[0]
                ),
                ChangementPhaseDemo("saisie", "controle", moment(fin_saisie + 9 * lendemain, 8, 30)),
            ]
        changements += [
            ChangementPhaseDemo("controle", "analyse", moment(fin_controle + lendemain)),
            ChangementPhaseDemo("analyse", "publication", moment(fin_analyse + lendemain)),
            ChangementPhaseDemo("publication", "archivee", moment(datetime.date(annee + 1, 1, 15), 10)),
        ]
        prorogations: tuple[ProrogationDemo, ...] = ()
        if annee == 2024:
            prorogations = (
                ProrogationDemo(
                    "976",
                    datetime.date(2024, 5, 31),
                    "Difficultés de connexion signalées par la Caf de Mayotte.",
                    moment(datetime.date(2024, 4, 22), 14),
                ),
                ProrogationDemo(
                    "973",
                    datetime.date(2024, 5, 15),
                    "Changement de correspondant en cours de campagne.",
                    moment(datetime.date(2024, 4, 25), 11),
                ),
            )
        campagnes.append(
            CampagneDemo(
                annee=annee,
                annee_donnees=annee - 1,
                version_questionnaire=version,
                phase="archivee",
                date_ouverture_saisie=ouverture,
                date_fin_saisie=fin_saisie,
                date_fin_controle=fin_controle,
                date_fin_analyse=fin_analyse,
                date_publication=publication,
                changements=tuple(changements),
                prorogations=prorogations,
            )
        )
    return tuple(campagnes)


def _derniere_annee(structure: StructureDemo) -> int:
    """Dernière année de données où la structure existait (le registre décrit cet état)."""
    if structure.date_fermeture is None:
        return calibrage.ANNEE_REGISTRE
    return min(calibrage.ANNEE_REGISTRE, structure.date_fermeture.year)


def population_declaree(structure: StructureDemo, annee_donnees: int) -> int:
    """Population de la zone de compétence (A12) déclarée pour une année : celle du registre la dernière
    année, dérivée d'un taux annuel propre à la structure les années précédentes."""
    ecart = annee_donnees - _derniere_annee(structure)
    return max(1, round(structure.population_zone * (1 + structure.derive_population) ** ecart))


def valeurs_identite(structure: StructureDemo, annee_donnees: int) -> dict[str, Any]:
    """Réponses A01–A26 d'une structure pour une année de données : identiques d'une année à l'autre,
    sauf l'agrément en cours (A10, A11, axes A14A–A14E) et la population (A12) ; la dernière année vaut
    le registre."""
    trouve = structure.periode_pour(annee_donnees)
    if trouve is None:
        raise ValueError(f"{structure.identifiant} n'est pas attendue pour {annee_donnees}")
    rang, periode = trouve
    population = population_declaree(structure, annee_donnees)
    tirage = random.Random(f"axes:{structure.identifiant}:{rang}")
    axes = tirage.sample(noms.AXES_PROJET, tirage.randint(2, 4))
    valeurs: dict[str, Any] = {
        "A01": structure.nom,
        "A02": structure.adresse,
        "A03": structure.code_postal,
        "A04": structure.commune_insee,
        "A05": structure.departement,
        "A06": structure.email,
        "A07": structure.site_web,
        "A08": structure.siret,
        "A09": structure.date_premier_agrement.isoformat(),
        "A10": periode.date_debut.isoformat(),
        "A11": periode.date_fin.isoformat(),
        "A12": population,
        "A13": structure.historique,
        **dict(zip(CODES_AXES, axes, strict=False)),
        "A15": structure.mode_gestion,
        "A16": structure.type_territoire,
        "A17": structure.taille_territoire,
        "A18": structure.geographie_prioritaire,
        "A19": structure.adherent_fcsf,
        "A20": structure.autre_federation,
        "A21": structure.gens_du_voyage,
        "A22": structure.multi_sites,
        "A23": structure.itinerante,
        "A24": structure.nombre_sites if structure.multi_sites else None,
        "A25": structure.annee_creation,
        "A26": structure.zfrr,
    }
    return {code: v for code, v in valeurs.items() if v not in ("", None)}


def instantane(structure: StructureDemo) -> dict[str, Any]:
    """Ce que la structure était à la soumission (codes stables ; le gestionnaire par son SIREN)."""
    return {
        "type": structure.type,
        "departement": structure.departement,
        "region": structure.region,
        "zone": structure.zone,
        "mode_gestion": structure.mode_gestion,
        "type_territoire": structure.type_territoire,
        "geographie_prioritaire": structure.geographie_prioritaire,
        "gestionnaire": structure.gestionnaire,
    }


def _instant_entre(rng: random.Random, debut: datetime.datetime, fin: datetime.datetime) -> datetime.datetime:
    """Un instant ouvré (8 h – 19 h) entre deux dates, à la minute près."""
    if fin <= debut:
        return debut
    jours = (fin.date() - debut.date()).days
    jour = debut.date() + datetime.timedelta(days=rng.randint(0, jours))
    instant = moment(jour, rng.randint(8, 18), rng.randrange(0, 60, 5))
    return min(max(instant, debut), fin)


def generer_reponses(
    graine: int,
    structures: Iterable[StructureDemo],
    campagnes: Iterable[CampagneDemo],
    brouillons_imposes: dict[str, str],
) -> tuple[ReponseDemo, ...]:
    """Réponses de chaque campagne : ≈ 90 % des CS et 80 % des EVS attendus (70 à 100 % selon le
    département) pour les campagnes closes, toutes validées ; ≈ 40 % des attendus ont commencé la
    campagne en cours (surtout des brouillons et des réponses soumises). Les valeurs rendues ici sont
    celles de l'identité (section A) ; ``core.demo.reponses`` complète le questionnaire et coupe les
    brouillons.

    ``brouillons_imposes`` : identifiant de structure → adresse du compte de démonstration qui a un
    brouillon en cours (les comptes « structure » de la démo ont toujours un brouillon 2026)."""
    rng = random.Random(f"senacs-demo:{graine}:reponses")
    structures = sorted(structures, key=lambda s: s.identifiant)
    departements = sorted({s.departement for s in structures})
    taux: dict[tuple[str, str], float] = {}
    progression: dict[str, float] = {}
    bas, haut = calibrage.TAUX_REPONSE_BORNES
    for dep in departements:
        taux_cs = min(haut, max(bas, rng.gauss(calibrage.TAUX_REPONSE["CS"], 0.06)))
        taux[(dep, "CS")] = taux_cs
        taux[(dep, "EVS")] = min(1.0, max(0.6, taux_cs - 0.1 + rng.gauss(0, 0.04)))
        progression[dep] = min(0.95, calibrage.PART_COMMENCEES_EN_COURS * rng.uniform(0.6, 1.5))

    reponses: list[ReponseDemo] = []
    for campagne in sorted(campagnes, key=lambda c: c.annee):
        en_cours = campagne.phase == "saisie"
        fins_saisie = {p.departement: p.date_fin_saisie for p in campagne.prorogations}
        for s in structures:
            if not s.est_attendue(campagne.annee_donnees):
                continue
            fermee_cette_annee = s.date_fermeture is not None and s.date_fermeture.year == campagne.annee_donnees
            compte = brouillons_imposes.get(s.identifiant) if en_cours else None
            if en_cours:
                p = progression[s.departement] * (0.5 if fermee_cette_annee else 1)
                commencee = rng.random() < p
                if not commencee and compte is None:
                    continue
            else:
                p = taux[(s.departement, s.type)] * (0.6 if fermee_cette_annee else 1)
                if rng.random() >= p:
                    continue
            valeurs = valeurs_identite(s, campagne.annee_donnees)
            ouverture = moment(campagne.date_ouverture_saisie)
            if en_cours:
                commencee_le = _instant_entre(rng, ouverture, FIN_SIMULATION - datetime.timedelta(days=2))
                modifiee_le = _instant_entre(rng, commencee_le, FIN_SIMULATION)
                soumise = compte is None and rng.random() < calibrage.PART_SOUMISES_PARMI_COMMENCEES
                reponses.append(
                    ReponseDemo(
                        campagne=campagne.annee,
                        structure=s.identifiant,
                        statut="soumise" if soumise else "brouillon",
                        valeurs=valeurs,
                        instantane=instantane(s) if soumise else {},
                        commencee_le=commencee_le,
                        modifiee_le=modifiee_le,
                        soumise_le=modifiee_le if soumise else None,
                        validee_le=None,
                        modifiee_par=compte,
                    )
                )
                continue
            fin_saisie = moment(fins_saisie.get(s.departement, campagne.date_fin_saisie), 18)
            fin_controle = moment(campagne.date_fin_controle, 18)
            commencee_le = _instant_entre(rng, ouverture, fin_saisie - datetime.timedelta(days=10))
            soumise_le = _instant_entre(rng, commencee_le, min(fin_saisie, commencee_le + datetime.timedelta(days=30)))
            validee_le = _instant_entre(
                rng,
                max(soumise_le, fin_saisie) + datetime.timedelta(days=1),
                fin_controle - datetime.timedelta(days=1),
            )
            reponses.append(
                ReponseDemo(
                    campagne=campagne.annee,
                    structure=s.identifiant,
                    statut="validee",
                    valeurs=valeurs,
                    instantane=instantane(s),
                    commencee_le=commencee_le,
                    modifiee_le=validee_le,
                    soumise_le=soumise_le,
                    validee_le=validee_le,
                )
            )
    return tuple(reponses)
