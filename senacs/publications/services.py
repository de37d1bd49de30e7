"""Services des plaquettes : gabarit national, contenu local, circuit de validation, publication figée, lots.

Règles (voir ``docs/plaquettes-gouvernance.md``) :

- **Gabarit** : seul le rôle national le modifie (blocs libres ou verrouillés, textes nationaux, pages
  que les territoires peuvent retirer). Chaque modification incrémente sa version ; les plaquettes
  soumises ou approuvées de la campagne reviennent en brouillon (leur contenu a changé).
- **Rédaction** : les membres en cours du COPIL du territoire et son préparateur désigné ; pour la
  plaquette nationale (``FR``), aussi le rôle national. Les blocs verrouillés ne sont pas modifiables.
- **Circuit** : brouillon → soumise → approuvée → publiée. L'approbation exige l'accord d'au moins un
  membre Caf et d'un membre fédération du COPIL du territoire. Toute modification pendant la
  soumission ou après une approbation annule les approbations (retour en brouillon, transition notée).
  Un refus d'un membre renvoie en brouillon avec son motif.
- **Publication** : par le rôle national ou par un membre du COPIL du territoire, une fois la plaquette
  approuvée ; refusée tant que l'audit du secret de la campagne échoue. Le PDF et le HTML sont écrits
  une fois pour toutes sous ``VAR_DIR/publications/`` avec leur SHA-256 ; les téléchargements servent
  ces fichiers, jamais un nouveau rendu.
- **Embargo** (facultatif) : la publication est permise avant la date, mais la plaquette n'apparaît sur
  la page publique (et ses fichiers ne sont servis au public) qu'à partir de cette date.
"""

import datetime
import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.erreurs import ErreurMetier
from core.formats import formater_date
from core.plaquette import markdown
from core.plaquette.modele import BLOCS, PAGES
from senacs.campagnes.models import Campagne
from senacs.copil.models import Copil, Cote, MembreCopil, NatureDocument, Niveau, PartageDocument
from senacs.copil.services import est_preparateur_de, membre_de
from senacs.publications.models import (
    Action,
    Approbation,
    Gabarit,
    Lot,
    LotTerritoire,
    Plaquette,
    Statut,
    StatutLigne,
    StatutLot,
    dossier_publications,
)
from senacs.territoires.models import Departement, Region

journal = logging.getLogger("senacs.publications")

CODES_BLOCS = [b.code for b in BLOCS]
PAGES_OPTIONNELLES = [p.code for p in PAGES if p.optionnelle]
MENTION_PROJET = "Projet — non validé par le COPIL"


class ErreurPlaquette(ErreurMetier, ValidationError):
    """Action refusée (message en français)."""


def sha256(contenu: bytes) -> str:
    return hashlib.sha256(contenu).hexdigest()


# --------------------------------------------------------------------------- territoires et droits


def normaliser_territoire(texte: str) -> str | None:
    """``48``, ``D:48``, ``D48`` → ``D:48`` ; ``R:76``, ``R76`` → ``R:76`` ; ``FR`` → ``FR`` (sans contrôle
    d'existence) ; None si la forme est incompréhensible."""
    t = (texte or "").strip().upper()
    if t in ("FR", "FRANCE"):
        return "FR"
    if t.startswith(("D:", "R:")):
        t = t[0] + t[2:]
    if t[:1] in ("D", "R") and t[1:].isalnum() and len(t) > 1:
        return f"{t[0]}:{t[1:]}"
    if t.isalnum() and 2 <= len(t) <= 3:
        return f"D:{t}"
    return None


def libelle_territoire(cle: str) -> tuple[str, str] | None:
    """(libellé, code de la région) d'une clé existante ; None si le territoire est inconnu."""
    if cle == "FR":
        return "France", ""
    if cle.startswith("R:"):
        region = Region.objects.filter(code=cle[2:]).first()
        return (region.nom, region.code) if region else None
    if cle.startswith("D:"):
        dep = Departement.objects.filter(code=cle[2:]).first()
        return (f"{dep.nom} ({dep.code})", dep.region_id) if dep else None
    return None


