"""Lectures des campagnes : campagne courante et avancement de la collecte (suivi).

L'avancement se calcule en une requête par agrégat (regroupement par département ou par région),
jamais structure par structure : un correspondant régional couvre une douzaine de départements et
le national plus de 4 000 structures.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, FilteredRelation, Q, QuerySet

from core.territoires import departements_par_code, regions
from senacs.campagnes.models import Campagne, Phase
from senacs.reponses.models import Statut
from senacs.structures.models import Structure

# État d'une structure pour une campagne : l'absence de réponse vaut « non commencée ».
NON_COMMENCEE = "non_commencee"
ETATS = (NON_COMMENCEE, Statut.BROUILLON.value, Statut.SOUMISE.value, Statut.VALIDEE.value)
LIBELLES_ETATS = {
    NON_COMMENCEE: "Non commencée",
    Statut.BROUILLON.value: "Brouillon",
    Statut.SOUMISE.value: "Soumise",
    Statut.VALIDEE.value: "Validée",
}
# Champ d'Avancement qui compte chaque état.
CHAMPS_ETATS = {
    NON_COMMENCEE: "non_commencees",
    Statut.BROUILLON.value: "brouillons",
    Statut.SOUMISE.value: "soumises",
    Statut.VALIDEE.value: "validees",
}

# Dates de chaque phase, dans l'ordre de la frise (début, fin) ; None quand la phase n'a pas de borne.
BORNES_PHASES = {
    Phase.PREPARATION: (None, "date_ouverture_saisie"),
    Phase.SAISIE: ("date_ouverture_saisie", "date_fin_saisie"),
    Phase.CONTROLE: ("date_fin_saisie", "date_fin_controle"),
    Phase.ANALYSE: ("date_fin_controle", "date_fin_analyse"),
    Phase.PUBLICATION: ("date_publication", None),
    Phase.ARCHIVEE: (None, None),
}


def etat_de(statut: str | None) -> str:
    return statut or NON_COMMENCEE


def campagne_courante() -> Campagne | None:
    """La campagne la plus récente non archivée ; à défaut, la plus récente (prorogations préchargées)."""
    campagnes = Campagne.objects.prefetch_related("prorogations")
    return campagnes.en_cours().order_by("-annee").first() or campagnes.order_by("-annee").first()


@dataclass(frozen=True, slots=True)
class EtapeFrise:
    phase: str
    libelle: str
    debut: datetime.date | None
    fin: datetime.date | None
    courante: bool
    passee: bool


def frise(campagne: Campagne) -> list[EtapeFrise]:
    """Les phases de la campagne dans l'ordre, avec leurs dates et leur position par rapport à la phase en cours."""
    etapes = []
    for rang, phase in enumerate(Phase):
        debut, fin = BORNES_PHASES[phase]
        etapes.append(
            EtapeFrise(
                phase=phase.value,
                libelle=phase.label,
                debut=getattr(campagne, debut) if debut else None,
                fin=getattr(campagne, fin) if fin else None,
                courante=rang == campagne.rang_phase,
                passee=rang < campagne.rang_phase,
            )
        )
    return etapes


@dataclass(frozen=True, slots=True)
class Avancement:
    """Avancement de la collecte d'un territoire pour une campagne (structures attendues seulement)."""

    code: str
    libelle: str
    attendues: int = 0
    non_commencees: int = 0
    brouillons: int = 0
    soumises: int = 0
    validees: int = 0

    @property
    def repondantes(self) -> int:
        """Une réponse compte quand elle est déposée (soumise) ou validée ; un brouillon n'est pas une réponse."""
        return self.soumises + self.validees

    @property
    def taux_reponse(self) -> float | None:
        return 100 * self.repondantes / self.attendues if self.attendues else None

    def __add__(self, autre: "Avancement") -> "Avancement":
        return Avancement(
            code=self.code,
            libelle=self.libelle,
            attendues=self.attendues + autre.attendues,
            non_commencees=self.non_commencees + autre.non_commencees,
            brouillons=self.brouillons + autre.brouillons,
            soumises=self.soumises + autre.soumises,
            validees=self.validees + autre.validees,
        )


