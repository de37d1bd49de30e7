"""Lectures des réponses pour la saisie : questionnaire de la structure, réponses de l'an dernier,
historique d'une réponse, dépôts, organisme au titre duquel une personne saisit.

Aucune de ces fonctions ne filtre par périmètre : les vues passent toujours par
``Structure.objects.visibles_par(request.perimetre)`` avant de les appeler.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import Q

from core.questionnaire.modele import Questionnaire as ModeleQuestionnaire
from core.roles import LIBELLES_ORGANISMES, Niveau, Organisme, Role
from senacs.campagnes.models import Campagne
from senacs.comptes.models import Mandat
from senacs.reponses.models import Depot, Reponse, ReponseHistorique, Statut
from senacs.structures.models import Structure


def variante(campagne: Campagne, structure: Structure) -> ModeleQuestionnaire:
    """Le questionnaire de la structure : variante CS ou EVS, questions locales de son département."""
    return campagne.questionnaire.modele.pour_public(structure.type, structure.departement_id)


def reponse_de(campagne: Campagne, structure: Structure) -> Reponse | None:
    return Reponse.objects.filter(campagne=campagne, structure=structure).first()


def valeurs_precedentes(campagne: Campagne, structure: Structure) -> dict[str, Any]:
    """Réponses de la structure à la campagne précédente : celles déposées (réponse soumise ou validée,
    sinon son dernier dépôt) ; un brouillon jamais déposé ne compte pas. Vide s'il n'y en a pas."""
    precedente = (
        Reponse.objects.filter(campagne__annee=campagne.annee - 1, structure=structure)
        .only("pk", "statut", "valeurs")
        .first()
    )
    if precedente is None:
        return {}
    if precedente.statut in (Statut.SOUMISE, Statut.VALIDEE):
        return dict(precedente.valeurs)
    dernier = precedente.depots.order_by("-numero").only("valeurs").first()
    return dict(dernier.valeurs) if dernier else {}


def valeurs_aux_versions(reponse: Reponse, versions: Mapping[str, int]) -> dict[str, Any]:
    """Valeur de chaque réponse telle qu'elle était à la version donnée (celle que le formulaire avait
    chargée) ; la version 0 est la réponse vide. Codes de version inconnue : absents du résultat."""
    resultat: dict[str, Any] = {}
    a_chercher: dict[str, int] = {}
    for code, version in versions.items():
        if version == 0:
            resultat[code] = None
        elif version == reponse.versions.get(code, 0):
            resultat[code] = reponse.valeurs.get(code)
        elif version > 0:
            a_chercher[code] = version
    if a_chercher:
        condition = Q()
        for code, version in a_chercher.items():
            condition |= Q(code=code, version=version)
        lignes = ReponseHistorique.objects.filter(reponse=reponse).filter(condition).values_list("code", "valeur")
        for code, valeur in lignes:
            resultat[code] = valeur
    return resultat


def historique(reponse: Reponse, code: str) -> list[ReponseHistorique]:
    """Toutes les valeurs successives d'une réponse, de la plus récente à la plus ancienne."""
    return list(
        ReponseHistorique.objects.filter(reponse=reponse, code=code).select_related("par").order_by("-version")
    )


def depots(reponse: Reponse) -> list[Depot]:
    return list(reponse.depots.select_related("par").order_by("numero"))


def _couvre(mandat: Mandat, structure: Structure) -> bool:
    if mandat.niveau == Niveau.NATION:
        return True
    if mandat.niveau == Niveau.REGION:
        return mandat.region_id == structure.departement.region_id
    if mandat.niveau == Niveau.DEPARTEMENT:
        return mandat.departement_id == structure.departement_id
    return False


def libelle_mandant(mandat: Mandat) -> str:
    """« Caf – Rhône », le nom de la fédération, ou l'organisme et le territoire du mandat."""
    if mandat.caf_id:
        return mandat.caf.nom
    if mandat.federation_id:
        return mandat.federation.nom
    libelle = LIBELLES_ORGANISMES.get(Organisme(mandat.organisme), mandat.organisme)
    return f"{libelle} – {mandat.territoire_libelle}"


def mandat_correspondant(utilisateur, structure: Structure, jour: datetime.date) -> Mandat | None:
    """Le mandat de correspondant en cours qui couvre la structure (le plus local d'abord)."""
    mandats = (
        Mandat.objects.valides(jour)
        .filter(utilisateur=utilisateur, role=Role.CORRESPONDANT)
        .select_related("caf", "federation", "region", "departement")
    )
    ordre = {Niveau.DEPARTEMENT: 0, Niveau.REGION: 1, Niveau.NATION: 2}
    couvrants = sorted((m for m in mandats if _couvre(m, structure)), key=lambda m: (ordre.get(m.niveau, 9), m.pk))
    return couvrants[0] if couvrants else None


def organisme_saisie(utilisateur, structure: Structure, *, pour_le_compte: bool, jour: datetime.date) -> str:
    """Au titre de quoi la personne saisit : la structure elle-même, ou l'organisme qui mandate le
    correspondant (Caf ou fédération) pour une saisie pour le compte de la structure."""
    if not pour_le_compte:
        return structure.nom
    mandat = mandat_correspondant(utilisateur, structure, jour)
    return libelle_mandant(mandat) if mandat else "Correspondant SENACS"
