"""Lectures de la démonstration : empreinte des données, résumé chiffré, table des comptes, anomalies
injectées dans les réponses."""

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils import timezone

from core.demo.comptes import DESCRIPTIONS, DOMAINE_COMPTES
from core.roles import LIBELLES_ROLES, Role
from senacs.campagnes.models import Campagne, ChangementPhase, ProrogationSaisie
from senacs.comptes.middleware import second_facteur_exige
from senacs.comptes.models import AcceptationCharte, Mandat, Utilisateur
from senacs.comptes.selectors import perimetre_de
from senacs.demo.models import ChargementDemo
from senacs.reponses.models import Depot, Reponse, ReponseHistorique, RevueSaisie
from senacs.structures.models import Agrement, Gestionnaire, Structure
from senacs.territoires.models import Federation, Zone

# Tables couvertes par l'empreinte, dans l'ordre, avec les colonnes lues : les clés étrangères sont
# remplacées par des clés naturelles et les clés primaires (qui dépendent des séquences) sont exclues,
# comme le mot de passe (sel aléatoire), la dernière connexion et la date du chargement (horloge). La
# provenance des réponses, qui cite le compte par sa clé primaire, est couverte par l'historique (campagne
# en cours, avec l'adresse du compte) et par les comptes eux-mêmes ; la valeur d'une ligne d'historique,
# qui redit la réponse (les tests le vérifient), n'est pas relue.
COLONNES_EMPREINTE: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("federation", Federation.objects, ("nom",)),
    ("federation_departements", Federation.departements.through.objects, ("federation__nom", "departement_id")),
    ("gestionnaire", Gestionnaire.objects, ("siren", "nom")),
    ("zone", Zone.objects, ("code", "nom", "departement_id", "est_reste")),
    (
        "structure",
        Structure.objects,
        (
            "identifiant", "type", "nom", "siret", "adresse", "code_postal", "commune_insee", "commune_nom",
            "departement_id", "zone__code", "email", "site_web", "gestionnaire__siren", "mode_gestion",
            "type_territoire", "taille_territoire", "geographie_prioritaire", "adherent_fcsf", "federation__nom",
            "autre_federation", "gens_du_voyage", "multi_sites", "itinerante", "nombre_sites", "population_zone",
            "annee_creation", "zfrr", "date_premier_agrement", "active", "date_fermeture",
        ),
    ),
    ("agrement", Agrement.objects, ("structure__identifiant", "date_debut", "date_fin")),
    (
        "utilisateur",
        Utilisateur.objects,
        ("email", "prenom", "nom", "is_active", "is_staff", "is_superuser", "date_joined"),
    ),
    (
        "mandat",
        Mandat.objects,
        (
            "utilisateur__email", "role", "niveau", "region_id", "departement_id", "structure__identifiant",
            "organisme", "caf__departement_id", "federation__nom", "date_debut", "date_fin",
        ),  # sans cree_le : les COPIL de la démo créent des mandats le jour du chargement
    ),
    ("acceptation_charte", AcceptationCharte.objects, ("utilisateur__email", "version", "acceptee_le")),
    (
        "campagne",
        Campagne.objects,
        (
            "annee", "annee_donnees", "version_questionnaire", "questionnaire__version", "questionnaire__empreinte",
            "phase", "date_ouverture_saisie", "date_fin_saisie", "date_fin_controle", "date_fin_analyse",
            "date_publication",
        ),
    ),
    (
        "changement_phase",
        ChangementPhase.objects,
        ("campagne__annee", "ancienne_phase", "nouvelle_phase", "par__email", "le", "motif"),
    ),
    (
        "prorogation",
        ProrogationSaisie.objects,
        ("campagne__annee", "departement_id", "date_fin_saisie", "motif", "par__email", "le"),
    ),
    (
        "reponse",
        Reponse.objects,
        (
            "campagne__annee", "structure__identifiant", "statut", "valeurs", "versions", "revision",
            "justifications", "instantane", "commencee_le", "modifiee_le", "soumise_le", "validee_le",
            "modifiee_par__email",
        ),
    ),
    (
        "depot",
        Depot.objects,
        (
            "reponse__campagne__annee", "reponse__structure__identifiant", "numero", "valeurs", "avertissements",
            "par__email", "organisme", "depose_le", "empreinte",
        ),
    ),
    (
        "reponse_historique",
        ReponseHistorique.objects,
        (
            "reponse__campagne__annee", "reponse__structure__identifiant", "code", "version", "par__email",
            "organisme", "pour_le_compte", "origine", "le",
        ),
    ),
    (
        "revue_saisie",
        RevueSaisie.objects,
        ("reponse__campagne__annee", "reponse__structure__identifiant", "code", "historique__le", "statut"),
    ),
    ("chargement", ChargementDemo.objects, ("graine", "taille", "anomalies_injectees")),
)  # fmt: skip


def _canonique(valeur: Any) -> Any:
    if isinstance(valeur, datetime.datetime):
        return valeur.astimezone(datetime.UTC).isoformat()
    if isinstance(valeur, datetime.date):
        return valeur.isoformat()
    return valeur