def copil_de(cle: str) -> Copil | None:
    """Le COPIL existant d'un territoire (sans le créer : utilisable pendant une lecture)."""
    if cle == "FR":
        return Copil.objects.filter(niveau=Niveau.NATION).first()
    if cle.startswith("R:"):
        return Copil.objects.filter(niveau=Niveau.REGION, region_id=cle[2:]).first()
    if cle.startswith("D:"):
        return Copil.objects.filter(niveau=Niveau.DEPARTEMENT, departement_id=cle[2:]).first()
    return None


def partage_actif(plaquette: Plaquette, copil: Copil | None = None) -> PartageDocument | None:
    copil = copil or copil_de(plaquette.cle)
    if copil is None:
        return None
    return (
        PartageDocument.objects.actifs()
        .filter(copil=copil, nature=NatureDocument.PLAQUETTE, reference=plaquette.reference_partage)
        .first()
    )


@dataclass
class Droits:
    """Ce qu'une personne peut faire d'une plaquette (d'un territoire et d'une campagne)."""

    national: bool = False
    membre: MembreCopil | None = None
    preparateur: bool = False
    invite_partage: bool = False

    @property
    def voit_brouillon(self) -> bool:
        return self.national or self.membre is not None or self.preparateur or self.invite_partage

    def redige(self, cle: str) -> bool:
        return self.membre is not None or self.preparateur or (cle == "FR" and self.national)

    @property
    def approuve(self) -> bool:
        return self.membre is not None

    @property
    def publie(self) -> bool:
        return self.national or self.membre is not None

    @property
    def titre(self) -> str:
        if self.membre is not None:
            return f"membre du COPIL ({self.membre.get_cote_display()})"
        if self.preparateur:
            return "préparateur désigné"
        if self.national:
            return "comité technique national"
        if self.invite_partage:
            return "invité du COPIL"
        return ""


def droits(utilisateur, perimetre, cle: str, plaquette: Plaquette | None = None) -> Droits:
    """Droits d'un utilisateur connecté sur la plaquette d'un territoire (``perimetre`` : celui de la
    requête ; le national et l'administrateur voient tout, seul le national rédige la plaquette FR)."""
    d = Droits()
    if utilisateur is None or not getattr(utilisateur, "is_authenticated", False):
        return d
    d.national = bool(perimetre and (perimetre.est_national or perimetre.est_admin))
    copil = copil_de(cle)
    if copil is not None:
        jour = timezone.localdate()
        d.membre = membre_de(copil, utilisateur, jour)
        d.preparateur = est_preparateur_de(copil, utilisateur, jour)
        if plaquette is not None and not (d.membre or d.preparateur):
            from senacs.copil.services import est_invite

            d.invite_partage = est_invite(copil, utilisateur, jour) and partage_actif(plaquette, copil) is not None
    return d


def _signature(par, d: Droits | None) -> dict:
    qui = ""
    if par is not None:
        nom = getattr(par, "nom_complet", "") or ""
        qui = f"{nom} <{par.email}>" if nom else par.email
    return {"par": par, "qui": qui or "Opérateur de la plateforme", "titre": d.titre if d else ""}


def _transition(plaquette: Plaquette, action: str, de: str, *, par, d: Droits | None = None, motif: str = ""):
    t = plaquette.transitions.create(action=action, de=de, vers=plaquette.statut, motif=motif, **_signature(par, d))
    journal.info(
        "Plaquette %s %s : %s (%s → %s) par %s %s",
        plaquette.campagne.annee,
        plaquette.cle,
        t.get_action_display(),
        de,
        plaquette.statut,
        t.qui,
        motif,
    )
    return t


# --------------------------------------------------------------------------- gabarit national


def gabarit_par_defaut(campagne: Campagne) -> Gabarit:
    """Gabarit non enregistré : source du gabarit Typst en vigueur, tous les blocs libres, toutes les
    pages optionnelles retirables."""
    from core.plaquette.rendu import SOURCE_GABARIT, VERSION_GABARIT

    return Gabarit(
        campagne=campagne,
        source=SOURCE_GABARIT,
        version_rendu=VERSION_GABARIT,
        blocs={code: {"verrouille": False, "texte": ""} for code in CODES_BLOCS},
        pages_optionnelles=list(PAGES_OPTIONNELLES),
    )


