"""Écritures sur les réponses : enregistrement réponse par réponse, sans jamais perdre une saisie.

Chaque réponse (code de question) porte un numéro de version. Le formulaire renvoie, avec chaque
valeur, la version qu'il avait chargée : si elle a changé depuis (un autre onglet, ou le correspondant
qui saisit pour le compte de la structure), la modification est refusée et rendue comme **conflit**
(les deux valeurs, qui et quand) pour que la personne choisisse. Les modifications de réponses
différentes se fusionnent sans conflit. Tout changement est historisé (valeur, qui, quand, au titre de
quel organisme, pour le compte de la structure ou non).
"""

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.erreurs import ErreurMetier
from core.formats import formater_nombre
from core.questionnaire.evaluation import Anomalie
from core.questionnaire.saisie import etat_saisie, nettoyer_texte, vide
from senacs.campagnes.models import Campagne, Phase
from senacs.reponses.models import Depot, Reponse, ReponseHistorique, RevueSaisie, Statut, StatutRevue


@dataclass(frozen=True)
class Conflit:
    code: str
    valeur_proposee: Any
    valeur_enregistree: Any
    version_enregistree: int
    enregistree_par: str
    enregistree_le: str  # ISO
    enregistree_organisme: str = ""


@dataclass
class Resultat:
    versions: dict[str, int] = field(default_factory=dict)  # code → nouvelle version
    conflits: list[Conflit] = field(default_factory=list)
    inchangees: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.conflits


def _vide(valeur: Any) -> bool:
    return valeur is None or valeur == "" or valeur == []


@transaction.atomic
def reponse_enregistrer(
    *,
    reponse: Reponse,
    modifications: dict[str, tuple[Any, int | None]],
    par,
    organisme: str,
    pour_le_compte: bool = False,
    origine: str = "saisie",
    controle: Callable[[Reponse], None] | None = None,
) -> Resultat:
    """Enregistre des réponses ``{code: (valeur, version_chargee)}`` ; ``version_chargee=None`` écrase
    sans contrôle (import en masse, choix explicite après un conflit). Renvoie versions et conflits.

    ``controle(r)`` est appelé sur la réponse **verrouillée** (``select_for_update``), dans la transaction
    qui écrit : il lève ``EcritureRefusee`` si son statut ne permet plus l'écriture (un dépôt ou une
    validation passés entre la lecture et l'écriture)."""
    r = Reponse.objects.select_for_update().get(pk=reponse.pk)
    if controle is not None:
        controle(r)
    maintenant = timezone.now()
    resultat = Resultat()
    historiques = []
    for code, (valeur, version_chargee) in modifications.items():
        if _vide(valeur):
            valeur = None
        actuelle = r.versions.get(code, 0)
        ancienne = r.valeurs.get(code)
        if ancienne == valeur:
            resultat.inchangees.append(code)
            resultat.versions[code] = actuelle
            continue
        if version_chargee is not None and version_chargee != actuelle:
            prov = r.provenance.get(code, {})
            resultat.conflits.append(
                Conflit(
                    code,
                    valeur,
                    ancienne,
                    actuelle,
                    prov.get("nom", ""),
                    prov.get("le", ""),
                    prov.get("organisme", ""),
                )
            )
            continue
        if valeur is None:
            r.valeurs.pop(code, None)
        else:
            r.valeurs[code] = valeur
        r.versions[code] = actuelle + 1
        r.provenance[code] = {
            "par": par.pk if par else None,
            "nom": (par.nom_complet or par.email) if par else "",
            "organisme": organisme,
            "pour_le_compte": pour_le_compte,
            "origine": origine,
            "le": maintenant.isoformat(),
        }
        resultat.versions[code] = actuelle + 1
        historiques.append(
            ReponseHistorique(
                reponse=r,
                code=code,
                valeur=valeur,
                ancienne_valeur=ancienne,
                version=actuelle + 1,
                par=par,
                organisme=organisme,
                pour_le_compte=pour_le_compte,
                origine=origine,
                le=maintenant,
            )
        )
    if historiques:
        crees = ReponseHistorique.objects.bulk_create(historiques)
        if pour_le_compte:
            codes = [h.code for h in crees]
            # Une nouvelle saisie pour le compte remplace l'examen encore en attente sur la même question.
            RevueSaisie.objects.filter(reponse=r, code__in=codes, statut=StatutRevue.A_EXAMINER).delete()
            RevueSaisie.objects.bulk_create([RevueSaisie(reponse=r, code=h.code, historique=h) for h in crees])
        r.revision += 1
        r.modifiee_le = maintenant
        r.modifiee_par = par
        r.save(update_fields=["valeurs", "versions", "provenance", "revision", "modifiee_le", "modifiee_par"])
    reponse.valeurs, reponse.versions, reponse.provenance, reponse.revision = (
        r.valeurs,
        r.versions,
        r.provenance,
        r.revision,
    )
    return resultat


