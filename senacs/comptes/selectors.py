import datetime

from django.conf import settings
from django.utils import timezone

from core.perimetre import MandatActif, Perimetre
from core.roles import Niveau, Role
from senacs.comptes.models import AcceptationCharte, Mandat


def mandats_actifs(utilisateur, jour: datetime.date) -> list[MandatActif]:
    lignes = (
        Mandat.objects.valides(jour)
        .filter(utilisateur=utilisateur)
        .values_list("role", "niveau", "region_id", "departement_id", "structure_id", "organisme")
    )
    mandats = []
    for role, niveau, region, departement, structure, organisme in lignes:
        code = {
            Niveau.NATION: "FR",
            Niveau.REGION: region,
            Niveau.DEPARTEMENT: departement,
            Niveau.STRUCTURE: str(structure),
        }[Niveau(niveau)]
        mandats.append(MandatActif(Role(role), Niveau(niveau), code, organisme))
    return mandats


def perimetre_de(utilisateur, jour: datetime.date | None = None) -> Perimetre:
    """Périmètre calculé à partir des seuls mandats valides ce jour-là (aucun mandat, aucune donnée)."""
    if utilisateur is None or not utilisateur.is_authenticated or not utilisateur.is_active:
        return Perimetre.vide()
    jour = jour or timezone.localdate()
    return Perimetre.depuis_mandats(mandats_actifs(utilisateur, jour))


def charte_acceptee(utilisateur) -> bool:
    return AcceptationCharte.objects.filter(utilisateur=utilisateur, version=settings.SENACS_CHARTE_VERSION).exists()


def sans_recapitulatif(adresses: list[str]) -> list[str]:
    """Adresses à prévenir tout de suite : on retire celles des comptes qui ont choisi le récapitulatif
    quotidien (ils retrouvent le travail dans ce récapitulatif et sur leur page d'accueil)."""
    from senacs.comptes.models import Notifications, Utilisateur

    if not adresses:
        return []
    quotidiens = {
        e.lower()
        for e in Utilisateur.objects.filter(
            email__in=[a.lower() for a in adresses], notifications=Notifications.QUOTIDIEN
        ).values_list("email", flat=True)
    }
    return [a for a in adresses if a.lower() not in quotidiens]