def gabarit_de(campagne: Campagne) -> Gabarit:
    """Le gabarit enregistré de la campagne, ou le gabarit par défaut (non enregistré)."""
    return Gabarit.objects.filter(campagne=campagne).first() or gabarit_par_defaut(campagne)


@transaction.atomic
def gabarit_modifier(
    *,
    campagne: Campagne,
    par,
    perimetre,
    blocs: Mapping[str, tuple[bool, str]],
    pages_optionnelles: Iterable[str],
) -> Gabarit:
    """Enregistre le gabarit national (rôle national seulement). ``blocs`` : {code: (verrouillé, texte
    national)}. Rien n'est enregistré si un texte est invalide."""
    if not (perimetre and perimetre.est_national):
        raise ErreurPlaquette("Seul le rôle national modifie le gabarit des plaquettes.")
    erreurs = []
    nouveaux = {}
    for bloc in BLOCS:
        verrouille, texte = blocs.get(bloc.code, (False, ""))
        texte = (texte or "").strip()
        if verrouille and not texte:
            erreurs.append(f"« {bloc.titre} » : un bloc verrouillé doit avoir un texte national.")
        for e in markdown.valider(texte, bloc=bloc.code) if texte else []:
            erreurs.append(f"« {bloc.titre} » : {e}")
        nouveaux[bloc.code] = {"verrouille": bool(verrouille), "texte": texte}
    pages = [p for p in PAGES_OPTIONNELLES if p in set(pages_optionnelles)]
    inconnues = set(pages_optionnelles) - set(PAGES_OPTIONNELLES)
    if inconnues:
        erreurs.append(f"Pages inconnues ou obligatoires : {', '.join(sorted(inconnues))}.")
    if erreurs:
        raise ErreurPlaquette(erreurs)
    gabarit = Gabarit.objects.select_for_update().filter(campagne=campagne).first()
    if gabarit is None:
        gabarit = gabarit_par_defaut(campagne)
        gabarit.version = 0
    if gabarit.pk and gabarit.blocs == nouveaux and gabarit.pages_optionnelles == pages:
        return gabarit
    gabarit.version += 1
    gabarit.blocs = nouveaux
    gabarit.pages_optionnelles = pages
    gabarit.modifie_le = timezone.now()
    gabarit.modifie_par = par
    gabarit.save()
    # Le contenu des plaquettes en cours de validation a changé : leurs approbations tombent.
    for plaquette in Plaquette.objects.select_for_update().filter(
        campagne=campagne, statut__in=[Statut.SOUMISE, Statut.APPROUVEE]
    ):
        _retour_brouillon(plaquette, par=par, d=None, motif=f"Gabarit national modifié (version {gabarit.version}).")
    journal.info("Gabarit des plaquettes %s : version %s par %s", campagne.annee, gabarit.version, par)
    return gabarit


# --------------------------------------------------------------------------- contenu local


def plaquette_de(campagne: Campagne, cle: str) -> Plaquette | None:
    return Plaquette.objects.filter(campagne=campagne, cle=cle).select_related("campagne").first()


def plaquette_obtenir(campagne: Campagne, cle: str) -> Plaquette:
    """La plaquette d'un territoire, créée (brouillon vide) si besoin ; ``ErreurPlaquette`` si inconnu."""
    existante = plaquette_de(campagne, cle)
    if existante is not None:
        return existante
    infos = libelle_territoire(cle)
    if infos is None:
        raise ErreurPlaquette(f"Territoire inconnu : {cle}.")
    libelle, region = infos
    plaquette, _ = Plaquette.objects.get_or_create(
        campagne=campagne, cle=cle, defaults={"libelle": libelle, "region": region}
    )
    return plaquette


