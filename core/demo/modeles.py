"""Objets produits par le générateur de démonstration : des dataclasses sans lien avec la base.

Les relations passent par des clés naturelles stables (code de zone, SIREN du gestionnaire, nom de
fédération, identifiant SENACS de structure, adresse électronique d'utilisateur, année de campagne),
jamais par des clés primaires : le chargement en base les traduit.
"""

import dataclasses
import datetime
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class FederationDemo:
    nom: str
    departements: tuple[str, ...]
    regionale: bool = False


@dataclass(frozen=True, slots=True)
class GestionnaireDemo:
    siren: str
    nom: str
    nature: str  # association, commune, ccas, epci (EPCI ou CIAS), caf, autre


@dataclass(frozen=True, slots=True)
class ZoneDemo:
    code: str
    nom: str
    departement: str
    est_reste: bool


@dataclass(frozen=True, slots=True)
class PeriodeAgrement:
    date_debut: datetime.date
    date_fin: datetime.date

    def chevauche(self, annee: int) -> bool:
        return self.date_debut <= datetime.date(annee, 12, 31) and self.date_fin >= datetime.date(annee, 1, 1)


@dataclass(frozen=True, slots=True)
class StructureDemo:
    identifiant: str
    type: str  # "CS" ou "EVS"
    nom: str
    siret: str
    adresse: str
    code_postal: str
    commune_insee: str
    commune_nom: str
    departement: str
    region: str
    zone: str | None
    email: str
    site_web: str
    gestionnaire: str  # SIREN
    mode_gestion: str
    type_territoire: str
    taille_territoire: str
    geographie_prioritaire: str
    adherent_fcsf: bool
    federation: str | None  # nom de la fédération locale
    autre_federation: str
    gens_du_voyage: bool
    multi_sites: bool
    itinerante: bool
    nombre_sites: int
    population_zone: int
    annee_creation: int
    zfrr: bool
    date_premier_agrement: datetime.date
    active: bool
    date_fermeture: datetime.date | None
    agrements: tuple[PeriodeAgrement, ...]
    historique: str
    derive_population: float  # évolution annuelle de la population déclarée

    def est_attendue(self, annee_donnees: int) -> bool:
        return any(p.chevauche(annee_donnees) for p in self.agrements)

    def periode_pour(self, annee_donnees: int) -> tuple[int, PeriodeAgrement] | None:
        """Agrément « en cours » déclaré pour une année de données : le dernier qui la chevauche."""
        trouve = None
        for rang, periode in enumerate(self.agrements):
            if periode.chevauche(annee_donnees):
                trouve = (rang, periode)
        return trouve


@dataclass(frozen=True, slots=True)
class ChangementPhaseDemo:
    ancienne_phase: str
    nouvelle_phase: str
    le: datetime.datetime
    motif: str = ""


@dataclass(frozen=True, slots=True)
class ProrogationDemo:
    departement: str
    date_fin_saisie: datetime.date
    motif: str
    le: datetime.datetime


@dataclass(frozen=True, slots=True)
class CampagneDemo:
    annee: int
    annee_donnees: int
    version_questionnaire: str
    phase: str
    date_ouverture_saisie: datetime.date
    date_fin_saisie: datetime.date
    date_fin_controle: datetime.date
    date_fin_analyse: datetime.date
    date_publication: datetime.date
    changements: tuple[ChangementPhaseDemo, ...]
    prorogations: tuple[ProrogationDemo, ...] = ()


@dataclass(frozen=True, slots=True)
class ReponseDemo:
    campagne: int  # année de la campagne
    structure: str  # identifiant SENACS
    statut: str
    valeurs: dict[str, Any]
    instantane: dict[str, Any]
    commencee_le: datetime.datetime
    modifiee_le: datetime.datetime
    soumise_le: datetime.datetime | None
    validee_le: datetime.datetime | None
    modifiee_par: str | None = None  # adresse électronique d'un compte de démonstration
    # Compte qui a saisi les réponses (provenance) ; None : « la structure » sans compte connu.
    saisie_par: str | None = None
    # Réponses saisies pour le compte de la structure par un correspondant (droit de regard).
    pour_le_compte: "SaisiePourLeCompte | None" = None
    justifications: dict[str, str] = field(default_factory=dict)  # code de règle → justification
    depot: "DepotDemo | None" = None


@dataclass(frozen=True, slots=True)
class SaisiePourLeCompte:
    par: str  # adresse électronique du correspondant
    organisme: str  # « Caf – Rhône »
    codes: tuple[str, ...]
    le: datetime.datetime