# --------------------------------------------------------------------------- saisie en ligne

ORIGINE_SAISIE = "saisie"
ORIGINE_REPRISE = "reprise"
ORIGINE_RESTAURATION = "restauration"
LONGUEUR_MAX_JUSTIFICATION = 1000
VERSION_INCONNUE = -1  # version illisible renvoyée par un formulaire : jamais d'écrasement sans contrôle


class EcritureRefusee(ErreurMetier):
    """Écriture impossible (phase, statut de la réponse) ; ``message`` est à montrer tel quel."""


def refus_ecriture(campagne: Campagne, structure, *, pour_le_compte: bool, jour: datetime.date) -> str | None:
    """Pourquoi la saisie est fermée pour cette structure aujourd'hui (message français), ou None.

    La structure saisit pendant la phase de saisie, jusqu'à sa date limite (prorogation comprise) ;
    un correspondant saisit pour son compte pendant la saisie et pendant le contrôle de cohérence."""
    if campagne.questionnaire_id is None:
        return "Le questionnaire de cette campagne n'est pas encore publié."
    if pour_le_compte:
        if campagne.phase in (Phase.SAISIE, Phase.CONTROLE):
            return None
        return (
            "La saisie pour le compte d'une structure n'est possible que pendant la saisie et le contrôle de "
            f"cohérence ; la campagne {campagne.annee} est en phase « {campagne.get_phase_display()} »."
        )
    if campagne.saisie_ouverte(structure.departement_id, jour):
        return None
    if campagne.phase == Phase.PREPARATION:
        return (
            f"La saisie de la campagne {campagne.annee} n'est pas encore ouverte "
            f"(ouverture prévue le {campagne.date_ouverture_saisie:%d/%m/%Y})."
        )
    if campagne.phase == Phase.SAISIE:
        fin = campagne.fin_saisie_pour(structure.departement_id)
        return (
            f"La date limite de saisie ({fin:%d/%m/%Y}) est dépassée : contactez votre correspondant SENACS "
            "(Caf ou fédération), qui peut prolonger le délai ou saisir pour votre compte."
        )
    return (
        f"La saisie de la campagne {campagne.annee} est close (phase « {campagne.get_phase_display()} ») : "
        "vos réponses restent consultables."
    )


def _verifier_ecriture(reponse: Reponse, *, pour_le_compte: bool, jour: datetime.date) -> None:
    refus = refus_ecriture(reponse.campagne, reponse.structure, pour_le_compte=pour_le_compte, jour=jour)
    if refus:
        raise EcritureRefusee(refus)
    verifier_brouillon(reponse)


def verifier_non_validee(reponse: Reponse) -> None:
    """``EcritureRefusee`` si la réponse est validée (à appeler sur la réponse verrouillée)."""
    if reponse.statut == Statut.VALIDEE:
        raise EcritureRefusee("Cette réponse a été validée par le correspondant : elle ne se modifie plus.")


