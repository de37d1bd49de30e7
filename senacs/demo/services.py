"""Chargement et effacement des données de démonstration.

Le générateur (``core.demo``, Python pur) produit des dataclasses reliées par des clés naturelles ;
on les insère ici par ``bulk_create`` dans une seule transaction, en traduisant ces clés en clés
primaires. Le mot de passe commun est haché une seule fois (hacheur configuré) pour tous les comptes.
"""

import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import Q

from core.demo import GRAINE_PAR_DEFAUT, MOT_DE_PASSE_DEMO, DonneesDemo, generer_donnees_demo
from core.demo.comptes import CREATION_COMPTES, DOMAINE_COMPTES
from senacs.campagnes.models import Campagne, ChangementPhase, ProrogationSaisie
from senacs.comptes.models import Mandat, Utilisateur
from senacs.demo.models import ChargementDemo
from senacs.reponses.models import Reponse
from senacs.structures.models import Agrement, Gestionnaire, Structure
from senacs.territoires.models import Caf, Federation, Zone

TAILLE_LOT = 1000

M = TypeVar("M", bound=models.Model)
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class RapportChargement:
    donnees: DonneesDemo
    duree_generation: float
    duree_chargement: float

    @property
    def duree_totale(self) -> float:
        return self.duree_generation + self.duree_chargement


def _inserer(modele: type[M], objets: Sequence[M], cle: Callable[[M], K]) -> dict[K, int]:
    """Insère par lots et renvoie clé naturelle → clé primaire (relue si la base ne la renvoie pas)."""
    if not objets:
        return {}
    dernier = modele.objects.aggregate(m=models.Max("pk"))["m"] or 0
    crees = modele.objects.bulk_create(objets, batch_size=TAILLE_LOT)
    if any(o.pk is None for o in crees):
        crees = list(modele.objects.filter(pk__gt=dernier))
    return {cle(o): o.pk for o in crees}


