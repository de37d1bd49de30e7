"""Import et export du registre des structures (fichier tableur ↔ base).

Le fichier est lu et contrôlé cellule par cellule par ``core.registre`` (Python pur). Ce module ajoute
ce qui demande la base : la portée de l'utilisateur (un correspondant n'importe que les structures de
ses départements), l'historique des agréments, la comparaison avec le registre (différences champ
par champ) et l'écriture, tout ou rien, dans une seule transaction. Format : ``docs/registre.md``.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import registre
from core.perimetre import Perimetre
from core.registre import Erreur, FichierIllisible, date_fr, nom_departement, normaliser
from senacs.structures.models import (
    Agrement,
    AutreFederation,
    GeographiePrioritaire,
    Gestionnaire,
    ModeGestion,
    Structure,
    TailleTerritoire,
    TypeStructure,
    TypeTerritoire,
    verifier_duree_agrement,
)

CHOIX: dict[str, list[tuple[str, str]]] = {
    "type": TypeStructure.choices,
    "mode_gestion": ModeGestion.choices,
    "type_territoire": TypeTerritoire.choices,
    "taille_territoire": TailleTerritoire.choices,
    "geographie_prioritaire": GeographiePrioritaire.choices,
    "autre_federation": AutreFederation.choices,
}

# Colonne du fichier → champ du modèle Structure (les autres colonnes sont traitées à part).
CHAMPS: dict[str, str] = {
    "type": "type",
    "nom": "nom",
    "siret": "siret",
    "adresse": "adresse",
    "code_postal": "code_postal",
    "commune_insee": "commune_insee",
    "commune": "commune_nom",
    "departement": "departement",
    "email": "email",
    "site_web": "site_web",
    "mode_gestion": "mode_gestion",
    "type_territoire": "type_territoire",
    "taille_territoire": "taille_territoire",
    "geographie_prioritaire": "geographie_prioritaire",
    "adherent_fcsf": "adherent_fcsf",
    "autre_federation": "autre_federation",
    "gens_du_voyage": "gens_du_voyage",
    "multi_sites": "multi_sites",
    "itinerante": "itinerante",
    "nombre_sites": "nombre_sites",
    "population_zone": "population_zone",
    "annee_creation": "annee_creation",
    "zfrr": "zfrr",
    "date_premier_agrement": "date_premier_agrement",
    "active": "active",
}
COLONNE_DU_CHAMP: dict[str, str] = {champ: colonne for colonne, champ in CHAMPS.items()}
TAILLE_LOT = 1000


@dataclass(frozen=True, slots=True)
class Changement:
    colonne: str
    avant: str
    apres: str

    def __str__(self) -> str:
        return f"{self.colonne} : {self.avant} → {self.apres}"


@dataclass(slots=True)
class LigneCreation:
    ligne: int
    identifiant: str
    nom: str
    type: str
    commune: str
    departement: str
    agrement: str = ""


@dataclass(slots=True)
class LigneModification:
    ligne: int
    identifiant: str
    nom: str
    changements: list[Changement]


@dataclass(slots=True)
class LigneInchangee:
    ligne: int
    identifiant: str
    nom: str


@dataclass
class RapportImport:
    """Ce que l'import fait (ou ferait, en simulation) : créations, modifications, erreurs."""

    simulation: bool
    nom_fichier: str = ""
    creations: list[LigneCreation] = field(default_factory=list)
    modifications: list[LigneModification] = field(default_factory=list)
    inchangees: list[LigneInchangee] = field(default_factory=list)
    erreurs: list[Erreur] = field(default_factory=list)
    agrements_ajoutes: int = 0
    gestionnaires_crees: int = 0
    enregistre: bool = False

    @property
    def a_erreurs(self) -> bool:
        return bool(self.erreurs)

    @property
    def nb_lignes(self) -> int:
        return len(self.creations) + len(self.modifications) + len(self.inchangees)

    @property
    def erreurs_triees(self) -> list[Erreur]:
        return sorted(self.erreurs, key=lambda e: (e.ligne or 0, registre_rang_colonne(e.colonne)))

    def resume(self) -> str:
        return (
            f"{compter(len(self.creations), 'création', 'créations')}, "
            f"{compter(len(self.modifications), 'modification', 'modifications')}, "
            f"{compter(len(self.inchangees), 'ligne inchangée', 'lignes inchangées')}, "
            f"{compter(self.agrements_ajoutes, 'agrément ajouté', 'agréments ajoutés')}"
        )

    def texte(self, differences_max: int = 10) -> list[str]:
        """Le rapport en lignes de texte français (commande console)."""
        lignes = [
            f"Fichier « {self.nom_fichier} » : {compter(self.nb_lignes, 'structure valide', 'structures valides')}."
        ]
        lignes.append(f"{self.resume()}.")
        if self.gestionnaires_crees:
            nb = compter(self.gestionnaires_crees, "organisme gestionnaire créé", "organismes gestionnaires créés")
            lignes.append(f"{nb}.")
        if self.creations:
            lignes.append("")
            lignes.append(f"Créations ({registre.nombre_fr(len(self.creations))}) :")
            for c in self.creations[:differences_max]:
                lignes.append(
                    f"  Ligne {c.ligne} — {c.identifiant} : {c.nom} ({c.type}, {c.commune}, {c.departement})"
                )
            if len(self.creations) > differences_max:
                lignes.append(f"  … et {registre.nombre_fr(len(self.creations) - differences_max)} autres.")
        if self.modifications:
            lignes.append("")
            lignes.append(f"Modifications ({registre.nombre_fr(len(self.modifications))}) :")
            for m in self.modifications[:differences_max]:
                detail = " ; ".join(str(c) for c in m.changements)
                lignes.append(f"  Ligne {m.ligne} — {m.identifiant} ({m.nom}) : {detail}")
            if len(self.modifications) > differences_max:
                lignes.append(f"  … et {registre.nombre_fr(len(self.modifications) - differences_max)} autres.")
        if self.erreurs:
            lignes.append("")
            lignes.append(f"Erreurs ({registre.nombre_fr(len(self.erreurs))}) :")
            lignes.extend(f"  {e}" for e in self.erreurs_triees)
        return lignes