def verifier_brouillon(reponse: Reponse) -> None:
    """``EcritureRefusee`` si la réponse n'est plus un brouillon (à appeler sur la réponse verrouillée)."""
    if reponse.statut == Statut.SOUMISE:
        raise EcritureRefusee(
            "Cette réponse a été déposée : rouvrez-la pour la corriger (le dépôt reste enregistré), puis "
            "déposez-la à nouveau."
        )
    if reponse.statut == Statut.VALIDEE:
        raise EcritureRefusee("Cette réponse a été validée par le correspondant : elle ne se modifie plus.")


def reponse_ouvrir(*, campagne: Campagne, structure, par, jour: datetime.date | None = None) -> tuple[Reponse, bool]:
    """La réponse de la structure à la campagne, créée au besoin (brouillon). À la création, les
    questions d'identité (``identite: true``) sont pré-remplies avec les réponses déposées l'an dernier,
    historisées avec l'origine « reprise ». Rend (réponse, créée)."""
    from senacs.reponses.selectors import valeurs_precedentes, variante

    with transaction.atomic():
        reponse, creee = Reponse.objects.get_or_create(campagne=campagne, structure=structure)
        if creee and campagne.questionnaire_id is not None:
            precedentes = valeurs_precedentes(campagne, structure)
            reprises = {
                q.code: (precedentes[q.code], None)
                for q in variante(campagne, structure).questions()
                if q.identite and q.saisie and not vide(precedentes.get(q.code))
            }
            if reprises:
                reponse_enregistrer(
                    reponse=reponse,
                    modifications=reprises,
                    par=par,
                    organisme=f"Reprise des réponses de la campagne {campagne.annee - 1}",
                    pour_le_compte=False,
                    origine=ORIGINE_REPRISE,
                )
    return reponse, creee


def reponse_saisir(
    *,
    reponse: Reponse,
    saisies: dict[str, tuple[Any, int]],
    par,
    organisme: str,
    pour_le_compte: bool,
    jour: datetime.date | None = None,
    origine: str = ORIGINE_SAISIE,
) -> Resultat:
    """Enregistre ce qu'un formulaire a envoyé : ``{code: (valeur lue, version chargée)}``.

    Une réponse que la personne n'a pas changée (même valeur qu'à la version chargée) n'est pas
    renvoyée : si quelqu'un l'a modifiée entre-temps, sa valeur est gardée sans conflit. Les autres
    passent par ``reponse_enregistrer`` (conflit si la réponse a changé depuis le chargement). Lève
    ``EcritureRefusee`` hors de la phase permise ou si la réponse n'est plus un brouillon."""
    from senacs.reponses.selectors import valeurs_aux_versions

    jour = jour or timezone.localdate()
    _verifier_ecriture(reponse, pour_le_compte=pour_le_compte, jour=jour)
    chargees = valeurs_aux_versions(reponse, {code: version for code, (_, version) in saisies.items()})
    modifications = {}
    resultat_vide = Resultat()
    for code, (valeur, version) in saisies.items():
        if code in chargees and _egales(chargees[code], valeur):
            resultat_vide.inchangees.append(code)
            continue
        modifications[code] = (valeur, version)
    if not modifications:
        resultat_vide.versions = {code: reponse.versions.get(code, 0) for code in saisies}
        return resultat_vide
    resultat = reponse_enregistrer(
        reponse=reponse,
        modifications=modifications,
        par=par,
        organisme=organisme,
        pour_le_compte=pour_le_compte,
        origine=origine,
        controle=verifier_brouillon,
    )
    resultat.inchangees.extend(resultat_vide.inchangees)
    for code in resultat_vide.inchangees:
        resultat.versions[code] = reponse.versions.get(code, 0)
    return resultat


def _egales(a: Any, b: Any) -> bool:
    a = None if vide(a) else a
    b = None if vide(b) else b
    if type(a) is not type(b) and not (isinstance(a, int | float) and isinstance(b, int | float)):
        return False
    return a == b