def empreinte_donnees() -> str:
    """SHA-256 des tables de la démonstration, dans un ordre canonique (tables dans un ordre fixe,
    lignes triées sur leur sérialisation), indépendant des clés primaires et de l'horloge."""
    condensat = hashlib.sha256()
    for nom, gestionnaire, colonnes in COLONNES_EMPREINTE:
        lignes = sorted(
            json.dumps([_canonique(v) for v in ligne], sort_keys=True, ensure_ascii=False)
            for ligne in gestionnaire.values_list(*colonnes).order_by()
        )
        condensat.update(f"#{nom}:{len(lignes)}\n".encode())
        for ligne in lignes:
            condensat.update(ligne.encode())
            condensat.update(b"\n")
    return condensat.hexdigest()


@dataclass(frozen=True, slots=True)
class LigneCampagne:
    annee: int
    annee_donnees: int
    phase: str
    attendues: int
    reponses: int
    brouillons: int
    soumises: int
    validees: int


@dataclass(frozen=True, slots=True)
class ResumeDemo:
    cs_actifs: int
    evs_actifs: int
    fermees: int
    departements: int
    departements_minuscules: int  # 1 à 5 structures actives
    zones: int
    gestionnaires: int
    federations: int
    campagnes: tuple[LigneCampagne, ...]
    reponses: int
    agrements: int
    questionnaires: tuple[str, ...] = ()  # versions rattachées aux campagnes
    depots: int = 0
    anomalies_injectees: int = 0


def resume_demo() -> ResumeDemo:
    par_type = dict(Structure.objects.actives().values_list("type").annotate(n=Count("pk")).order_by())
    par_departement = Structure.objects.actives().values("departement_id").annotate(n=Count("pk")).order_by()
    campagnes = []
    for campagne in Campagne.objects.order_by("annee"):
        statuts = dict(
            Reponse.objects.filter(campagne=campagne).values_list("statut").annotate(n=Count("pk")).order_by()
        )
        campagnes.append(
            LigneCampagne(
                annee=campagne.annee,
                annee_donnees=campagne.annee_donnees,
                phase=campagne.get_phase_display(),
                attendues=Structure.objects.attendues(campagne.annee_donnees).count(),
                reponses=sum(statuts.values()),
                brouillons=statuts.get("brouillon", 0),
                soumises=statuts.get("soumise", 0),
                validees=statuts.get("validee", 0),
            )
        )
    return ResumeDemo(
        cs_actifs=par_type.get("CS", 0),
        evs_actifs=par_type.get("EVS", 0),
        fermees=Structure.objects.filter(active=False).count(),
        departements=len(par_departement),
        departements_minuscules=sum(1 for ligne in par_departement if ligne["n"] <= 5),
        zones=Zone.objects.count(),
        gestionnaires=Gestionnaire.objects.count(),
        federations=Federation.objects.count(),
        campagnes=tuple(campagnes),
        reponses=Reponse.objects.count(),
        agrements=Agrement.objects.count(),
        questionnaires=tuple(
            Campagne.objects.filter(questionnaire__isnull=False)
            .order_by("annee")
            .values_list("questionnaire__version", flat=True)
        ),
        depots=Depot.objects.count(),
        anomalies_injectees=len(anomalies_injectees()),
    )


def anomalies_injectees() -> list[dict[str, Any]]:
    """Anomalies glissées dans les réponses par le dernier chargement de la démonstration (campagne,
    structure, type, questions, règles attendues, description) ; vide hors démonstration. Référence pour
    mesurer le rappel et les faux positifs du contrôle de cohérence."""
    chargement = ChargementDemo.objects.order_by("-charge_le", "-pk").only("anomalies_injectees").first()
    return list(chargement.anomalies_injectees) if chargement else []


@dataclass(frozen=True, slots=True)
class CompteAffiche:
    email: str
    nom_complet: str
    role: str
    territoire: str
    description: str
    second_facteur: bool = False  # exigé à la connexion (réponses brutes d'autres structures, national, admin)


def comptes_demo(jour: datetime.date | None = None) -> list[CompteAffiche]:
    """Comptes de démonstration présents en base, un par ligne, dans l'ordre de la démonstration."""
    jour = jour or timezone.localdate()
    comptes = []
    utilisateurs = (
        Utilisateur.objects.filter(email__iendswith=f"@{DOMAINE_COMPTES}")
        .prefetch_related("mandats__structure", "mandats__region", "mandats__departement")
        .order_by("pk")
    )
    for u in utilisateurs:
        mandats = list(u.mandats.all())
        if not mandats:
            continue
        m = min(mandats, key=lambda mandat: mandat.pk)  # le mandat de la démo, pas ceux des COPIL
        expire = not m.est_valide(jour)
        territoire = m.territoire_libelle
        if m.structure_id:
            territoire = f"{m.structure.nom} ({m.structure.commune_nom}, {m.structure.departement_id})"
        comptes.append(
            CompteAffiche(
                email=u.email,
                nom_complet=u.nom_complet,
                role=LIBELLES_ROLES[Role(m.role)] + (" — mandat expiré" if expire else ""),
                territoire=territoire,
                description=DESCRIPTIONS["expire" if expire else m.role],
                second_facteur=second_facteur_exige(u, perimetre_de(u, jour)),
            )
        )
    return comptes


def base_de_demonstration() -> bool:
    """Vrai si la base a été remplie par `senacs demo` (ou ne contient encore aucune structure)."""
    return ChargementDemo.objects.exists() or not Structure.objects.exists()