@dataclass(frozen=True, slots=True)
class DepotDemo:
    """Dépôt n° ``numero`` d'une réponse soumise : réponses figées et avertissements justifiés, avec
    l'empreinte SHA-256 calculée comme ``senacs.reponses.services.reponse_soumettre``."""

    numero: int
    valeurs: dict[str, Any]
    avertissements: tuple[dict[str, Any], ...]
    par: str
    organisme: str
    depose_le: datetime.datetime
    empreinte: str


@dataclass(frozen=True, slots=True)
class AnomalieInjectee:
    """Anomalie volontairement glissée dans une réponse (calibration §9), pour mesurer plus tard le
    rappel et les faux positifs du contrôle de cohérence. ``questions`` : codes modifiés, le principal
    d'abord ; ``regles`` : règles du questionnaire qui doivent la signaler (vide si aucune)."""

    campagne: int
    structure: str
    type: str
    questions: tuple[str, ...]
    regles: tuple[str, ...]
    description: str

    def vers_dict(self) -> dict[str, Any]:
        return {
            "campagne": self.campagne,
            "structure": self.structure,
            "type": self.type,
            "questions": list(self.questions),
            "regles": list(self.regles),
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class MandatDemo:
    role: str
    niveau: str
    organisme: str
    region: str | None = None
    departement: str | None = None
    structure: str | None = None  # identifiant SENACS
    caf: str | None = None  # code du département de la Caf mandante
    federation: str | None = None  # nom de la fédération mandante
    date_debut: datetime.date = datetime.date(2020, 1, 1)
    date_fin: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class UtilisateurDemo:
    email: str
    prenom: str
    nom: str
    description: str  # ce que le compte permet de faire, pour la table affichée par `senacs demo`
    mandats: tuple[MandatDemo, ...]
    date_joined: datetime.datetime
    is_staff: bool = False
    is_superuser: bool = False


@dataclass(frozen=True, slots=True)
class DonneesDemo:
    graine: int
    taille: float
    federations: tuple[FederationDemo, ...]
    gestionnaires: tuple[GestionnaireDemo, ...]
    zones: tuple[ZoneDemo, ...]
    structures: tuple[StructureDemo, ...]
    campagnes: tuple[CampagneDemo, ...]
    reponses: tuple[ReponseDemo, ...]
    utilisateurs: tuple[UtilisateurDemo, ...]
    # Comptes (non affichés, sans mot de passe utilisable) des structures qui ont commencé la campagne en cours.
    comptes_structures: tuple[UtilisateurDemo, ...] = ()
    anomalies_injectees: tuple[AnomalieInjectee, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def structures_actives(self, type_structure: str | None = None) -> list[StructureDemo]:
        return [s for s in self.structures if s.active and (type_structure is None or s.type == type_structure)]

    def compter(self) -> dict[str, int]:
        statuts = Counter((r.campagne, r.statut) for r in self.reponses)
        return {
            "cs_actifs": len(self.structures_actives("CS")),
            "evs_actifs": len(self.structures_actives("EVS")),
            "structures": len(self.structures),
            "fermees": sum(1 for s in self.structures if not s.active),
            "departements": len({s.departement for s in self.structures}),
            "agrements": sum(len(s.agrements) for s in self.structures),
            "gestionnaires": len(self.gestionnaires),
            "federations": len(self.federations),
            "zones": len(self.zones),
            "campagnes": len(self.campagnes),
            "reponses": len(self.reponses),
            "utilisateurs": len(self.utilisateurs),
            "comptes_structures": len(self.comptes_structures),
            "valeurs": sum(len(r.valeurs) for r in self.reponses),
            "depots": sum(1 for r in self.reponses if r.depot is not None),
            "anomalies_injectees": len(self.anomalies_injectees),
            **{f"reponses_{annee}_{statut}": n for (annee, statut), n in sorted(statuts.items())},
        }

    def empreinte(self) -> str:
        """SHA-256 d'une sérialisation canonique de tout le jeu (preuve de déterminisme)."""
        condensat = hashlib.sha256()
        noms = (
            "federations", "gestionnaires", "zones", "structures", "campagnes", "reponses", "utilisateurs",
            "comptes_structures", "anomalies_injectees",
        )  # fmt: skip
        for nom in noms:
            for objet in getattr(self, nom):
                ligne = json.dumps(objet, sort_keys=True, default=_json_defaut, ensure_ascii=False)
                condensat.update(f"{nom}\t{ligne}\n".encode())
        return condensat.hexdigest()


def _json_defaut(valeur: object) -> object:
    if isinstance(valeur, datetime.datetime | datetime.date):
        return valeur.isoformat()
    if dataclasses.is_dataclass(valeur) and not isinstance(valeur, type):
        return {f.name: getattr(valeur, f.name) for f in dataclasses.fields(valeur)}
    raise TypeError(f"valeur non sérialisable : {valeur!r}")