def reponse_restaurer(
    *,
    reponse: Reponse,
    historique: ReponseHistorique,
    version_chargee: int,
    par,
    organisme: str,
    pour_le_compte: bool,
    jour: datetime.date | None = None,
) -> Resultat:
    """Remet une valeur passée d'une réponse : c'est un nouvel enregistrement (origine « restauration »),
    contrôlé comme une saisie (conflit si la réponse a changé depuis l'affichage de l'historique)."""
    if historique.reponse_id != reponse.pk:
        raise ValueError("Cette valeur n'appartient pas à cette réponse.")
    jour = jour or timezone.localdate()
    _verifier_ecriture(reponse, pour_le_compte=pour_le_compte, jour=jour)
    return reponse_enregistrer(
        reponse=reponse,
        modifications={historique.code: (historique.valeur, version_chargee)},
        par=par,
        organisme=organisme,
        pour_le_compte=pour_le_compte,
        origine=ORIGINE_RESTAURATION,
        controle=verifier_brouillon,
    )


@dataclass
class ResultatDepot:
    bloquantes: list[Anomalie] = field(default_factory=list)
    justifications_invalides: dict[str, str] = field(default_factory=dict)  # code de règle → message
    depot: Depot | None = None

    @property
    def ok(self) -> bool:
        return self.depot is not None


def instantane_structure(structure) -> dict[str, Any]:
    """Ce que la structure est au moment du dépôt (les statistiques de l'année s'appuient dessus)."""
    gestionnaire = structure.gestionnaire
    return {
        "type": structure.type,
        "departement": structure.departement_id,
        "region": structure.departement.region_id,
        "zone": structure.zone.code if structure.zone_id else None,
        "mode_gestion": structure.mode_gestion,
        "type_territoire": structure.type_territoire,
        "geographie_prioritaire": structure.geographie_prioritaire,
        "gestionnaire": (gestionnaire.siren or f"G{gestionnaire.pk}") if gestionnaire else None,
    }


