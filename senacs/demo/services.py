"""Chargement et effacement des données de démonstration.

Le générateur (``core.demo``, Python pur) produit des dataclasses reliées par des clés naturelles ;
on les insère ici par ``bulk_create`` dans une seule transaction, en traduisant ces clés en clés
primaires. Le mot de passe commun est haché une seule fois (hacheur configuré) pour tous les comptes
de démonstration ; les comptes de saisie des structures (non affichés) ont un mot de passe inutilisable.

Les questionnaires 2021–2026 du dépôt sont chargés et rattachés à leur campagne
(``questionnaires_charger``). Chaque réponse porte, par question répondue, sa version (1) et sa
provenance (le compte de la structure, ou « La structure » à la date du dépôt pour les campagnes
passées sans compte connu) ; seules les réponses de la campagne en cours ont un historique ligne à
ligne (une ligne par réponse, pour garder un chargement rapide), leurs dépôts et, pour la structure de
démonstration du Rhône, les saisies de la Caf pour son compte à revoir (droit de regard).
"""

import datetime
import json
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import Q

from core.demo import GRAINE_PAR_DEFAUT, MOT_DE_PASSE_DEMO, DonneesDemo, generer_donnees_demo
from core.demo.calibrage import CAMPAGNE_EN_COURS
from core.demo.comptes import CREATION_COMPTES, DOMAINE_COMPTES
from core.demo.modeles import ReponseDemo
from core.demo.registre import DOMAINE_FICTIF
from core.demo.reponses import charger_questionnaires, horodatages
from senacs.campagnes.models import Campagne, ChangementPhase, ProrogationSaisie
from senacs.comptes.models import Mandat, Utilisateur
from senacs.demo.complements import complements_effacer
from senacs.demo.models import ChargementDemo
from senacs.questionnaires.services import DOSSIER_QUESTIONNAIRES, questionnaires_charger
from senacs.reponses.models import Depot, Reponse, ReponseHistorique, RevueSaisie
from senacs.structures.models import Agrement, Gestionnaire, Structure
from senacs.territoires.models import Caf, Federation, Zone

TAILLE_LOT = 1000
MOT_DE_PASSE_INUTILISABLE = "!demo-compte-de-saisie"  # « ! » : aucun mot de passe ne le vérifie (Django)
LA_STRUCTURE = "La structure"

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


PARAMETRES_PAR_REQUETE = 30_000  # SQLite ≥ 3.32 : 32 766 paramètres au plus par requête


def _json(valeur: Any) -> str:
    return json.dumps(valeur, ensure_ascii=False, separators=(",", ":"))