def pages_retenues(gabarit: Gabarit, plaquette: Plaquette | None) -> list[str]:
    """Pages optionnelles incluses : celles que le gabarit ne permet pas de retirer, et celles que le
    territoire a gardées (toutes tant qu'il n'a rien choisi)."""
    choisies = None if plaquette is None or plaquette.pages is None else set(plaquette.pages)
    return [p for p in PAGES_OPTIONNELLES if p not in gabarit.pages_optionnelles or choisies is None or p in choisies]


def textes_effectifs(gabarit: Gabarit, plaquette: Plaquette | None) -> dict[str, str]:
    """Textes des blocs : texte national pour un bloc verrouillé, texte local sinon."""
    locaux = plaquette.textes if plaquette is not None else {}
    textes = {}
    for code in CODES_BLOCS:
        texte = gabarit.texte_national(code) if gabarit.est_verrouille(code) else locaux.get(code, "")
        if texte:
            textes[code] = texte
    return textes


def _retour_brouillon(plaquette: Plaquette, *, par, d: Droits | None, motif: str, action: str = Action.ANNULER):
    de = plaquette.statut
    maintenant = timezone.now()
    plaquette.approbations.actives().update(annulee_le=maintenant)
    plaquette.statut = Statut.BROUILLON
    plaquette.save(update_fields=["statut"])
    _transition(plaquette, action, de, par=par, d=d, motif=motif)


@transaction.atomic
def plaquette_enregistrer(
    *,
    plaquette: Plaquette,
    par,
    perimetre,
    textes: Mapping[str, str],
    pages: Iterable[str] | None = None,
) -> Plaquette:
    """Enregistre les textes locaux et les pages retenues. Rien n'est enregistré si un texte est invalide
    ou si un bloc verrouillé est touché. Un changement pendant la soumission ou après une approbation
    annule les approbations et ramène la plaquette en brouillon."""
    plaquette = Plaquette.objects.select_for_update().select_related("campagne").get(pk=plaquette.pk)
    d = droits(par, perimetre, plaquette.cle, plaquette)
    if not d.redige(plaquette.cle):
        raise ErreurPlaquette("Seuls les membres du COPIL du territoire et son préparateur rédigent la plaquette.")
    if plaquette.statut == Statut.PUBLIEE:
        raise ErreurPlaquette("Cette plaquette est publiée : sa version est figée et ne se modifie plus.")
    gabarit = gabarit_de(plaquette.campagne)
    titres = {b.code: b.titre for b in BLOCS}
    erreurs, nouveaux = [], dict(plaquette.textes)
    for code, texte in textes.items():
        if code not in titres:
            erreurs.append(f"Bloc inconnu : {code}.")
            continue
        texte = (texte or "").replace("\r\n", "\n").strip()
        if gabarit.est_verrouille(code):
            if texte and texte != gabarit.texte_national(code) and texte != plaquette.textes.get(code, ""):
                erreurs.append(f"« {titres[code]} » est verrouillé par le gabarit national : il ne se modifie pas.")
            continue
        for e in markdown.valider(texte, bloc=code) if texte else []:
            erreurs.append(f"« {titres[code]} » : {e}")
        if texte:
            nouveaux[code] = texte
        else:
            nouveaux.pop(code, None)
    nouvelles_pages = plaquette.pages
    if pages is not None:
        pages = list(pages)
        interdites = [p for p in pages if p not in gabarit.pages_optionnelles]
        if interdites:
            erreurs.append(f"Pages qui ne sont pas au choix : {', '.join(interdites)}.")
        nouvelles_pages = [p for p in PAGES_OPTIONNELLES if p in set(pages)]
    if erreurs:
        raise ErreurPlaquette(erreurs)
    pages_changees = pages is not None and (
        pages_retenues(gabarit, plaquette)
        != pages_retenues(gabarit, Plaquette(pages=nouvelles_pages, campagne=plaquette.campagne))
    )
    if nouveaux == plaquette.textes and not pages_changees:
        return plaquette
    plaquette.textes = nouveaux
    plaquette.pages = nouvelles_pages
    plaquette.revision += 1
    plaquette.modifiee_le = timezone.now()
    plaquette.modifiee_par = par
    plaquette.save(update_fields=["textes", "pages", "revision", "modifiee_le", "modifiee_par"])
    _transition(plaquette, Action.MODIFIER, plaquette.statut, par=par, d=d, motif=f"Révision {plaquette.revision}.")
    if plaquette.statut in (Statut.SOUMISE, Statut.APPROUVEE):
        _retour_brouillon(
            plaquette, par=par, d=d, motif="Contenu modifié après la soumission : les approbations sont annulées."
        )
    return plaquette