def empreinte_depot(contenu: dict[str, Any]) -> str:
    """SHA-256 du JSON canonique (clés triées, UTF-8, sans espaces) de ce qui est déposé."""
    canon = json.dumps(contenu, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


@transaction.atomic
def reponse_soumettre(
    *,
    reponse: Reponse,
    justifications: dict[str, str],
    par,
    organisme: str,
    pour_le_compte: bool,
    maintenant: datetime.datetime | None = None,
) -> ResultatDepot:
    """Dépose la réponse : refusé tant qu'une anomalie bloquante subsiste ou qu'un avertissement n'a
    pas de justification (1 000 caractères au plus). Les justifications reçues sont gardées même si le
    dépôt est refusé. En cas de succès : statut « soumise », date, instantané de la structure, et un
    nouveau ``Depot`` (numéro suivant, réponses figées, avertissements justifiés, empreinte SHA-256).
    Un nouveau dépôt après correction ne supprime jamais le précédent."""
    from senacs.reponses.selectors import valeurs_precedentes, variante

    maintenant = maintenant or timezone.now()
    r = (
        Reponse.objects.select_for_update(of=("self",))
        .select_related("campagne", "structure__departement", "structure__zone", "structure__gestionnaire")
        .get(pk=reponse.pk)
    )
    _verifier_ecriture(r, pour_le_compte=pour_le_compte, jour=timezone.localdate(maintenant))
    modele = variante(r.campagne, r.structure)
    precedentes = valeurs_precedentes(r.campagne, r.structure)
    etat = etat_saisie(modele, r.valeurs, precedentes)
    resultat = ResultatDepot(bloquantes=etat.bloquantes)
    retenues = {}
    for a in etat.avertissements:
        texte = nettoyer_texte(str(justifications.get(a.code_regle, r.justifications.get(a.code_regle, ""))))
        if not texte:
            resultat.justifications_invalides[a.code_regle] = "Justifiez cet avertissement en quelques mots."
        elif len(texte) > LONGUEUR_MAX_JUSTIFICATION:
            resultat.justifications_invalides[a.code_regle] = (
                f"1 000 caractères au plus (votre justification en compte {formater_nombre(len(texte))})."
            )
        else:
            retenues[a.code_regle] = texte
    r.justifications = {**r.justifications, **retenues}
    if resultat.bloquantes or resultat.justifications_invalides:
        r.save(update_fields=["justifications"])
        reponse.justifications = r.justifications
        return resultat
    numero = (r.depots.aggregate(dernier=Max("numero"))["dernier"] or 0) + 1
    valeurs = {
        q.code: r.valeurs[q.code]
        for q in modele.questions()
        if q.saisie and q.code in etat.pertinentes and not vide(r.valeurs.get(q.code))
    }
    avertissements = [
        {
            "code": a.code_regle,
            "message": a.message,
            "questions": list(a.questions),
            "justification": retenues[a.code_regle],
        }
        for a in etat.avertissements
    ]
    contenu = {
        "campagne": r.campagne.annee,
        "questionnaire": modele.version,
        "structure": r.structure.identifiant,
        "numero": numero,
        "depose_le": maintenant.isoformat(),
        "valeurs": valeurs,
        "avertissements": avertissements,
    }
    resultat.depot = Depot.objects.create(
        reponse=r,
        numero=numero,
        valeurs=valeurs,
        avertissements=avertissements,
        par=par,
        organisme=organisme,
        depose_le=maintenant,
        empreinte=empreinte_depot(contenu),
    )
    r.statut = Statut.SOUMISE
    r.soumise_le = maintenant
    r.instantane = instantane_structure(r.structure)
    r.save(update_fields=["statut", "soumise_le", "instantane", "justifications"])
    from senacs.controles.services import controles_apres_depot  # import tardif : controles importe ce module

    controles_apres_depot(r)
    reponse.statut, reponse.soumise_le, reponse.instantane, reponse.justifications = (
        r.statut,
        r.soumise_le,
        r.instantane,
        r.justifications,
    )
    return resultat


@transaction.atomic
def reponse_rouvrir(
    *,
    reponse: Reponse,
    pour_le_compte: bool,
    jour: datetime.date | None = None,
    par=None,
    organisme: str = "",
    qui: str = "",
    origine: str = "web",
    motif: str = "",
) -> Reponse:
    """Rouvre une réponse déposée pour la corriger (statut « brouillon ») ; ses dépôts restent, et le
    prochain dépôt portera le numéro suivant avec la liste des changements. La réouverture est écrite
    dans la piste d'audit (qui, quand, au titre de quel organisme, dernier dépôt rouvert)."""
    from senacs.exploitation.audit import auditer

    jour = jour or timezone.localdate()
    r = Reponse.objects.select_for_update(of=("self",)).select_related("campagne", "structure").get(pk=reponse.pk)
    refus = refus_ecriture(r.campagne, r.structure, pour_le_compte=pour_le_compte, jour=jour)
    if refus:
        raise EcritureRefusee(refus)
    if r.statut == Statut.VALIDEE:
        raise EcritureRefusee("Cette réponse a été validée par le correspondant : elle ne se rouvre plus.")
    if r.statut != Statut.SOUMISE:
        raise EcritureRefusee("Cette réponse n'est pas déposée : elle est déjà modifiable.")
    r.statut = Statut.BROUILLON
    r.save(update_fields=["statut"])
    dernier = r.depots.aggregate(dernier=Max("numero"))["dernier"]
    auditer(
        "reponse.rouvrir",
        par=par,
        qui=qui,
        origine=origine,
        objet=f"réponse {r.campagne.annee} de {r.structure.identifiant}",
        reponse=r.pk,
        depot=dernier,
        organisme=organisme,
        pour_le_compte=pour_le_compte,
        motif=motif,
    )
    reponse.statut = r.statut
    return r