def compter(n: int, singulier: str, pluriel: str) -> str:
    return f"{registre.nombre_fr(n)} {singulier if n < 2 else pluriel}"


def registre_rang_colonne(colonne: str | None) -> int:
    return registre.COLONNES.index(colonne) if colonne in registre.COLONNES else -1


def afficher(colonne: str, valeur: Any) -> str:
    """Valeur lisible dans un rapport de différences."""
    if valeur is None or valeur == "":
        return "(vide)"
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, datetime.date):
        return date_fr(valeur)
    if colonne in CHOIX:
        return dict(CHOIX[colonne]).get(valeur, str(valeur))
    return str(valeur)


def _periode(debut: datetime.date, fin: datetime.date) -> str:
    return f"du {date_fr(debut)} au {date_fr(fin)}"


def _valeur_par_defaut(nom_champ: str) -> Any:
    champ = Structure._meta.get_field(nom_champ)
    return None if champ.null else champ.get_default()


def _texte_perimetre(perimetre: Perimetre) -> str:
    codes = sorted(perimetre.departements_suivi)
    if not codes:
        return "aucun département"
    if len(codes) > 6:
        return f"{', '.join(codes[:6])}…"
    return ", ".join(codes)


# --- Import ------------------------------------------------------------------------------------


def registre_importer(
    *,
    contenu: bytes,
    nom_fichier: str,
    perimetre: Perimetre,
    simulation: bool,
    aujourd_hui: datetime.date | None = None,
    par=None,
    qui: str = "",
) -> RapportImport:
    """Importe un registre (CSV, XLSX, XLS ou ODS). Tout ou rien : la moindre erreur et rien n'est écrit.

    En simulation, renvoie le même rapport sans rien écrire. Les lignes dont le département (ou celui
    de la structure existante) sort des ``departements_suivi`` du périmètre sont refusées, sauf pour le
    national et l'administrateur.
    """
    aujourd_hui = aujourd_hui or timezone.localdate()
    rapport = RapportImport(simulation=simulation, nom_fichier=nom_fichier)
    try:
        cellules = registre.lire_fichier(contenu, registre.extension_de(nom_fichier))
    except FichierIllisible as e:
        rapport.erreurs.append(Erreur(None, None, str(e)))
        return rapport
    analyse = registre.analyser(cellules, CHOIX, aujourd_hui)
    rapport.erreurs.extend(analyse.erreurs)
    if not analyse.lignes:
        return rapport

    plan = _Plan(analyse.colonnes, perimetre, aujourd_hui)
    plan.charger(analyse.lignes)
    for ligne in analyse.lignes:
        plan.traiter(ligne, rapport)
    rapport.gestionnaires_crees = len(plan.nouveaux_gestionnaires)

    if rapport.a_erreurs or simulation:
        return rapport
    with transaction.atomic():
        plan.enregistrer()
        _auditer_registre(rapport, par, qui)
    rapport.enregistre = True
    return rapport