# --------------------------------------------------------------------------- circuit de validation


def _recharger(plaquette: Plaquette) -> Plaquette:
    return Plaquette.objects.select_for_update().select_related("campagne").get(pk=plaquette.pk)


@transaction.atomic
def plaquette_soumettre(*, plaquette: Plaquette, par, perimetre) -> Plaquette:
    plaquette = _recharger(plaquette)
    d = droits(par, perimetre, plaquette.cle, plaquette)
    if not d.redige(plaquette.cle):
        raise ErreurPlaquette("Seuls les rédacteurs de la plaquette la soumettent au COPIL.")
    if plaquette.statut != Statut.BROUILLON:
        raise ErreurPlaquette(f"La plaquette est « {plaquette.get_statut_display()} » : elle ne se soumet pas.")
    if copil_de(plaquette.cle) is None:
        raise ErreurPlaquette("Ce territoire n'a pas de COPIL : personne ne peut approuver la plaquette.")
    plaquette.statut = Statut.SOUMISE
    plaquette.save(update_fields=["statut"])
    _transition(plaquette, Action.SOUMETTRE, Statut.BROUILLON, par=par, d=d)
    return plaquette


def cotes_approuves(plaquette: Plaquette) -> set[str]:
    return set(plaquette.approbations.actives().values_list("cote", flat=True))


@transaction.atomic
def plaquette_approuver(*, plaquette: Plaquette, par, perimetre) -> Plaquette:
    """Accord d'un membre du COPIL ; approuvée avec un accord Caf et un accord fédération."""
    plaquette = _recharger(plaquette)
    d = droits(par, perimetre, plaquette.cle, plaquette)
    if d.membre is None:
        raise ErreurPlaquette("Seuls les membres du COPIL du territoire approuvent la plaquette.")
    if plaquette.statut not in (Statut.SOUMISE, Statut.APPROUVEE):
        raise ErreurPlaquette("La plaquette doit d'abord être soumise au COPIL.")
    if plaquette.approbations.actives().filter(utilisateur=par).exists():
        raise ErreurPlaquette("Vous avez déjà approuvé cette version de la plaquette.")
    Approbation.objects.create(plaquette=plaquette, utilisateur=par, cote=d.membre.cote, revision=plaquette.revision)
    de = plaquette.statut
    if plaquette.statut == Statut.SOUMISE and {Cote.CAF, Cote.FEDERATION} <= cotes_approuves(plaquette):
        plaquette.statut = Statut.APPROUVEE
        plaquette.save(update_fields=["statut"])
    _transition(plaquette, Action.APPROUVER, de, par=par, d=d, motif=f"Révision {plaquette.revision}.")
    return plaquette


@transaction.atomic
def plaquette_refuser(*, plaquette: Plaquette, par, perimetre, motif: str) -> Plaquette:
    plaquette = _recharger(plaquette)
    d = droits(par, perimetre, plaquette.cle, plaquette)
    if d.membre is None:
        raise ErreurPlaquette("Seuls les membres du COPIL du territoire refusent la plaquette.")
    if plaquette.statut not in (Statut.SOUMISE, Statut.APPROUVEE):
        raise ErreurPlaquette("Seule une plaquette soumise ou approuvée se renvoie en brouillon.")
    motif = (motif or "").strip()
    if not motif:
        raise ErreurPlaquette("Indiquez le motif du refus : il guide les rédacteurs.")
    _retour_brouillon(plaquette, par=par, d=d, motif=motif, action=Action.REFUSER)
    return plaquette