@transaction.atomic
def demo_inserer(donnees: DonneesDemo) -> None:
    """Insère un jeu de démonstration déjà généré (base supposée sans structure)."""
    caf_par_departement = dict(Caf.objects.values_list("departement_id", "pk"))

    federations = _inserer(Federation, [Federation(nom=f.nom) for f in donnees.federations], lambda o: o.nom)
    Couverture = Federation.departements.through
    Couverture.objects.bulk_create(
        [
            Couverture(federation_id=federations[f.nom], departement_id=d)
            for f in donnees.federations
            for d in f.departements
        ],
        batch_size=TAILLE_LOT,
    )
    gestionnaires = _inserer(
        Gestionnaire, [Gestionnaire(nom=g.nom, siren=g.siren) for g in donnees.gestionnaires], lambda o: o.siren
    )
    zones = _inserer(
        Zone,
        [Zone(code=z.code, nom=z.nom, departement_id=z.departement, est_reste=z.est_reste) for z in donnees.zones],
        lambda o: o.code,
    )
    structures = _inserer(
        Structure,
        [
            Structure(
                identifiant=s.identifiant,
                type=s.type,
                nom=s.nom,
                siret=s.siret,
                adresse=s.adresse,
                code_postal=s.code_postal,
                commune_insee=s.commune_insee,
                commune_nom=s.commune_nom,
                departement_id=s.departement,
                zone_id=zones[s.zone] if s.zone else None,
                email=s.email,
                site_web=s.site_web,
                gestionnaire_id=gestionnaires[s.gestionnaire],
                mode_gestion=s.mode_gestion,
                type_territoire=s.type_territoire,
                taille_territoire=s.taille_territoire,
                geographie_prioritaire=s.geographie_prioritaire,
                adherent_fcsf=s.adherent_fcsf,
                federation_id=federations[s.federation] if s.federation else None,
                autre_federation=s.autre_federation,
                gens_du_voyage=s.gens_du_voyage,
                multi_sites=s.multi_sites,
                itinerante=s.itinerante,
                nombre_sites=s.nombre_sites,
                population_zone=s.population_zone,
                annee_creation=s.annee_creation,
                zfrr=s.zfrr,
                date_premier_agrement=s.date_premier_agrement,
                active=s.active,
                date_fermeture=s.date_fermeture,
            )
            for s in donnees.structures
        ],
        lambda o: o.identifiant,
    )
    Agrement.objects.bulk_create(
        [
            Agrement(structure_id=structures[s.identifiant], date_debut=p.date_debut, date_fin=p.date_fin)
            for s in donnees.structures
            for p in s.agrements
        ],
        batch_size=TAILLE_LOT,
    )

    mot_de_passe = make_password(MOT_DE_PASSE_DEMO)  # une seule fois : le hachage est volontairement lent
    utilisateurs = _inserer(
        Utilisateur,
        [
            Utilisateur(
                email=u.email,
                prenom=u.prenom,
                nom=u.nom,
                password=mot_de_passe,
                is_staff=u.is_staff,
                is_superuser=u.is_superuser,
                date_joined=u.date_joined,
            )
            for u in donnees.utilisateurs
        ],
        lambda o: o.email,
    )
    Mandat.objects.bulk_create(
        [
            Mandat(
                utilisateur_id=utilisateurs[u.email],
                role=m.role,
                niveau=m.niveau,
                region_id=m.region,
                departement_id=m.departement,
                structure_id=structures[m.structure] if m.structure else None,
                organisme=m.organisme,
                caf_id=caf_par_departement[m.caf] if m.caf else None,
                federation_id=federations[m.federation] if m.federation else None,
                date_debut=m.date_debut,
                date_fin=m.date_fin,
            )
            for u in donnees.utilisateurs
            for m in u.mandats
        ]
    )
    # cree_le est rempli à l'horloge par auto_now_add : on le fige pour que rien ne dépende de l'heure.
    Mandat.objects.filter(utilisateur_id__in=utilisateurs.values()).update(cree_le=CREATION_COMPTES)

    national = utilisateurs[f"national@{DOMAINE_COMPTES}"]
    campagnes = _inserer(
        Campagne,
        [
            Campagne(
                annee=c.annee,
                annee_donnees=c.annee_donnees,
                version_questionnaire=c.version_questionnaire,
                phase=c.phase,
                date_ouverture_saisie=c.date_ouverture_saisie,
                date_fin_saisie=c.date_fin_saisie,
                date_fin_controle=c.date_fin_controle,
                date_fin_analyse=c.date_fin_analyse,
                date_publication=c.date_publication,
            )
            for c in donnees.campagnes
        ],
        lambda o: o.annee,
    )
    ChangementPhase.objects.bulk_create(
        [
            ChangementPhase(
                campagne_id=campagnes[c.annee],
                ancienne_phase=ch.ancienne_phase,
                nouvelle_phase=ch.nouvelle_phase,
                par_id=national,
                le=ch.le,
                motif=ch.motif,
            )
            for c in donnees.campagnes
            for ch in c.changements
        ]
    )
    ProrogationSaisie.objects.bulk_create(
        [
            ProrogationSaisie(
                campagne_id=campagnes[c.annee],
                departement_id=p.departement,
                date_fin_saisie=p.date_fin_saisie,
                motif=p.motif,
                par_id=national,
                le=p.le,
            )
            for c in donnees.campagnes
            for p in c.prorogations
        ]
    )
    Reponse.objects.bulk_create(
        [
            Reponse(
                campagne_id=campagnes[r.campagne],
                structure_id=structures[r.structure],
                statut=r.statut,
                valeurs=r.valeurs,
                instantane=r.instantane,
                commencee_le=r.commencee_le,
                modifiee_le=r.modifiee_le,
                soumise_le=r.soumise_le,
                validee_le=r.validee_le,
                modifiee_par_id=utilisateurs[r.modifiee_par] if r.modifiee_par else None,
            )
            for r in donnees.reponses
        ],
        batch_size=TAILLE_LOT,
    )
    ChargementDemo.objects.create(graine=donnees.graine, taille=donnees.taille)


def demo_charger(*, graine: int = GRAINE_PAR_DEFAUT, taille: float = 1.0) -> RapportChargement:
    """Génère puis insère le jeu de démonstration, en une transaction ; renvoie les durées mesurées."""
    debut = time.perf_counter()
    donnees = generer_donnees_demo(graine, taille=taille)
    milieu = time.perf_counter()
    demo_inserer(donnees)
    return RapportChargement(donnees, milieu - debut, time.perf_counter() - milieu)


@transaction.atomic
def demo_effacer() -> None:
    """Efface les tables de la démonstration : registre, campagnes, réponses, comptes de démonstration.

    Les autres comptes sont gardés, sans leurs mandats qui visaient une structure ou une fédération
    effacée. Les régions, départements et Caf (référentiel) ne bougent pas."""
    Reponse.objects.all().delete()
    Campagne.objects.all().delete()  # journal des phases et prorogations compris
    Mandat.objects.filter(Q(structure__isnull=False) | Q(federation__isnull=False)).delete()
    Utilisateur.objects.filter(email__iendswith=f"@{DOMAINE_COMPTES}").delete()
    Agrement.objects.all().delete()
    Structure.objects.all().delete()
    Zone.objects.all().delete()
    Gestionnaire.objects.all().delete()
    Federation.objects.all().delete()
    ChargementDemo.objects.all().delete()
