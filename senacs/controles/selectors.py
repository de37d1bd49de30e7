"""Lectures du contrôle de cohérence : tableau de bord par territoire, synthèse des anomalies par
code, liste de suivi par structure (écran et export), fil d'une réponse.

Chaque fonction reçoit un queryset de structures **déjà restreint au périmètre** par la vue
(``Structure.objects.suivies_par(request.perimetre)``) et calcule ses comptes en une requête par
agrégat (regroupement par département ou par région), jamais structure par structure.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from senacs.campagnes.models import Campagne
from senacs.campagnes.selectors import (
    Avancement,
    avancement_par_departement,
    avancement_par_region,
    avec_etat,
    structures_attendues,
)
from senacs.controles.models import (
    ETATS_EN_COURS,
    EvenementValidation,
    Gravite,
    Interpellation,
    Relance,
    Signalement,
    StatutSignalement,
)
from senacs.reponses.models import Reponse
from senacs.structures.models import Structure


@dataclass(frozen=True, slots=True)
class LigneTableau:
    avancement: Avancement
    en_interpellation: int = 0  # réponses avec au moins une interpellation en cours
    interpellations: int = 0  # interpellations en cours
    bloquantes: int = 0  # anomalies présentes et à traiter, par gravité
    avertissements: int = 0
    informations: int = 0

    @property
    def anomalies(self) -> int:
        return self.bloquantes + self.avertissements + self.informations


def _comptes_interpellations(campagne: Campagne, structures: QuerySet[Structure], champ: str) -> dict[str, dict]:
    lignes = (
        Interpellation.objects.filter(campagne=campagne, etat__in=ETATS_EN_COURS, reponse__structure__in=structures)
        .order_by()
        .values(f"reponse__structure__{champ}")
        .annotate(interpellations=Count("pk"), en_interpellation=Count("reponse", distinct=True))
    )
    return {ligne.pop(f"reponse__structure__{champ}"): ligne for ligne in lignes}


def _comptes_anomalies(campagne: Campagne, structures: QuerySet[Structure], champ: str) -> dict[str, dict]:
    lignes = (
        Signalement.objects.filter(
            campagne=campagne, present=True, statut=StatutSignalement.OUVERTE, reponse__structure__in=structures
        )
        .order_by()
        .values(f"reponse__structure__{champ}")
        .annotate(
            bloquantes=Count("pk", filter=Q(gravite=Gravite.BLOQUANT)),
            avertissements=Count("pk", filter=Q(gravite=Gravite.AVERTISSEMENT)),
            informations=Count("pk", filter=Q(gravite=Gravite.INFORMATION)),
        )
    )
    return {ligne.pop(f"reponse__structure__{champ}"): ligne for ligne in lignes}


def tableau_de_bord(
    campagne: Campagne, structures: QuerySet[Structure], *, par_region: bool, departements: Iterable[str] = ()
) -> list[LigneTableau]:
    """Une ligne par département (ou par région pour le national) : avancement de la collecte,
    réponses en interpellation, anomalies à traiter par gravité. Trois requêtes."""
    if par_region:
        avancements, champ = avancement_par_region(campagne, structures), "departement__region_id"
    else:
        avancements, champ = avancement_par_departement(campagne, structures, departements), "departement_id"
    interpellations = _comptes_interpellations(campagne, structures, champ)
    anomalies = _comptes_anomalies(campagne, structures, champ)
    return [LigneTableau(a, **interpellations.get(a.code, {}), **anomalies.get(a.code, {})) for a in avancements]


def total_tableau(lignes: list[LigneTableau], avancement_total: Avancement) -> LigneTableau:
    return LigneTableau(
        avancement_total,
        en_interpellation=sum(ligne.en_interpellation for ligne in lignes),
        interpellations=sum(ligne.interpellations for ligne in lignes),
        bloquantes=sum(ligne.bloquantes for ligne in lignes),
        avertissements=sum(ligne.avertissements for ligne in lignes),
        informations=sum(ligne.informations for ligne in lignes),
    )


@dataclass(frozen=True, slots=True)
class LigneCode:
    code: str
    gravite: str
    a_traiter: int
    justifiees: int
    corrigees: int


def synthese_par_code(campagne: Campagne, structures: QuerySet[Structure]) -> list[LigneCode]:
    """Anomalies par règle ou détecteur et gravité : à traiter, justifiées, corrigées (une requête)."""
    lignes = (
        Signalement.objects.filter(campagne=campagne, reponse__structure__in=structures)
        .order_by()
        .values("code", "gravite")
        .annotate(
            a_traiter=Count("pk", filter=Q(present=True, statut=StatutSignalement.OUVERTE)),
            justifiees=Count("pk", filter=Q(present=True, statut=StatutSignalement.JUSTIFIEE)),
            corrigees=Count("pk", filter=Q(statut=StatutSignalement.CORRIGEE)),
        )
    )
    ordre = {Gravite.BLOQUANT: 0, Gravite.AVERTISSEMENT: 1, Gravite.INFORMATION: 2}
    resultat = [LigneCode(**ligne) for ligne in lignes]
    return sorted(resultat, key=lambda ligne: (ordre.get(ligne.gravite, 9), -ligne.a_traiter, ligne.code))


def codes_presents(campagne: Campagne, signalements: QuerySet[Signalement]) -> list[str]:
    return sorted(signalements.filter(campagne=campagne).order_by().values_list("code", flat=True).distinct())


def _compte(qs: QuerySet, champ: str = "reponse__structure") -> Subquery:
    return Coalesce(
        Subquery(qs.order_by().values(champ).annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
        Value(0),
    )


def liste_suivi(campagne: Campagne, structures: QuerySet[Structure]) -> QuerySet[Structure]:
    """Structures attendues du périmètre avec l'état de leur réponse (``statut``, ``reponse_soumise_le``…),
    leurs anomalies à traiter (``nb_bloquantes``, ``nb_avertissements``), leurs interpellations en
    cours et leur dernière relance : une seule requête (sous-requêtes corrélées)."""
    anomalies = Signalement.objects.filter(
        campagne=campagne, reponse__structure=OuterRef("pk"), present=True, statut=StatutSignalement.OUVERTE
    )
    en_cours = Interpellation.objects.filter(
        campagne=campagne, reponse__structure=OuterRef("pk"), etat__in=ETATS_EN_COURS
    )
    relances = Relance.objects.filter(campagne=campagne, structure=OuterRef("pk"))
    return (
        avec_etat(campagne, structures_attendues(campagne, structures))
        .annotate(
            reponse_validee_le=F("reponse_campagne__validee_le"),
            nb_bloquantes=_compte(anomalies.filter(gravite=Gravite.BLOQUANT)),
            nb_avertissements=_compte(anomalies.filter(gravite=Gravite.AVERTISSEMENT)),
            nb_informations=_compte(anomalies.filter(gravite=Gravite.INFORMATION)),
            nb_interpellations=_compte(en_cours),
            derniere_relance=Subquery(relances.order_by("-le").values("le")[:1]),
        )
        .select_related("departement")
        .order_by("departement_id", "nom", "pk")
    )


def historique_validation(reponse: Reponse) -> list[EvenementValidation]:
    return list(reponse.evenements_validation.select_related("par").order_by("le", "pk"))


def interpellations_de(reponse: Reponse) -> list[Interpellation]:
    return list(reponse.interpellations.select_related("ouverte_par", "signalement").order_by("-ouverte_le", "-pk"))