@transaction.atomic
def plaquette_embargo(*, plaquette: Plaquette, par, perimetre, embargo: datetime.date | None) -> Plaquette:
    """Fixe ou retire la date d'embargo (rédacteurs, membres, national), même après publication."""
    plaquette = _recharger(plaquette)
    d = droits(par, perimetre, plaquette.cle, plaquette)
    if not (d.redige(plaquette.cle) or d.publie):
        raise ErreurPlaquette("Vous ne pouvez pas fixer l'embargo de cette plaquette.")
    if plaquette.embargo == embargo:
        return plaquette
    plaquette.embargo = embargo
    plaquette.save(update_fields=["embargo"])
    motif = f"Embargo jusqu'au {formater_date(embargo)}." if embargo else "Embargo levé."
    _transition(plaquette, Action.EMBARGO, plaquette.statut, par=par, d=d, motif=motif)
    return plaquette


def contenu(plaquette: Plaquette, *, mention: str, gabarit: Gabarit | None = None):
    """Contenu mis en forme (``ContenuPlaquette``) d'une plaquette, à partir des agrégats protégés."""
    from senacs.publications.contenu import ErreurContenu, contenu_plaquette

    gabarit = gabarit or gabarit_de(plaquette.campagne)
    try:
        return contenu_plaquette(
            campagne=plaquette.campagne,
            cle=plaquette.cle,
            textes=textes_effectifs(gabarit, plaquette),
            pages=pages_retenues(gabarit, plaquette),
            mention=mention,
        )
    except ErreurContenu as exc:
        raise ErreurPlaquette(str(exc)) from exc


def rendre(
    plaquette: Plaquette, *, mention: str = MENTION_PROJET, html: bool = True, horodatage: int | None = None
) -> tuple[bytes, str]:
    """(PDF, fragment HTML) d'une plaquette, avec la source Typst figée dans le gabarit de la campagne ;
    ``horodatage`` fixe la date de création du PDF (rendu reproductible octet pour octet)."""
    from core.plaquette.rendu import ErreurRendu, rendre_html, rendre_pdf

    gabarit = gabarit_de(plaquette.campagne)
    c = contenu(plaquette, mention=mention, gabarit=gabarit)
    try:
        pdf = rendre_pdf(c, source=gabarit.source, horodatage=horodatage)
    except ErreurRendu as exc:
        raise ErreurPlaquette(str(exc)) from exc
    return pdf, (rendre_html(c) if html else "")


def _ecrire(relatif: str, donnees: bytes) -> None:
    chemin = dossier_publications() / relatif
    chemin.parent.mkdir(parents=True, exist_ok=True)
    temporaire = chemin.with_suffix(chemin.suffix + ".tmp")
    temporaire.write_bytes(donnees)
    temporaire.replace(chemin)


@transaction.atomic
def plaquette_publier(*, plaquette: Plaquette, par, perimetre) -> Plaquette:
    """Publie une plaquette approuvée : rendu unique, fichiers figés avec leur SHA-256."""
    from senacs.statistiques.services import publication_autorisee

    plaquette = _recharger(plaquette)
    d = droits(par, perimetre, plaquette.cle, plaquette)
    if not d.publie:
        raise ErreurPlaquette("Seuls le rôle national et les membres du COPIL du territoire publient la plaquette.")
    if plaquette.statut == Statut.PUBLIEE:
        raise ErreurPlaquette("Cette plaquette est déjà publiée.")
    if plaquette.statut != Statut.APPROUVEE:
        raise ErreurPlaquette(
            "La plaquette doit être approuvée par le COPIL (un membre Caf et un membre fédération) avant publication."
        )
    if not publication_autorisee(plaquette.campagne, recontroler=True):
        raise ErreurPlaquette(
            "Publication refusée : l'audit du secret statistique de la campagne "
            f"{plaquette.campagne.annee} échoue (ou ses agrégats ne sont pas diffusés). "
            "Corrigez la diffusion avant de publier."
        )
    maintenant = timezone.now()
    approbations = plaquette.approbations.actives().order_by("le")
    validee = formater_date(timezone.localtime(approbations.last().le)) if approbations else ""
    mention = f"Validée par le COPIL le {validee} — publiée le {formater_date(timezone.localtime(maintenant))}"
    # Date de création du PDF = instant de publication : un nouveau rendu des mêmes données redonne les
    # mêmes octets (même SHA-256), la publication figée se reconstruit si son fichier est perdu.
    pdf, html = rendre(plaquette, mention=mention, horodatage=int(maintenant.timestamp()))
    html_octets = html.encode("utf-8")
    base = f"plaquettes/{plaquette.campagne.annee}/{plaquette.slug}-{sha256(pdf)[:12]}"
    _ecrire(f"{base}.pdf", pdf)
    _ecrire(f"{base}.html", html_octets)
    plaquette.fichier_pdf, plaquette.fichier_html = f"{base}.pdf", f"{base}.html"
    plaquette.empreinte_pdf, plaquette.empreinte_html = sha256(pdf), sha256(html_octets)
    plaquette.taille_pdf = len(pdf)
    plaquette.version_gabarit = gabarit_de(plaquette.campagne).version
    plaquette.statut = Statut.PUBLIEE
    plaquette.publiee_le = maintenant
    plaquette.publiee_par = par
    plaquette.save()
    motif = f"SHA-256 du PDF : {plaquette.empreinte_pdf}."
    if plaquette.embargo and plaquette.embargo > timezone.localdate():
        motif += f" Sous embargo jusqu'au {formater_date(plaquette.embargo)}."
    _transition(plaquette, Action.PUBLIER, Statut.APPROUVEE, par=par, d=d, motif=motif)
    return plaquette