def _inserer_brut(modele: type[models.Model], colonnes: Sequence[str], lignes: Iterable[Sequence[Any]]) -> None:
    """Insère des lignes directement par le curseur du pilote : ni préparation champ par champ de l'ORM,
    ni journal des requêtes de DEBUG (dix fois plus rapide pour les centaines de milliers de lignes de la
    démonstration). PostgreSQL : ``COPY … FROM STDIN`` ; SQLite : INSERT de plusieurs lignes par requête.
    Les valeurs sont déjà prêtes pour la base : JSON en texte (``_json``), dates par
    ``connection.ops.adapt_datetimefield_value``."""
    champs = [modele._meta.get_field(nom) for nom in colonnes]
    qn = connection.ops.quote_name
    table, noms_colonnes = qn(modele._meta.db_table), ", ".join(qn(c.column) for c in champs)
    lignes = iter(lignes)
    with connection.cursor() as curseur:
        pilote = curseur.cursor  # le curseur du pilote, sous l'enveloppe de journalisation de Django
        if connection.vendor == "postgresql":
            with pilote.copy(f"COPY {table} ({noms_colonnes}) FROM STDIN") as copie:
                for ligne in lignes:
                    copie.write_row(ligne)
            return
        gabarit = "(" + ", ".join(["%s"] * len(champs)) + ")"
        par_requete = max(1, PARAMETRES_PAR_REQUETE // len(champs))
        while lot := [ligne for _, ligne in zip(range(par_requete), lignes, strict=False)]:
            pilote.execute(
                f"INSERT INTO {table} ({noms_colonnes}) VALUES " + ", ".join([gabarit] * len(lot)),
                [v for ligne in lot for v in ligne],
            )


def _codes_saisis(r: ReponseDemo, saisies: dict[int, frozenset[str]]) -> list[str]:
    """Codes répondus par quelqu'un (les questions calculées n'ont ni version ni provenance)."""
    codes = saisies[r.campagne]
    return [code for code in r.valeurs if code in codes]


def _iso(instant: datetime.datetime) -> str:
    return instant.astimezone(datetime.UTC).isoformat()


def _provenance(
    r: ReponseDemo,
    saisies: dict[int, frozenset[str]],
    utilisateurs: dict[str, int],
    noms: dict[str, str],
    organisme: str,
) -> str:
    """Provenance de chaque réponse (JSON), au format de ``reponse_enregistrer`` : le compte de la
    structure (campagne en cours, ou structure de démonstration), sinon « La structure » à la date du
    dépôt. Construite en texte : une même entrée sert à toutes les questions d'une réponse passée."""

    def entree(par: int | None, nom: str, organisme: str, pour_le_compte: bool, le: datetime.datetime) -> str:
        return _json(
            {
                "par": par,
                "nom": nom,
                "organisme": organisme,
                "pour_le_compte": pour_le_compte,
                "origine": "saisie",
                "le": _iso(le),
            }
        )

    codes = _codes_saisis(r, saisies)
    if r.pour_le_compte:
        p = r.pour_le_compte
        pour_le_compte = entree(utilisateurs[p.par], noms[p.par], p.organisme, True, p.le)
        codes = [c for c in codes if c not in p.codes]
    if r.campagne == CAMPAGNE_EN_COURS and r.saisie_par:
        par, nom = utilisateurs[r.saisie_par], noms[r.saisie_par]
        morceaux = [
            f'"{code}":{entree(par, nom, organisme, False, le)}'
            for code, le in zip(codes, horodatages(r, codes), strict=True)
        ]
    else:
        if r.saisie_par:
            commune = entree(
                utilisateurs[r.saisie_par], noms[r.saisie_par], organisme, False, r.soumise_le or r.modifiee_le
            )
        else:
            commune = entree(None, LA_STRUCTURE, "", False, r.soumise_le or r.modifiee_le)
        morceaux = [f'"{code}":{commune}' for code in codes]
    if r.pour_le_compte:
        morceaux += [f'"{code}":{pour_le_compte}' for code in r.pour_le_compte.codes]
    return "{" + ",".join(morceaux) + "}"


def _inserer_campagne_en_cours(
    donnees: DonneesDemo,
    campagnes: dict[int, int],
    structures: dict[str, int],
    utilisateurs: dict[str, int],
    saisies: dict[int, frozenset[str]],
    organisme_structure: dict[str, str],
) -> None:
    """Campagne en cours : dépôts des réponses soumises, historique ligne à ligne de chaque réponse, et
    revues à faire des saisies pour le compte de la structure."""
    annee = CAMPAGNE_EN_COURS
    en_cours = [r for r in donnees.reponses if r.campagne == annee]
    if not en_cours:
        return
    pk = {
        identifiant: reponse_id
        for identifiant, reponse_id in Reponse.objects.filter(campagne_id=campagnes[annee]).values_list(
            "structure__identifiant", "pk"
        )
    }
    Depot.objects.bulk_create(
        [
            Depot(
                reponse_id=pk[r.structure],
                numero=r.depot.numero,
                valeurs=r.depot.valeurs,
                avertissements=list(r.depot.avertissements),
                par_id=utilisateurs[r.depot.par],
                organisme=r.depot.organisme,
                depose_le=r.depot.depose_le,
                empreinte=r.depot.empreinte,
            )
            for r in en_cours
            if r.depot is not None
        ],
        batch_size=TAILLE_LOT,
    )

    date = connection.ops.adapt_datetimefield_value

    def historique(r: ReponseDemo) -> Iterator[tuple]:
        codes = [c for c in _codes_saisis(r, saisies) if not (r.pour_le_compte and c in r.pour_le_compte.codes)]
        par = utilisateurs[r.saisie_par] if r.saisie_par else None
        reponse, organisme = pk[r.structure], organisme_structure[r.structure]
        for code, le in zip(codes, horodatages(r, codes), strict=True):
            yield (reponse, code, _json(r.valeurs[code]), None, 1, par, organisme, False, "saisie", date(le))

    _inserer_brut(
        ReponseHistorique,
        (
            "reponse",
            "code",
            "valeur",
            "ancienne_valeur",
            "version",
            "par",
            "organisme",
            "pour_le_compte",
            "origine",
            "le",
        ),
        (ligne for r in en_cours for ligne in historique(r)),
    )
    pour_le_compte = [
        ReponseHistorique(
            reponse_id=pk[r.structure],
            code=code,
            valeur=r.valeurs[code],
            version=1,
            par_id=utilisateurs[r.pour_le_compte.par],
            organisme=r.pour_le_compte.organisme,
            pour_le_compte=True,
            origine="saisie",
            le=r.pour_le_compte.le,
        )
        for r in en_cours
        if r.pour_le_compte
        for code in r.pour_le_compte.codes
    ]
    crees = _inserer(ReponseHistorique, pour_le_compte, lambda o: (o.reponse_id, o.code))
    RevueSaisie.objects.bulk_create(
        [
            RevueSaisie(reponse_id=h.reponse_id, code=h.code, historique_id=crees[(h.reponse_id, h.code)])
            for h in pour_le_compte
        ]
    )


@transaction.atomic
def demo_inserer(donnees: DonneesDemo) -> None:
    """Insère un jeu de démonstration déjà généré (base supposée sans structure)."""
    caf_par_departement = dict(Caf.objects.values_list("departement_id", "pk"))
    saisies = {
        annee: frozenset(q.code for q in questionnaire.questions() if q.saisie)
        for annee, questionnaire in charger_questionnaires().items()
    }

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
    comptes = [*donnees.utilisateurs, *donnees.comptes_structures]
    affiches = {u.email for u in donnees.utilisateurs}
    utilisateurs = _inserer(
        Utilisateur,
        [
            Utilisateur(
                email=u.email,
                prenom=u.prenom,
                nom=u.nom,
                password=mot_de_passe if u.email in affiches else MOT_DE_PASSE_INUTILISABLE,
                is_staff=u.is_staff,
                is_superuser=u.is_superuser,
                date_joined=u.date_joined,
            )
            for u in comptes
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
            for u in comptes
            for m in u.mandats
        ],
        batch_size=TAILLE_LOT,
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
    questionnaires_charger(DOSSIER_QUESTIONNAIRES)  # rattache chaque version à sa campagne
    noms = {u.email: f"{u.prenom} {u.nom}".strip() for u in comptes}
    organisme_structure = {s.identifiant: s.nom for s in donnees.structures}
    date = connection.ops.adapt_datetimefield_value
    _inserer_brut(
        Reponse,
        (
            "campagne", "structure", "statut", "valeurs", "versions", "provenance", "revision", "justifications",
            "instantane", "commencee_le", "modifiee_le", "soumise_le", "validee_le", "modifiee_par",
        ),
        (
            (
                campagnes[r.campagne],
                structures[r.structure],
                r.statut,
                _json(r.valeurs),
                "{" + ",".join(f'"{code}":1' for code in _codes_saisis(r, saisies)) + "}",
                _provenance(r, saisies, utilisateurs, noms, organisme_structure[r.structure]),
                (1 if r.valeurs else 0) + (1 if r.pour_le_compte else 0),
                _json(r.justifications),
                _json(r.instantane),
                date(r.commencee_le),
                date(r.modifiee_le),
                date(r.soumise_le),
                date(r.validee_le),
                utilisateurs[r.modifiee_par] if r.modifiee_par else None,
            )
            for r in donnees.reponses
        ),
    )  # fmt: skip
    _inserer_campagne_en_cours(donnees, campagnes, structures, utilisateurs, saisies, organisme_structure)
    ChargementDemo.objects.create(
        graine=donnees.graine,
        taille=donnees.taille,
        anomalies_injectees=[a.vers_dict() for a in donnees.anomalies_injectees],
    )
    if connection.vendor == "postgresql":
        # Statistiques du planificateur à jour tout de suite (sans attendre l'autovacuum) : sans elles,
        # les requêtes sur des tables remplies d'un coup peuvent choisir des plans désastreux.
        with connection.cursor() as curseur:
            for modele in (Structure, Agrement, Gestionnaire, Utilisateur, Mandat, Reponse, ReponseHistorique, Depot):
                curseur.execute(f"ANALYZE {connection.ops.quote_name(modele._meta.db_table)}")


def demo_charger(*, graine: int = GRAINE_PAR_DEFAUT, taille: float = 1.0) -> RapportChargement:
    """Génère puis insère le jeu de démonstration, en une transaction ; renvoie les durées mesurées."""
    debut = time.perf_counter()
    donnees = generer_donnees_demo(graine, taille=taille)
    milieu = time.perf_counter()
    demo_inserer(donnees)
    return RapportChargement(donnees, milieu - debut, time.perf_counter() - milieu)


@transaction.atomic
def demo_effacer() -> None:
    """Efface les tables de la démonstration : registre, campagnes, réponses (historique, dépôts, revues),
    comptes de démonstration et comptes de saisie des structures. Les questionnaires chargés restent.

    Les autres comptes sont gardés, sans leurs mandats qui visaient une structure ou une fédération
    effacée. Les régions, départements et Caf (référentiel) ne bougent pas. Les compléments (COPIL,
    diffusions, plaquettes, analyses) partent d'abord : ils protègent les campagnes et les comptes."""
    complements_effacer()
    RevueSaisie.objects.all().delete()  # avant l'historique qu'elles protègent
    # .only("pk") : la suppression en cascade n'a pas besoin des réponses elles-mêmes (volumineuses).
    ReponseHistorique.objects.only("pk").delete()
    Reponse.objects.only("pk").delete()  # dépôts compris
    Campagne.objects.all().delete()  # journal des phases et prorogations compris
    Mandat.objects.filter(Q(structure__isnull=False) | Q(federation__isnull=False)).delete()
    Utilisateur.objects.filter(
        Q(email__iendswith=f"@{DOMAINE_COMPTES}") | Q(email__iendswith=f"@{DOMAINE_FICTIF}")
    ).delete()
    Agrement.objects.all().delete()
    Structure.objects.all().delete()
    Zone.objects.all().delete()
    Gestionnaire.objects.all().delete()
    Federation.objects.all().delete()
    ChargementDemo.objects.all().delete()
