"""Comptes de démonstration : au moins un par rôle, sur le Rhône (69), l'Ain (01), la Lozère (48,
département minuscule), la région Auvergne-Rhône-Alpes (84) et la nation ; plus un mandat expiré."""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass

from core.demo import noms
from core.demo.campagnes import PARIS
from core.demo.geographie import federation_locale_par_departement
from core.demo.modeles import MandatDemo, StructureDemo, UtilisateurDemo

DOMAINE_COMPTES = "demo.senacs.fr"
MOT_DE_PASSE_DEMO = "senacs-demo-2026"  # démonstration locale uniquement
DEBUT_MANDATS = datetime.date(2020, 1, 1)
FIN_MANDAT_EXPIRE = datetime.date(2024, 6, 30)
CREATION_COMPTES = datetime.datetime(2020, 1, 1, 8, 0, tzinfo=PARIS)
UNION_84 = "Union régionale des centres sociaux d'Auvergne-Rhône-Alpes"

DESCRIPTIONS = {
    "structure": "Saisit, enregistre et soumet le questionnaire de sa structure ; voit qui a consulté ses réponses.",
    "correspondant": "Suit et relance la saisie du territoire, saisit pour une structure, contrôle et valide "
    "les réponses ; agrégats du territoire.",
    "copil": "Consulte les tableaux agrégés et protégés du territoire ; contribue à la plaquette.",
    "preparateur": "Comme un membre du COPIL, plus l'accès ligne à ligne et l'export des réponses du territoire.",
    "invite": "Ne voit que les documents partagés par le COPIL (jamais de données brutes).",
    "national": "Pilote le questionnaire, le calendrier des campagnes et la plaquette ; agrégats nationaux.",
    "admin": "Gère les comptes, les mandats et le registre ; accès à l'administration Django.",
    "expire": "Mandat de correspondant expiré le 30/06/2024 : ne voit plus aucune donnée.",
}


@dataclass(frozen=True, slots=True)
class _Definition:
    identifiant: str  # partie locale de l'adresse électronique
    role: str
    niveau: str
    organisme: str
    territoire: str  # code de région, de département, ou de département de la structure
    caf: str | None = None
    federation: str | None = None
    expire: bool = False


def _definitions() -> list[_Definition]:
    fed = federation_locale_par_departement()
    return [
        _Definition("structure.69", "structure", "structure", "structure", "69"),
        _Definition("correspondant.caf.69", "correspondant", "departement", "caf", "69", caf="69"),
        _Definition(
            "correspondant.federation.69", "correspondant", "departement", "federation", "69", federation=fed["69"]
        ),
        _Definition("copil.caf.69", "copil", "departement", "caf", "69", caf="69"),
        _Definition("copil.federation.69", "copil", "departement", "federation", "69", federation=fed["69"]),
        _Definition("preparateur.69", "preparateur", "departement", "caf", "69", caf="69"),
        _Definition("invite.69", "invite", "departement", "caf", "69", caf="69"),
        _Definition("ancien.correspondant.69", "correspondant", "departement", "caf", "69", caf="69", expire=True),
        _Definition("structure.01", "structure", "structure", "structure", "01"),
        _Definition("correspondant.01", "correspondant", "departement", "caf", "01", caf="01"),
        _Definition("copil.01", "copil", "departement", "federation", "01", federation=fed["01"]),
        _Definition("preparateur.01", "preparateur", "departement", "caf", "01", caf="01"),
        _Definition("invite.01", "invite", "departement", "federation", "01", federation=fed["01"]),
        _Definition("structure.48", "structure", "structure", "structure", "48"),
        _Definition("correspondant.48", "correspondant", "departement", "caf", "48", caf="48"),
        _Definition("copil.48", "copil", "departement", "caf", "48", caf="48"),
        _Definition("correspondant.region.84", "correspondant", "region", "federation", "84", federation=UNION_84),
        _Definition("copil.region.84", "copil", "region", "caf", "84", caf="69"),
        _Definition("national", "national", "nation", "national", "FR"),
        _Definition("admin", "admin", "nation", "national", "FR"),
    ]  # fmt: skip


def choisir_structures_demo(structures: Sequence[StructureDemo]) -> dict[str, StructureDemo]:
    """Structure de chaque compte « structure » : de préférence un CS actif du chef-lieu (Lyon pour le
    Rhône), un EVS pour l'Ain, n'importe quelle structure active en Lozère."""
    preferences = {
        "69": lambda s: (s.type != "CS", s.commune_insee != "69123", s.identifiant),
        "01": lambda s: (s.type != "EVS", s.identifiant),
        "48": lambda s: (s.type != "CS", s.identifiant),
    }
    choix = {}
    for dep, cle in preferences.items():
        candidates = [s for s in structures if s.departement == dep and s.active and s.est_attendue(2025)]
        if candidates:
            choix[dep] = min(candidates, key=cle)
    return choix


def generer_comptes(graine: int, structures_demo: dict[str, StructureDemo]) -> tuple[UtilisateurDemo, ...]:
    rng = random.Random(f"senacs-demo:{graine}:comptes")
    personnes: set[tuple[str, str]] = set()
    comptes = []
    for d in _definitions():
        while True:
            personne = (rng.choice(noms.PRENOMS), rng.choice(noms.NOMS_FAMILLE))
            if personne not in personnes:
                personnes.add(personne)
                break
        if d.niveau == "structure":
            if d.territoire not in structures_demo:
                continue
            mandat = MandatDemo(d.role, d.niveau, d.organisme, structure=structures_demo[d.territoire].identifiant)
        elif d.niveau == "region":
            mandat = MandatDemo(d.role, d.niveau, d.organisme, region=d.territoire, caf=d.caf, federation=d.federation)
        elif d.niveau == "departement":
            mandat = MandatDemo(
                d.role,
                d.niveau,
                d.organisme,
                departement=d.territoire,
                caf=d.caf,
                federation=d.federation,
                date_fin=FIN_MANDAT_EXPIRE if d.expire else None,
            )
        else:
            mandat = MandatDemo(d.role, d.niveau, d.organisme)
        comptes.append(
            UtilisateurDemo(
                email=f"{d.identifiant}@{DOMAINE_COMPTES}",
                prenom=personne[0],
                nom=personne[1],
                description=DESCRIPTIONS["expire" if d.expire else d.role],
                mandats=(mandat,),
                date_joined=CREATION_COMPTES,
                is_staff=d.role == "admin",
                is_superuser=d.role == "admin",
            )
        )
    return tuple(comptes)