def total(avancements: Iterable[Avancement], *, code: str = "total", libelle: str = "Total") -> Avancement:
    somme = Avancement(code=code, libelle=libelle)
    for a in avancements:
        somme = somme + a
    return somme


def structures_attendues(campagne: Campagne, structures: QuerySet[Structure]) -> QuerySet[Structure]:
    """Les structures (d'un queryset déjà restreint au périmètre) attendues pour la campagne."""
    return structures.filter(pk__in=Structure.objects.attendues(campagne.annee_donnees).values("pk"))


def _avec_reponse(campagne: Campagne, structures: QuerySet[Structure]) -> QuerySet[Structure]:
    # Jointure externe sur la réponse de la campagne (au plus une par structure : contrainte d'unicité).
    return structures.annotate(reponse_campagne=FilteredRelation("reponses", condition=Q(reponses__campagne=campagne)))


def avec_etat(campagne: Campagne, structures: QuerySet[Structure]) -> QuerySet[Structure]:
    """Annote ``statut`` (None : non commencée), ``reponse_id``, ``reponse_modifiee_le`` et ``reponse_soumise_le``."""
    return _avec_reponse(campagne, structures).annotate(
        statut=F("reponse_campagne__statut"),
        reponse_id=F("reponse_campagne__pk"),
        reponse_modifiee_le=F("reponse_campagne__modifiee_le"),
        reponse_soumise_le=F("reponse_campagne__soumise_le"),
    )


def filtrer_etat(structures: QuerySet[Structure], etat: str) -> QuerySet[Structure]:
    """Filtre un queryset annoté par ``avec_etat`` sur un état (dont « non commencée »)."""
    if etat == NON_COMMENCEE:
        return structures.filter(reponse_campagne__isnull=True)
    return structures.filter(reponse_campagne__statut=etat)


def _compter(campagne: Campagne, structures: QuerySet[Structure], champ: str) -> dict[str, dict[str, int]]:
    lignes = (
        _avec_reponse(campagne, structures_attendues(campagne, structures))
        .order_by()
        .values(champ)
        .annotate(
            attendues=Count("pk"),
            non_commencees=Count("pk", filter=Q(reponse_campagne__isnull=True)),
            brouillons=Count("pk", filter=Q(reponse_campagne__statut=Statut.BROUILLON)),
            soumises=Count("pk", filter=Q(reponse_campagne__statut=Statut.SOUMISE)),
            validees=Count("pk", filter=Q(reponse_campagne__statut=Statut.VALIDEE)),
        )
    )
    return {ligne.pop(champ): ligne for ligne in lignes}


def avancement_par_departement(
    campagne: Campagne, structures: QuerySet[Structure], departements: Iterable[str]
) -> list[Avancement]:
    """Une ligne par département demandé (même sans structure attendue), en une requête."""
    comptes = _compter(campagne, structures.filter(departement_id__in=list(departements)), "departement_id")
    referentiel = departements_par_code()
    return [
        Avancement(code=code, libelle=f"{code} – {referentiel[code].nom}", **comptes.get(code, {}))
        for code in sorted(departements, key=cle_departement)
    ]


def avancement_par_region(campagne: Campagne, structures: QuerySet[Structure]) -> list[Avancement]:
    """Une ligne par région (toutes les régions), en une requête."""
    comptes = _compter(campagne, structures, "departement__region_id")
    return [
        Avancement(code=r.code, libelle=r.nom, **comptes.get(r.code, {}))
        for r in sorted(regions(), key=lambda r: r.nom)
    ]


def cle_departement(code: str) -> tuple[int, str]:
    """Ordre naturel des codes : 01, 02, …, 19, 2A, 2B, 21, …, 95, 971, …"""
    chiffres = code.replace("2A", "20").replace("2B", "20")
    return (int(chiffres), code)