def _auditer_registre(rapport: "RapportImport", par, qui: str) -> None:
    """Piste d'audit du registre (qui voit les réponses brutes en dépend) : une ligne par structure
    créée ou modifiée, avec chaque changement (colonne, avant, après)."""
    from senacs.exploitation.audit import nom_de, operateur
    from senacs.exploitation.models import Evenement, Origine

    auteur = (nom_de(par) or qui or operateur())[:250]
    origine = Origine.WEB if par is not None else Origine.COMMANDE
    lignes = [
        Evenement(
            utilisateur=par,
            qui=auteur,
            origine=origine,
            action="registre.creer",
            objet=c.identifiant,
            detail={"fichier": rapport.nom_fichier, "ligne": c.ligne, "nom": c.nom},
        )
        for c in rapport.creations
    ] + [
        Evenement(
            utilisateur=par,
            qui=auteur,
            origine=origine,
            action="registre.modifier",
            objet=m.identifiant,
            detail={
                "fichier": rapport.nom_fichier,
                "ligne": m.ligne,
                "changements": [{"colonne": c.colonne, "avant": c.avant, "apres": c.apres} for c in m.changements],
            },
        )
        for m in rapport.modifications
    ]
    Evenement.objects.bulk_create(lignes, batch_size=500)


class _Plan:
    """Compare les lignes au registre existant et prépare les écritures (sans requête par ligne)."""

    def __init__(self, colonnes: tuple[str, ...], perimetre: Perimetre, aujourd_hui: datetime.date):
        self.colonnes = colonnes
        self.perimetre = perimetre
        self.sans_limite = perimetre.est_national or perimetre.est_admin
        self.aujourd_hui = aujourd_hui
        self.existantes: dict[str, Structure] = {}
        self.gestionnaires: dict[tuple[str, str], int] = {}  # (nom normalisé, département) → id
        self.nouveaux_gestionnaires: dict[tuple[str, str], Gestionnaire] = {}
        self.a_creer: list[Structure] = []
        self.a_modifier: list[Structure] = []
        self.champs_modifies: set[str] = set()
        self.agrements: list[tuple[Structure, datetime.date, datetime.date]] = []
        self.gestionnaire_de: dict[int, Gestionnaire] = {}  # id(structure) → gestionnaire à créer

    def charger(self, lignes: list[registre.LigneRegistre]) -> None:
        identifiants = [ligne.valeurs["identifiant"] for ligne in lignes]
        for i in range(0, len(identifiants), TAILLE_LOT):
            lot = (
                Structure.objects.filter(identifiant__in=identifiants[i : i + TAILLE_LOT])
                .select_related("gestionnaire")
                .prefetch_related("agrements")
            )
            self.existantes.update((s.identifiant, s) for s in lot)
        if "gestionnaire" in self.colonnes:
            departements = {ligne.valeurs["departement"] for ligne in lignes}
            gerees = Structure.objects.filter(departement_id__in=departements, gestionnaire__isnull=False).values_list(
                "departement_id", "gestionnaire_id", "gestionnaire__nom"
            )
            for departement, gestionnaire_id, nom in gerees.order_by("gestionnaire_id"):
                self.gestionnaires.setdefault((normaliser(nom), departement), gestionnaire_id)

    def traiter(self, ligne: registre.LigneRegistre, rapport: RapportImport) -> None:
        v = ligne.valeurs
        identifiant, departement = v["identifiant"], v["departement"]
        existante = self.existantes.get(identifiant)
        erreurs: list[Erreur] = []

        if not self.sans_limite:
            if departement not in self.perimetre.departements_suivi:
                erreurs.append(
                    Erreur(
                        ligne.numero,
                        "departement",
                        f"le département {nom_departement(departement)} est hors de votre périmètre "
                        f"({_texte_perimetre(self.perimetre)}) : vous ne pouvez pas y importer de structure.",
                    )
                )
            if existante and existante.departement_id not in self.perimetre.departements_suivi:
                erreurs.append(
                    Erreur(
                        ligne.numero,
                        "identifiant",
                        f"la structure « {identifiant} » est enregistrée dans le département "
                        f"{nom_departement(existante.departement_id)}, hors de votre périmètre.",
                    )
                )

        periode = self._periode_a_ajouter(ligne, existante, erreurs)
        if erreurs:
            rapport.erreurs.extend(erreurs)
            return

        valeurs = {}
        for colonne in self.colonnes:
            if colonne in CHAMPS:
                nom_champ = CHAMPS[colonne]
                valeur = v[colonne]
                valeurs[nom_champ] = _valeur_par_defaut(nom_champ) if valeur is None else valeur
        gestionnaire_id, nouveau_gestionnaire = self._gestionnaire(v.get("gestionnaire"), departement, existante)

        if existante is None:
            self._creer(ligne, valeurs, gestionnaire_id, nouveau_gestionnaire, periode, rapport)
        else:
            self._modifier(ligne, existante, valeurs, gestionnaire_id, nouveau_gestionnaire, periode, rapport)

    def _periode_a_ajouter(
        self, ligne: registre.LigneRegistre, existante: Structure | None, erreurs: list[Erreur]
    ) -> tuple[datetime.date, datetime.date] | None:
        debut, fin = ligne.valeurs.get("agrement_debut"), ligne.valeurs.get("agrement_fin")
        if not (debut and fin):
            return None
        message = verifier_duree_agrement(debut, fin)
        if message:
            message = message[0].lower() + message[1:].rstrip(".")
            erreurs.append(Erreur(ligne.numero, "agrement_fin", f"{message} (reçu : {_periode(debut, fin)})."))
            return None
        historique = list(existante.agrements.all()) if existante else []
        if any(a.date_debut == debut and a.date_fin == fin for a in historique):
            return None
        conflit = next((a for a in historique if a.date_debut <= fin and a.date_fin >= debut), None)
        if conflit:
            erreurs.append(
                Erreur(
                    ligne.numero,
                    "agrement_debut",
                    f"la période d'agrément {_periode(debut, fin)} chevauche la période déjà enregistrée "
                    f"{_periode(conflit.date_debut, conflit.date_fin)} ; corrigez l'historique des agréments "
                    "de la structure avant d'importer.",
                )
            )
            return None
        return debut, fin

    def _gestionnaire(
        self, nom: str | None, departement: str, existante: Structure | None = None
    ) -> tuple[int | None, Gestionnaire | None]:
        """Même nom (sans tenir compte de la casse ni des accents) et même département : même organisme.

        Une structure dont l'organisme actuel porte déjà ce nom le garde : deux associations homonymes
        d'un même département restent deux organismes distincts."""
        if "gestionnaire" not in self.colonnes or not nom:
            return None, None
        if (
            existante is not None
            and existante.gestionnaire_id
            and existante.departement_id == departement
            and normaliser(existante.gestionnaire.nom) == normaliser(nom)
        ):
            return existante.gestionnaire_id, None
        cle = (normaliser(nom), departement)
        if cle in self.gestionnaires:
            return self.gestionnaires[cle], None
        return None, self.nouveaux_gestionnaires.setdefault(cle, Gestionnaire(nom=nom))

    def _creer(self, ligne, valeurs, gestionnaire_id, nouveau_gestionnaire, periode, rapport):
        departement = valeurs.pop("departement")
        structure = Structure(identifiant=ligne.valeurs["identifiant"], departement_id=departement, **valeurs)
        structure.gestionnaire_id = gestionnaire_id
        if nouveau_gestionnaire is not None:
            self.gestionnaire_de[id(structure)] = nouveau_gestionnaire
        if periode:
            self.agrements.append((structure, *periode))
        self.a_creer.append(structure)
        rapport.creations.append(
            LigneCreation(
                ligne=ligne.numero,
                identifiant=structure.identifiant,
                nom=structure.nom,
                type=structure.type,
                commune=structure.commune_nom,
                departement=departement,
                agrement=_periode(*periode) if periode else "",
            )
        )
        if periode:
            rapport.agrements_ajoutes += 1

    def _modifier(self, ligne, structure, valeurs, gestionnaire_id, nouveau_gestionnaire, periode, rapport):
        changements: list[Changement] = []
        champs: set[str] = set()
        for nom_champ, nouvelle in valeurs.items():
            attribut = "departement_id" if nom_champ == "departement" else nom_champ
            ancienne = getattr(structure, attribut)
            if ancienne != nouvelle:
                colonne = COLONNE_DU_CHAMP[nom_champ]
                changements.append(Changement(colonne, afficher(colonne, ancienne), afficher(colonne, nouvelle)))
                setattr(structure, attribut, nouvelle)
                champs.add(nom_champ)
        if "gestionnaire" in self.colonnes:
            nouveau_nom = nouveau_gestionnaire.nom if nouveau_gestionnaire else ligne.valeurs.get("gestionnaire")
            if nouveau_gestionnaire is not None or gestionnaire_id != structure.gestionnaire_id:
                ancien_nom = structure.gestionnaire.nom if structure.gestionnaire_id else None
                changements.append(
                    Changement(
                        "gestionnaire", afficher("gestionnaire", ancien_nom), afficher("gestionnaire", nouveau_nom)
                    )
                )
                structure.gestionnaire_id = gestionnaire_id
                if nouveau_gestionnaire is not None:
                    self.gestionnaire_de[id(structure)] = nouveau_gestionnaire
                champs.add("gestionnaire")
        if "departement" in champs and structure.zone_id is not None:
            structure.zone_id = None  # la zone appartient à l'ancien département
            champs.add("zone")
        if "active" in champs:
            structure.date_fermeture = None if structure.active else (structure.date_fermeture or self.aujourd_hui)
            champs.add("date_fermeture")
        if periode:
            historique = sorted(structure.agrements.all(), key=lambda a: a.date_debut)
            avant = _periode(historique[-1].date_debut, historique[-1].date_fin) if historique else "(aucun)"
            changements.append(Changement("agrément", avant, f"ajout de la période {_periode(*periode)}"))
            self.agrements.append((structure, *periode))
            rapport.agrements_ajoutes += 1
        if changements:
            self.a_modifier.append(structure)
            self.champs_modifies |= champs
            rapport.modifications.append(
                LigneModification(ligne.numero, structure.identifiant, structure.nom, changements)
            )
        else:
            rapport.inchangees.append(LigneInchangee(ligne.numero, structure.identifiant, structure.nom))

    @transaction.atomic
    def enregistrer(self) -> None:
        Gestionnaire.objects.bulk_create(self.nouveaux_gestionnaires.values(), batch_size=500)
        for structure in (*self.a_creer, *self.a_modifier):
            gestionnaire = self.gestionnaire_de.get(id(structure))
            if gestionnaire is not None:
                structure.gestionnaire_id = gestionnaire.pk
        Structure.objects.bulk_create(self.a_creer, batch_size=500)
        if self.a_modifier and self.champs_modifies:
            Structure.objects.bulk_update(self.a_modifier, sorted(self.champs_modifies), batch_size=500)
        Agrement.objects.bulk_create(
            [Agrement(structure_id=s.pk, date_debut=debut, date_fin=fin) for s, debut, fin in self.agrements],
            batch_size=500,
        )


