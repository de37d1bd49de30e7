"""Écriture du journal des accès : une seule fonction, ``journaliser_acces``, appelée par les vues.

Exemple, dans la vue qui affiche les réponses d'une structure ::

    journaliser_acces(request, structures=[structure], campagne=campagne, nature=Nature.SAISIE)

- ``request_or_user`` : la requête (on en prend l'utilisateur) ou un utilisateur ; ``None`` pour une
  commande d'exploitation (l'opérateur système est alors noté dans ``detail``) ;
- ``structures`` : structures (objets ou identifiants en base) dont les réponses sont vues ;
- le rôle et l'organisme notés sont ceux du mandat valide qui ouvre l'accès à ces structures
  (préparateur pour un export de territoire, sinon correspondant, puis préparateur) ; le mandat
  lui-même est noté (numéro, dates, personne qui l'a accordé), figé au moment de l'accès ;
- une structure qui consulte ses propres réponses n'est pas journalisée (ce n'est pas un accès d'un
  tiers) ; rien d'autre n'est exclu : un administrateur est journalisé comme tout le monde.

Le journal s'écrit même pendant une requête GET en lecture seule : c'est la seule écriture qu'une
lecture déclenche. L'exemption est étroite (``senacs.journal.ecriture``) : insertions dans les tables
du journal seulement, tout autre écriture reste refusée.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from core.perimetre import departements_couverts
from core.roles import LIBELLES_ORGANISMES, LIBELLES_ROLES, Niveau, Organisme, Role
from senacs.comptes.models import Mandat
from senacs.journal.ecriture import ecriture_journal
from senacs.journal.models import AccesDonnees, Nature, StructureConsultee
from senacs.structures.models import Structure

ROLE_OPERATEUR = "Opérateur de la plateforme (commande d'exploitation)"


def _utilisateur(request_or_user):
    if request_or_user is None:
        return None
    utilisateur = getattr(request_or_user, "user", request_or_user)
    if not getattr(utilisateur, "is_authenticated", False):
        return None
    return utilisateur


def _organisme(mandat: Mandat) -> str:
    libelle = LIBELLES_ORGANISMES.get(Organisme(mandat.organisme), mandat.organisme)
    if mandat.organisme == Organisme.CAF and mandat.caf_id:
        return str(mandat.caf)
    if mandat.organisme == Organisme.FEDERATION and mandat.federation_id:
        return str(mandat.federation)
    return libelle


def _titre(utilisateur, pks: set[int], departements: set[str], nature: str) -> tuple[str, str, bool, Mandat | None]:
    """(rôle, organisme, accès à ses propres réponses, mandat qui ouvre l'accès) d'après les mandats
    valides aujourd'hui."""
    mandats = list(
        Mandat.objects.valides(timezone.localdate())
        .filter(utilisateur=utilisateur)
        .select_related("caf", "federation", "accorde_par")
    )
    propres = {m.structure_id for m in mandats if m.role == Role.STRUCTURE and m.niveau == Niveau.STRUCTURE}
    if pks and pks <= propres:
        return LIBELLES_ROLES[Role.STRUCTURE], "La structure elle-même", True, None
    ordre = (
        (Role.PREPARATEUR, Role.CORRESPONDANT)
        if nature == Nature.EXPORT_BRUT
        else (Role.CORRESPONDANT, Role.PREPARATEUR)
    )
    for role in ordre:
        for m in mandats:
            if m.role == role and departements <= departements_couverts(Niveau(m.niveau), m.code_territoire):
                return f"{LIBELLES_ROLES[role]} ({m.territoire_libelle})", _organisme(m), False, m
    if mandats:
        m = mandats[0]
        return f"{LIBELLES_ROLES.get(Role(m.role), m.role)} ({m.territoire_libelle})", _organisme(m), False, m
    if getattr(utilisateur, "is_staff", False):
        return LIBELLES_ROLES[Role.ADMIN], "", False, None
    return "Sans mandat en cours", "", False, None


def journaliser_acces(
    request_or_user,
    *,
    structures: Iterable,
    campagne=None,
    nature: str,
    detail: str = "",
) -> AccesDonnees | None:
    """Écrit un accès aux réponses brutes ; renvoie la ligne écrite (None : propre structure, ou rien)."""
    if nature not in Nature.values:
        raise ValueError(f"Nature d'accès inconnue : {nature!r} (voir senacs.journal.models.Nature).")
    pks = {s if isinstance(s, int) else s.pk for s in structures}
    if not pks:
        return None
    utilisateur = _utilisateur(request_or_user)
    departements = set(Structure.objects.filter(pk__in=pks).values_list("departement_id", flat=True).distinct())
    mandat = None
    if utilisateur is None:
        qui, role, organisme = "Commande d'exploitation", ROLE_OPERATEUR, ""
    else:
        role, organisme, propre, mandat = _titre(utilisateur, pks, departements, nature)
        if propre:
            return None
        nom = utilisateur.nom_complet
        qui = f"{nom} <{utilisateur.email}>" if nom else utilisateur.email
    with ecriture_journal(), transaction.atomic():
        acces = AccesDonnees.objects.create(
            utilisateur=utilisateur,
            qui=qui[:250],
            role=role[:120],
            organisme=organisme[:250],
            nature=nature,
            campagne=campagne,
            detail=detail[:250],
            mandat=mandat,
            mandat_detail=(mandat.description if mandat else "")[:250],
            nombre_structures=len(pks),
        )
        StructureConsultee.objects.bulk_create(
            [StructureConsultee(acces=acces, structure_id=pk) for pk in sorted(pks)], batch_size=500
        )
    return acces
