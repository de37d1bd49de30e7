"""Compléments de la démonstration, après le registre, les campagnes et les réponses.

Chaque étape montre une capacité de la plateforme sur les données de démo :

1. COPIL : membres, invités et désignation effective du préparateur (``senacs.copil.demo``) ;
2. diffusions protégées et auditées des campagnes en phase d'analyse ou publiées (jeu complet
   seulement : sur un jeu réduit, les départements minuscules rendent l'audit long et la diffusion
   sans intérêt) ;
3. plaquettes et analyses de démonstration, quand leurs applications le proposent.

:func:`complements_effacer` défait tout cela avant ``demo_effacer`` (les désignations, diffusions et
documents protègent les campagnes et les comptes qu'ils citent).
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import ProtectedError, RestrictedError

from senacs.campagnes.models import Campagne
from senacs.copil.demo import demo_copils
from senacs.copil.models import AccordDesignation, Designation, InviteCopil, MembreCopil, PartageDocument
from senacs.statistiques.models import DemandeTableaux, Diffusion
from senacs.statistiques.services import ORDRE_PHASES, PHASE_MIN_DIFFUSION, diffusion_publier

#: Applications dont les données de démo sont créées par une fonction ``<module>.<fonction>(graine)``.
EXTENSIONS: tuple[tuple[str, str, str], ...] = (
    ("publications", "senacs.publications.demo", "demo_plaquettes"),
    ("analyses", "senacs.analyses.demo", "demo_analyses"),
)

#: Nombre de campagnes diffusées (les plus récentes parmi celles qui peuvent l'être) : assez pour les tendances.
CAMPAGNES_DIFFUSEES = 3


@dataclass
class Etape:
    libelle: str
    detail: str
    duree: float


def _chronometrer(libelle: str, fonction: Callable[[], str]) -> Etape:
    debut = time.perf_counter()
    detail = fonction()
    return Etape(libelle, detail, time.perf_counter() - debut)


def _copils(graine: int) -> str:
    bilan = demo_copils(graine)
    return f"{bilan['membres']} membres, {bilan['invites']} invités, {bilan['designations']} désignations"


def campagnes_a_diffuser() -> list[Campagne]:
    seuil = ORDRE_PHASES.index(PHASE_MIN_DIFFUSION)
    eligibles = [c for c in Campagne.objects.order_by("-annee") if ORDRE_PHASES.index(c.phase) >= seuil]
    return sorted(eligibles[:CAMPAGNES_DIFFUSEES], key=lambda c: c.annee)


def _diffusions() -> str:
    faites = []
    for campagne in campagnes_a_diffuser():
        if campagne.diffusions.exists():
            continue
        diffusion = diffusion_publier(campagne=campagne, motif="Diffusion de la démonstration")
        faites.append(f"{campagne.annee} ({diffusion.secretes:,} cellules masquées sur {diffusion.cellules:,})")
    return "; ".join(faites).replace(",", "\u202f") or "déjà faites"


def _extension(module: str, fonction: str, graine: int) -> Callable[[], str]:
    def appeler() -> str:
        # Le journal applicatif (transitions des plaquettes…) reste en base ; pas sur la console de la démo.
        journal = logging.getLogger("senacs")
        niveau = journal.level
        journal.setLevel(logging.WARNING)
        try:
            resultat = getattr(importlib.import_module(module), fonction)(graine)
        finally:
            journal.setLevel(niveau)
        return str(resultat)

    return appeler


def extensions_disponibles() -> list[tuple[str, str, str]]:
    disponibles = []
    for label, module, fonction in EXTENSIONS:
        if not apps.is_installed(f"senacs.{label}"):
            continue
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        if hasattr(mod, fonction):
            disponibles.append((label, module, fonction))
    return disponibles


def demo_completer(*, graine: int, taille: float) -> list[Etape]:
    """Ajoute les COPIL, puis (jeu complet) les diffusions, les plaquettes et les analyses."""
    etapes = [_chronometrer("COPIL", lambda: _copils(graine))]
    if taille < 1:
        return etapes
    etapes.append(_chronometrer("Diffusions protégées", _diffusions))
    for label, module, fonction in extensions_disponibles():
        etapes.append(
            _chronometrer(apps.get_app_config(label).verbose_name.capitalize(), _extension(module, fonction, graine))
        )
    return etapes


def _vider_application(label: str) -> None:
    """Vide les tables d'une application, dans l'ordre que ses protections imposent."""
    if not apps.is_installed(f"senacs.{label}"):
        return
    restants = list(apps.get_app_config(label).get_models())
    for _ in range(len(restants) + 1):
        bloques = []
        for modele in restants:
            try:
                modele.objects.all().delete()
            except (ProtectedError, RestrictedError):
                bloques.append(modele)
        if not bloques:
            return
        restants = bloques
    raise ProtectedError(f"Tables de « {label} » impossibles à vider : {restants}", set())


def complements_effacer() -> None:
    """Efface ce que :func:`demo_completer` a créé (avant l'effacement du registre et des campagnes)."""
    for label, _module, _fonction in reversed(EXTENSIONS):
        _vider_application(label)
    if apps.is_installed("senacs.publications"):
        from senacs.publications.services import fichiers_effacer

        fichiers_effacer()  # plaquettes figées et lots : après les tables qui les citent
    DemandeTableaux.objects.all().delete()
    Diffusion.objects.all().delete()
    PartageDocument.objects.all().delete()
    AccordDesignation.objects.all().delete()
    Designation.objects.all().delete()
    InviteCopil.objects.all().delete()
    MembreCopil.objects.all().delete()