# --- Export ------------------------------------------------------------------------------------


def registre_structures(perimetre: Perimetre):
    """Structures du registre qu'un utilisateur peut exporter : tout pour le national et l'administrateur,
    sinon les départements qu'il suit."""
    if perimetre.est_national or perimetre.est_admin:
        return Structure.objects.all()
    return Structure.objects.suivies_par(perimetre)


def agrement_courant(structure: Structure, aujourd_hui: datetime.date) -> Agrement | None:
    """L'agrément en vigueur ce jour-là, sinon le plus récent."""
    agrements = sorted(structure.agrements.all(), key=lambda a: a.date_debut)
    en_cours = [a for a in agrements if a.date_debut <= aujourd_hui <= a.date_fin]
    if en_cours:
        return en_cours[-1]
    return agrements[-1] if agrements else None


def registre_lignes(structures, aujourd_hui: datetime.date | None = None) -> Iterator[list[Any]]:
    """Une liste de valeurs par structure, dans l'ordre de ``core.registre.COLONNES``."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    requete = (
        structures.select_related("gestionnaire")
        .prefetch_related("agrements")
        .order_by("departement_id", "nom", "identifiant")
    )
    for s in requete.iterator(chunk_size=TAILLE_LOT):
        agrement = agrement_courant(s, aujourd_hui)
        yield [
            s.identifiant,
            s.type,
            s.nom,
            s.siret,
            s.adresse,
            s.code_postal,
            s.commune_insee,
            s.commune_nom,
            s.departement_id,
            s.email,
            s.site_web,
            s.gestionnaire.nom if s.gestionnaire_id else None,
            s.mode_gestion,
            s.type_territoire,
            s.taille_territoire,
            s.geographie_prioritaire,
            s.adherent_fcsf,
            s.autre_federation,
            s.gens_du_voyage,
            s.multi_sites,
            s.itinerante,
            s.nombre_sites,
            s.population_zone,
            s.annee_creation,
            s.zfrr,
            s.date_premier_agrement,
            agrement.date_debut if agrement else None,
            agrement.date_fin if agrement else None,
            s.active,
        ]


def registre_exporter(*, structures, format: str, aujourd_hui: datetime.date | None = None) -> bytes:
    """Le registre au format d'import : « xlsx » (feuilles registre et codes) ou « csv » (« ; », UTF-8 BOM)."""
    lignes = registre_lignes(structures, aujourd_hui)
    if format == "csv":
        return registre.ecrire_csv(lignes)
    if format == "xlsx":
        return registre.ecrire_xlsx(lignes, CHOIX)
    raise ValueError(f"Format d'export inconnu : {format!r} (attendu : xlsx ou csv).")