def fichier_publie(plaquette: Plaquette, nature: str = "pdf") -> bytes:
    """Octets du fichier figé (``pdf`` ou ``html``), vérifiés par leur SHA-256 ; jamais de nouveau rendu."""
    if plaquette.statut != Statut.PUBLIEE:
        raise ErreurPlaquette("Cette plaquette n'est pas publiée.")
    chemin, empreinte = (
        (plaquette.chemin_pdf, plaquette.empreinte_pdf)
        if nature == "pdf"
        else (plaquette.chemin_html, plaquette.empreinte_html)
    )
    if not chemin.exists():
        raise ErreurPlaquette("Le fichier publié est introuvable : prévenez l'équipe nationale.")
    donnees = chemin.read_bytes()
    if sha256(donnees) != empreinte:
        raise ErreurPlaquette("Le fichier publié a été altéré (empreinte SHA-256 différente) : il n'est pas servi.")
    return donnees


# --------------------------------------------------------------------------- lots


def territoires_du_lot(campagne: Campagne) -> list[str]:
    from senacs.publications.contenu import territoires_plaquettes

    return list(territoires_plaquettes(campagne))


def lot_en_cours(campagne: Campagne) -> Lot | None:
    return Lot.objects.filter(campagne=campagne).exclude(statut=StatutLot.TERMINE).order_by("-cree_le").first()


@transaction.atomic
def lot_creer_ou_reprendre(*, campagne: Campagne, par=None) -> tuple[Lot, bool]:
    """Le lot inachevé de la campagne (à reprendre), sinon un nouveau lot avec une ligne par territoire.
    Rend (lot, repris)."""
    lot = lot_en_cours(campagne)
    if lot is not None:
        return lot, True
    cles = territoires_du_lot(campagne)
    if not cles:
        raise ErreurPlaquette(f"Aucun territoire à rendre pour la campagne {campagne.annee}.")
    lot = Lot.objects.create(campagne=campagne, cree_par=par)
    LotTerritoire.objects.bulk_create(
        [LotTerritoire(lot=lot, rang=i, cle=cle) for i, cle in enumerate(cles)], ignore_conflicts=True
    )
    return lot, False


def _rendre_brouillon(campagne: Campagne, cle: str) -> bytes:
    plaquette = plaquette_de(campagne, cle) or Plaquette(campagne=campagne, cle=cle)
    pdf, _ = rendre(plaquette, mention=MENTION_PROJET, html=False)
    return pdf


#: Un lot « en cours » sans signe de vie depuis ce délai est tenu pour abandonné (processus tué) : il
#: peut être repris. Un territoire se rend en moins d'une seconde à chaud, une dizaine à froid.
ABANDON_LOT = datetime.timedelta(minutes=2)


