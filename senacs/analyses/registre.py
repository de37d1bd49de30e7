"""Registre des libérations : qui a vu quelles cellules, et l'audit de ce que leur réunion révèle.

Publics (``audience``) :

- ``copil:<id>`` : les membres d'un COPIL (et, par eux, ce qui est partagé avec ses invités) ;
- ``invites:<id>`` : les invités d'un COPIL ;
- ``utilisateur:<id>`` : une personne sans accès aux réponses brutes de tout le territoire analysé
  (correspondant hors de son département, rôle national…) ;
- ``public`` : tout le monde.

Ce que sait un public (``connaissance``) : son registre, celui du public, et pour un COPIL celui de
ses invités. Libérer une cellule à un public enrichit la connaissance de tous les publics qui
l'incluent (``concernees``) : la protection d'un nouveau résultat tient compte de tous.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from core.analyses.calcul import Liberation
from core.analyses.protection import Contribution, Regles, examiner
from senacs.analyses.models import CelluleLiberee

PUBLIC = "public"


def connaissance(audience: str) -> list[str]:
    """Publics dont ``audience`` connaît les cellules libérées."""
    if audience == PUBLIC:
        return [PUBLIC]
    if audience.startswith("copil:"):
        return [audience, "invites:" + audience.split(":", 1)[1], PUBLIC]
    return [audience, PUBLIC]


def concernees(audience: str, campagne: int | None = None) -> list[str]:
    """Publics dont la connaissance grandit quand on libère à ``audience``."""
    if audience == PUBLIC:
        autres = CelluleLiberee.objects.all()
        if campagne is not None:
            autres = autres.filter(campagne=campagne)
        return [PUBLIC, *sorted(set(autres.values_list("audience", flat=True)) - {PUBLIC})]
    if audience.startswith("invites:"):
        return [audience, "copil:" + audience.split(":", 1)[1]]
    return [audience]


def audiences_de_personne(utilisateur_id: int) -> list[str]:
    """Toutes les audiences d'une personne : chaque COPIL dont elle est membre, chaque COPIL où elle
    est invitée, ses propres libérations, le public. Une personne qui siège à deux COPIL (le
    représentant d'une fédération au COPIL du Rhône et à celui de la région) connaît les deux registres."""
    from senacs.copil.models import InviteCopil, MembreCopil

    audiences = [f"copil:{c}" for c in MembreCopil.objects.filter(utilisateur_id=utilisateur_id).values_list(
        "copil_id", flat=True
    )]  # fmt: skip
    audiences += [
        f"invites:{c}"
        for c in InviteCopil.objects.filter(utilisateur_id=utilisateur_id).values_list("copil_id", flat=True)
    ]
    return sorted(set(audiences)) + [f"utilisateur:{utilisateur_id}", PUBLIC]


def personnes_de(audience: str) -> set[int]:
    """Les personnes qui détiennent ``audience`` (le public : personne en particulier)."""
    from senacs.copil.models import InviteCopil, MembreCopil

    genre, _, cle = audience.partition(":")
    if genre == "copil" and cle.isdigit():
        return set(MembreCopil.objects.filter(copil_id=int(cle)).values_list("utilisateur_id", flat=True))
    if genre == "invites" and cle.isdigit():
        return set(InviteCopil.objects.filter(copil_id=int(cle)).values_list("utilisateur_id", flat=True))
    if genre == "utilisateur" and cle.isdigit():
        return {int(cle)}
    return set()


def connaissance_personne(utilisateur_id: int) -> list[str]:
    """Publics dont une personne connaît les cellules : l'union de ce que voient toutes ses audiences."""
    publics: set[str] = set()
    for a in audiences_de_personne(utilisateur_id):
        publics.update(connaissance(a))
    return sorted(publics)


def ensembles_connus(audience: str, campagne: int, variable: str) -> list[CelluleLiberee]:
    """Cellules déjà libérées que connaît l'un des publics concernés par une libération à ``audience``,
    ou l'une des personnes qui les détiennent (union de toutes leurs audiences)."""
    publics: set[str] = set()
    for a in concernees(audience, campagne):
        publics.update(connaissance(a))
        if a != PUBLIC:
            for personne in personnes_de(a):
                publics.update(connaissance_personne(personne))
    return list(CelluleLiberee.objects.filter(audience__in=sorted(publics), campagne=campagne, variable=variable))


def inscrire(
    *,
    audience: str,
    liberations: Iterable[Liberation],
    territoire: str,
    indicateur: str,
    variables: dict[int, str],
    source: str,
) -> int:
    """Inscrit les cellules montrées (une fois par public, campagne, variable et ensemble)."""
    n = 0
    for lib in liberations:
        variable = variables.get(lib.campagne)
        if not variable:
            continue
        try:
            with transaction.atomic():
                _, cree = CelluleLiberee.objects.get_or_create(
                    audience=audience,
                    campagne=lib.campagne,
                    variable=variable,
                    ensemble=lib.ensemble,
                    defaults={
                        "territoire": territoire,
                        "indicateur": indicateur,
                        "structures": sorted(lib.structures),
                        "valeur": lib.valeur,
                        "repondants": lib.repondants,
                        "source": source[:60],
                    },
                )
        except IntegrityError:  # inscription concurrente de la même cellule
            cree = False
        n += int(cree)
    return n


# --------------------------------------------------------------------------- audit


@dataclass
class RapportRegistre:
    campagne: int
    publics: int = 0
    cellules: int = 0
    variables: int = 0
    exposees: list[tuple[str, str, list[int], str]] = field(default_factory=list)  # public, variable, atome, scénario
    atomes_sensibles: int = 0

    @property
    def ok(self) -> bool:
        return not self.exposees

    def resume(self) -> str:
        return (
            f"registre des libérations : {self.cellules} cellule(s) libérée(s) à {self.publics} public(s), "
            f"{self.variables} variable(s), {self.atomes_sensibles} groupe(s) sensible(s) examiné(s), "
            f"{len(self.exposees)} exposé(s) — {'OK' if self.ok else 'ÉCHEC'}"
        )


def auditer_registre(campagne, regles: Regles) -> RapportRegistre:
    """Pour chaque public, la réunion de ce qu'il connaît (registre + diffusion publiée) ne doit isoler
    aucun groupe sensible. Ce que la diffusion révèle à elle seule relève de son propre audit."""
    from core.analyses.calcul import nature_de
    from senacs.analyses.catalogue import PAR_CODE
    from senacs.analyses.donnees import ensembles_diffusion, microdonnees, question_sensible
    from senacs.analyses.services import departements_du_territoire, territoires_diffusion

    rapport = RapportRegistre(campagne.annee)
    lignes = list(CelluleLiberee.objects.filter(campagne=campagne.annee))
    rapport.cellules = len(lignes)
    publics = sorted({c.audience for c in lignes})
    rapport.publics = len(publics)
    variables = sorted({c.variable for c in lignes})
    rapport.variables = len(variables)
    scenarios = [(audience, set(connaissance(audience))) for audience in publics]
    # Chaque personne qui détient plusieurs audiences : l'union de ce qu'elle voit.
    personnes: set[int] = set()
    for audience in publics:
        if audience != PUBLIC:
            personnes |= personnes_de(audience)
    vus = {frozenset(c) for _, c in scenarios}
    for personne in sorted(personnes):
        connus = set(connaissance_personne(personne))
        utiles = connus & set(publics)
        if frozenset(connus) not in vus and not any(utiles <= c for _, c in scenarios[: len(publics)]):
            vus.add(frozenset(connus))
            scenarios.append((f"personne:{personne}", connus))
    for audience, connus in scenarios:
        par_variable: dict[str, list[CelluleLiberee]] = defaultdict(list)
        for c in lignes:
            if c.audience in connus:
                par_variable[c.variable].append(c)
        for variable, cellules in par_variable.items():
            indicateur = PAR_CODE.get(cellules[0].indicateur)
            if indicateur is None:
                continue
            territoires = sorted({c.territoire for c in cellules})
            departements = set()
            for t in territoires:
                departements |= departements_du_territoire(t)
            micro = microdonnees(campagne, indicateur, departements)
            contributions = {
                s: Contribution(g, float(v))
                for s, g, v in micro.filter(micro["valeur"].is_not_null())
                .select("structure", "gestionnaire", "valeur")
                .iter_rows()
            }
            fond: list[frozenset[int]] = []
            for t in territoires:
                fond += ensembles_diffusion(campagne, indicateur, micro, territoires_diffusion(t))[0]
            sensible = question_sensible(indicateur, campagne)
            nature = nature_de(indicateur)
            deja = {a for a, _ in examiner(fond, contributions, nature, regles, question_sensible=sensible).exposes}
            examen = examiner(
                fond + [frozenset(c.structures) & frozenset(contributions) for c in cellules],
                contributions,
                nature,
                regles,
                question_sensible=sensible,
            )
            rapport.atomes_sensibles += examen.sensibles
            for atome, scenario in examen.exposes:
                if not any(atome <= d for d in deja):
                    rapport.exposees.append((audience, variable, sorted(atome), scenario))
    return rapport