class LotOccupe(ErreurPlaquette):
    """Le lot est exécuté par un autre processus (worker ou commande)."""


def lot_abandonne(lot: Lot) -> bool:
    return lot.battement is None or lot.battement < timezone.now() - ABANDON_LOT


def lot_prendre(lot: Lot) -> None:
    """Réserve le lot pour cet exécutant ; ``LotOccupe`` s'il est déjà exécuté ailleurs (signe de vie
    récent). Deux exécutants ne rendent jamais le même lot en même temps."""
    maintenant = timezone.now()
    libre = Q(statut__in=[StatutLot.EN_ATTENTE, StatutLot.INTERROMPU]) | Q(statut=StatutLot.EN_COURS) & (
        Q(battement__isnull=True) | Q(battement__lt=maintenant - ABANDON_LOT)
    )
    pris = Lot.objects.filter(libre, pk=lot.pk).update(statut=StatutLot.EN_COURS, battement=maintenant, erreur="")
    if not pris:
        lot.refresh_from_db()
        if lot.statut == StatutLot.TERMINE:
            raise LotOccupe(f"Le lot n° {lot.pk} est déjà terminé.")
        raise LotOccupe(
            f"Le lot n° {lot.pk} est en cours dans un autre processus : suivez sa progression, ou relancez "
            f"dans {int(ABANDON_LOT.total_seconds() // 60)} minutes s'il s'est arrêté."
        )


def lot_executer(lot: Lot, *, progression: Callable[[int, int, str], None] | None = None) -> Lot:
    """Rend le brouillon de chaque territoire non encore fait (une panne laisse les lignes faites
    intactes : une reprise ne rend que les autres). ``progression(faits, total, clé)`` après chaque ligne.
    ``LotOccupe`` si un autre exécutant tient le lot."""
    lot_prendre(lot)
    campagne = lot.campagne
    faits, _, total = lot.compte()
    try:
        for ligne in lot.territoires.exclude(statut=StatutLigne.FAIT).order_by("rang"):
            try:
                pdf = _rendre_brouillon(campagne, ligne.cle)
            except ErreurPlaquette as exc:
                ligne.statut, ligne.erreur = StatutLigne.ECHEC, "; ".join(exc.messages)
                ligne.rendus += 1
                ligne.save(update_fields=["statut", "erreur", "rendus"])
            else:
                relatif = f"lots/{lot.pk}/{campagne.annee}-{ligne.cle.replace(':', '')}.pdf"
                _ecrire(relatif, pdf)
                with transaction.atomic():
                    # Garde contre un second exécutant du même lot : on ne compte une ligne qu'une fois.
                    n = (
                        LotTerritoire.objects.filter(pk=ligne.pk)
                        .exclude(statut=StatutLigne.FAIT)
                        .update(
                            statut=StatutLigne.FAIT,
                            fichier=relatif,
                            empreinte=sha256(pdf),
                            termine_le=timezone.now(),
                            erreur="",
                            rendus=ligne.rendus + 1,
                        )
                    )
                faits += n
            Lot.objects.filter(pk=lot.pk).update(battement=timezone.now())
            if progression is not None:
                progression(faits, total, ligne.cle)
    except BaseException as exc:
        Lot.objects.filter(pk=lot.pk).update(statut=StatutLot.INTERROMPU, erreur=str(exc)[:2000])
        raise
    Lot.objects.filter(pk=lot.pk).update(statut=StatutLot.TERMINE, termine_le=timezone.now())
    lot.refresh_from_db()
    return lot


def fichiers_effacer() -> int:
    """Efface les fichiers des plaquettes (publiées et lots) sous ``VAR_DIR/publications/`` : pour la remise
    à zéro de la démonstration, **après** avoir vidé les tables (sinon les plaquettes publiées perdent leur
    fichier figé). Rend le nombre de fichiers effacés."""
    import shutil

    dossier = dossier_publications()
    if not dossier.exists():
        return 0
    n = sum(1 for f in dossier.rglob("*") if f.is_file())
    shutil.rmtree(dossier)
    return n
