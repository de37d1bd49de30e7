"""Plaquettes : gabarit national, rédaction locale avec aperçu, circuit de validation, page publique, lots.

Qui voit quoi :

- page publique (``/plaquettes/publiques/``), sans connexion : les plaquettes publiées hors embargo,
  leur PDF figé et leur version HTML figée ; tout le reste → 404 ;
- projet d'un territoire : le national (et l'administrateur), les membres en cours du COPIL du
  territoire, son préparateur désigné ; un invité du COPIL seulement si le projet lui est partagé
  (``copil.PartageDocument`` de nature « plaquette ») ; tout autre compte → 404 ;
- gabarit national et lots de génération : rôle national seulement (403 pour les autres rôles).
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import capacites
from core.formats import formater_nombre
from core.plaquette import markdown
from core.plaquette.modele import BLOCS, PAGES
from senacs.campagnes.models import Campagne
from senacs.copil.models import NatureDocument, PartageDocument
from senacs.copil.services import ErreurCopil, document_partager, document_retirer
from senacs.publications import services
from senacs.publications.models import (
    Gabarit,
    Lot,
    Plaquette,
    Statut,
    StatutLot,
    cle_depuis_slug,
    slug_depuis_cle,
)
from senacs.publications.services import ErreurPlaquette
from senacs.territoires.models import Region
from senacs.www.decorators import lecture_get_atomique_post, mandat_requis, perimetre_requis

national_requis = perimetre_requis(capacites.piloter_au_national)


def taille_lisible(octets: int | None) -> str:
    if not octets:
        return ""
    if octets < 1024 * 1024:
        return f"{formater_nombre(max(1, round(octets / 1024)))} ko"
    return f"{formater_nombre(round(octets / (1024 * 1024), 1), 1)} Mo"


def _erreurs(request, exc: ValidationError) -> None:
    for m in exc.messages:
        messages.error(request, m)


def _campagne(annee: int) -> Campagne:
    return get_object_or_404(Campagne, annee=annee)


class Contexte:
    """Plaquette (enregistrée ou non), gabarit et droits de la personne pour un territoire."""

    def __init__(self, request, annee: int, territoire: str):
        self.campagne = _campagne(annee)
        cle = cle_depuis_slug(territoire)
        infos = services.libelle_territoire(cle) if cle else None
        if infos is None:
            raise Http404("Territoire inconnu.")
        self.cle = cle
        self.plaquette = services.plaquette_de(self.campagne, cle) or Plaquette(
            campagne=self.campagne, cle=cle, libelle=infos[0], region=infos[1]
        )
        self.droits = services.droits(
            request.user, request.perimetre, cle, self.plaquette if self.plaquette.pk else None
        )
        if not self.droits.voit_brouillon:
            raise Http404("Plaquette hors de vos mandats.")
        self.gabarit = services.gabarit_de(self.campagne)

    def enregistree(self) -> Plaquette:
        """La plaquette en base (créée au premier POST)."""
        if not self.plaquette.pk:
            self.plaquette = services.plaquette_obtenir(self.campagne, self.cle)
        return self.plaquette


def _url(ctx: Contexte, nom: str = "detail") -> str:
    return reverse(f"publications:{nom}", args=[ctx.campagne.annee, ctx.plaquette.slug])


def _blocs(ctx: Contexte, textes: dict | None = None, erreurs: dict | None = None) -> list[dict]:
    pages = {p.code: p for p in PAGES}
    retenues = set(services.pages_retenues(ctx.gabarit, ctx.plaquette)) | {p.code for p in PAGES if not p.optionnelle}
    textes = ctx.plaquette.textes if textes is None else textes
    lignes = []
    for b in BLOCS:
        verrouille = ctx.gabarit.est_verrouille(b.code)
        texte = ctx.gabarit.texte_national(b.code) if verrouille else textes.get(b.code, "")
        lignes.append(
            {
                "bloc": b,
                "page": pages[b.page],
                "incluse": b.page in retenues,
                "verrouille": verrouille,
                "texte": texte,
                "html": markdown.vers_html(texte) if texte and not markdown.valider(texte, bloc=b.code) else "",
                "erreurs": (erreurs or {}).get(b.code, []),
            }
        )
    return lignes


def _page_detail(request, ctx: Contexte, *, textes=None, erreurs=None, status=200, confirmer_annulation=False):
    p = ctx.plaquette
    approbations = list(p.approbations.actives().select_related("utilisateur")) if p.pk else []
    cotes = {a.cote for a in approbations}
    partage = services.partage_actif(p) if p.pk else None
    d = ctx.droits
    modifiable = d.redige(ctx.cle) and p.statut != Statut.PUBLIEE
    optionnelles = [
        {"page": pg, "choisie": pg.code in services.pages_retenues(ctx.gabarit, p)}
        for pg in PAGES
        if pg.optionnelle and pg.code in ctx.gabarit.pages_optionnelles
    ]
    contexte = {
        "ctx": ctx,
        "campagne": ctx.campagne,
        "plaquette": p,
        "droits": d,
        "gabarit": ctx.gabarit,
        "blocs": _blocs(ctx, textes, erreurs),
        "optionnelles": optionnelles,
        "modifiable": modifiable,
        "approbations": approbations,
        "caf": "caf" in cotes,
        "federation": "federation" in cotes,
        "a_approuve": any(a.utilisateur_id == request.user.pk for a in approbations),
        "transitions": list(p.transitions.order_by("-le", "-pk")[:30]) if p.pk else [],
        "partage": partage,
        "peut_partager": (d.membre is not None or d.preparateur) and p.statut != Statut.PUBLIEE,
        "taille_pdf": taille_lisible(p.taille_pdf),
        "aujourdhui": timezone.localdate(),
        "Statut": Statut,
        "confirmer_annulation": confirmer_annulation,
    }
    return render(request, "publications/detail.html", contexte, status=status)


# --------------------------------------------------------------------------- espace connecté


@mandat_requis
@lecture_get_atomique_post
def index(request):
    """Plaquettes que la personne peut voir, pour une campagne (les plus récentes d'abord)."""
    campagnes = list(Campagne.objects.order_by("-annee"))
    if not campagnes:
        return render(request, "publications/index.html", {"campagnes": [], "lignes": []})
    choisie = request.GET.get("campagne", "")
    campagne = next((c for c in campagnes if str(c.annee) == choisie), None)
    if campagne is None:
        campagne = next((c for c in campagnes if c.diffusions.exists()), campagnes[0])
    existantes = {p.cle: p for p in Plaquette.objects.filter(campagne=campagne)}
    perimetre = request.perimetre
    national = perimetre.est_national or perimetre.est_admin
    if national:
        cles = ["FR"] + [f"R:{r}" for r in Region.objects.order_by("code").values_list("code", flat=True)]
        cles += [f"D:{d}" for d in _departements()]
    else:
        cles = _cles_copil(request.user)
    lignes = []
    for cle in cles:
        p = existantes.get(cle)
        if p is None:
            infos = services.libelle_territoire(cle)
            if infos is None:
                continue
            p = Plaquette(campagne=campagne, cle=cle, libelle=infos[0], region=infos[1])
        if national or services.droits(request.user, perimetre, cle, p if p.pk else None).voit_brouillon:
            lignes.append(p)
    return render(
        request,
        "publications/index.html",
        {"campagnes": campagnes, "campagne": campagne, "lignes": lignes, "national": perimetre.est_national},
    )


def _departements() -> list[str]:
    from senacs.territoires.models import Departement

    return list(Departement.objects.order_by("code").values_list("code", flat=True))


def _cles_copil(utilisateur) -> list[str]:
    """Territoires des comités dont la personne est membre, préparatrice ou invitée."""
    from senacs.copil.models import Copil, Designation, InviteCopil, MembreCopil, StatutDesignation

    jour = timezone.localdate()
    ids = set(MembreCopil.objects.valides(jour).filter(utilisateur=utilisateur).values_list("copil_id", flat=True))
    ids |= set(InviteCopil.objects.valides(jour).filter(utilisateur=utilisateur).values_list("copil_id", flat=True))
    ids |= set(
        Designation.objects.filter(designe=utilisateur, statut=StatutDesignation.EFFECTIVE, fin__gte=jour).values_list(
            "copil_id", flat=True
        )
    )
    return [
        c.cle_territoire for c in Copil.objects.filter(pk__in=ids).order_by("niveau", "region_id", "departement_id")
    ]


@mandat_requis
@lecture_get_atomique_post
def detail(request, annee: int, territoire: str):
    return _page_detail(request, Contexte(request, annee, territoire))


@require_POST
@mandat_requis
@lecture_get_atomique_post
def enregistrer(request, annee: int, territoire: str):
    ctx = Contexte(request, annee, territoire)
    if not ctx.droits.redige(ctx.cle):
        raise Http404("Action hors de vos droits.")
    textes = {
        b.code: request.POST.get(f"texte_{b.code}", "")
        for b in BLOCS
        if f"texte_{b.code}" in request.POST and not ctx.gabarit.est_verrouille(b.code)
    }
    pages = request.POST.getlist("pages") if "choix_pages" in request.POST else None
    erreurs_par_bloc = {}
    for code, texte in textes.items():
        e = markdown.valider(texte.strip(), bloc=code) if texte.strip() else []
        if e:
            erreurs_par_bloc[code] = e
    try:
        if erreurs_par_bloc:
            raise ErreurPlaquette("Le texte contient des erreurs : rien n'a été enregistré.")
        plaquette = ctx.enregistree()
        avant = plaquette.statut
        change = any((plaquette.textes or {}).get(code, "") != texte for code, texte in textes.items())
        if (
            avant in (Statut.SOUMISE, Statut.APPROUVEE)
            and change
            and request.POST.get("confirme") != "oui"
            and plaquette.approbations.actives().exists()
        ):
            # Prévenir d'abord : enregistrer annule les approbations du COPIL (rien n'est encore enregistré).
            messages.warning(
                request,
                "Rien n'est encore enregistré : ce changement annulera les approbations du COPIL et ramènera la "
                "plaquette en brouillon. Confirmez avec « Enregistrer et annuler les approbations ».",
            )
            return _page_detail(request, ctx, textes={**plaquette.textes, **textes}, confirmer_annulation=True)
        p = services.plaquette_enregistrer(
            plaquette=plaquette, par=request.user, perimetre=request.perimetre, textes=textes, pages=pages
        )
    except ValidationError as exc:
        messages.error(request, "Rien n'a été enregistré : corrigez les erreurs signalées.")
        if not erreurs_par_bloc:
            _erreurs(request, exc)
        return _page_detail(
            request, ctx, textes={**ctx.plaquette.textes, **textes}, erreurs=erreurs_par_bloc, status=400
        )
    if avant in (Statut.SOUMISE, Statut.APPROUVEE) and p.statut == Statut.BROUILLON:
        messages.warning(
            request, "Contenu modifié : les approbations sont annulées, la plaquette repasse en brouillon."
        )
    else:
        messages.success(request, "Plaquette enregistrée.")
    return redirect(_url(ctx))


@require_POST
@mandat_requis
@lecture_get_atomique_post
def apercu(request, annee: int, territoire: str, bloc: str):
    """Aperçu d'un bloc (requête htmx) : HTML du Markdown restreint, ou les erreurs en français."""
    ctx = Contexte(request, annee, territoire)
    if not ctx.droits.redige(ctx.cle) or bloc not in services.CODES_BLOCS:
        raise Http404("Action hors de vos droits.")
    texte = request.POST.get(f"texte_{bloc}", "").strip()
    erreurs = markdown.valider(texte, bloc=bloc) if texte else []
    html = markdown.vers_html(texte) if texte and not erreurs else ""
    return render(request, "publications/_apercu.html", {"html": html, "erreurs": erreurs, "vide": not texte})


def _action(request, annee, territoire, fonction, succes: str, **kwargs):
    ctx = Contexte(request, annee, territoire)
    try:
        fonction(plaquette=ctx.enregistree(), par=request.user, perimetre=request.perimetre, **kwargs)
    except ValidationError as exc:
        _erreurs(request, exc)
    else:
        messages.success(request, succes)
    return redirect(_url(ctx))


@require_POST
@mandat_requis
@lecture_get_atomique_post
def soumettre(request, annee: int, territoire: str):
    return _action(request, annee, territoire, services.plaquette_soumettre, "Plaquette soumise au COPIL.")


@require_POST
@mandat_requis
@lecture_get_atomique_post
def approuver(request, annee: int, territoire: str):
    return _action(request, annee, territoire, services.plaquette_approuver, "Votre approbation est enregistrée.")


@require_POST
@mandat_requis
@lecture_get_atomique_post
def refuser(request, annee: int, territoire: str):
    return _action(
        request,
        annee,
        territoire,
        services.plaquette_refuser,
        "La plaquette repasse en brouillon avec votre motif.",
        motif=request.POST.get("motif", ""),
    )


@require_POST
@mandat_requis
@lecture_get_atomique_post
def publier(request, annee: int, territoire: str):
    if request.POST.get("confirme") != "oui":
        ctx = Contexte(request, annee, territoire)
        messages.error(request, "Rien n'est publié : cochez « Je confirme la publication » puis publiez.")
        return redirect(_url(ctx))
    return _action(request, annee, territoire, services.plaquette_publier, "Plaquette publiée : sa version est figée.")


@require_POST
@mandat_requis
@lecture_get_atomique_post
def embargo(request, annee: int, territoire: str):
    texte = request.POST.get("embargo", "").strip()
    date = None
    if texte:
        try:
            date = datetime.date.fromisoformat(texte)
        except ValueError:
            ctx = Contexte(request, annee, territoire)
            messages.error(request, "Date d'embargo invalide : indiquez une date au format jj/mm/aaaa.")
            return redirect(_url(ctx))
    succes = "Date d'embargo enregistrée." if date else "Embargo levé."
    return _action(request, annee, territoire, services.plaquette_embargo, succes, embargo=date)


@require_POST
@mandat_requis
@lecture_get_atomique_post
def partager(request, annee: int, territoire: str):
    """Partage (ou retire le partage) du projet avec les invités du COPIL du territoire."""
    ctx = Contexte(request, annee, territoire)
    copil = services.copil_de(ctx.cle)
    if copil is None or not (ctx.droits.membre or ctx.droits.preparateur):
        raise Http404("Action hors de vos droits.")
    p = ctx.enregistree()
    try:
        if request.POST.get("retirer"):
            partage = services.partage_actif(p, copil)
            if partage is not None:
                document_retirer(partage=partage, par=request.user)
            messages.success(request, "Le projet n'est plus partagé avec les invités.")
        else:
            document_partager(
                copil=copil,
                nature=NatureDocument.PLAQUETTE,
                reference=p.reference_partage,
                titre=f"Projet de plaquette {p.libelle} — campagne {ctx.campagne.annee}",
                par=request.user,
            )
            messages.success(request, "Le projet est partagé avec les invités du COPIL.")
    except ErreurCopil as exc:
        _erreurs(request, exc)
    return redirect(_url(ctx))


@mandat_requis
@lecture_get_atomique_post
def depuis_partage(request, partage: int):
    """Lien d'un document partagé de nature « plaquette » (page du COPIL) vers le projet ; les droits sont
    ceux de la page du projet (un partage retiré → 404 pour l'invité)."""
    p = get_object_or_404(PartageDocument.objects.actifs(), pk=partage, nature=NatureDocument.PLAQUETTE)
    annee, _, cle = p.reference.partition(":")
    if not annee.isdigit() or not cle:
        raise Http404("Référence invalide.")
    return redirect("publications:detail", annee=int(annee), territoire=slug_depuis_cle(cle))


@mandat_requis
@lecture_get_atomique_post
def projet_pdf(request, annee: int, territoire: str):
    """PDF du projet en cours (rendu à la demande, mention « Projet »), ou le PDF figé si publiée."""
    ctx = Contexte(request, annee, territoire)
    try:
        if ctx.plaquette.statut == Statut.PUBLIEE:
            pdf = services.fichier_publie(ctx.plaquette, "pdf")
        else:
            pdf, _ = services.rendre(ctx.plaquette, html=False)
    except ErreurPlaquette as exc:
        _erreurs(request, exc)
        return redirect(_url(ctx))
    return _reponse_pdf(pdf, f"plaquette-{annee}-{ctx.plaquette.slug}-projet.pdf")


@mandat_requis
@lecture_get_atomique_post
def projet_html(request, annee: int, territoire: str):
    ctx = Contexte(request, annee, territoire)
    try:
        if ctx.plaquette.statut == Statut.PUBLIEE:
            html = services.fichier_publie(ctx.plaquette, "html").decode("utf-8")
        else:
            _, html = services.rendre(ctx.plaquette)
    except ErreurPlaquette as exc:
        _erreurs(request, exc)
        return redirect(_url(ctx))
    return render(
        request,
        "publications/version_html.html",
        {"plaquette": ctx.plaquette, "html": html, "projet": ctx.plaquette.statut != Statut.PUBLIEE},
    )


def _reponse_pdf(pdf: bytes, nom: str) -> HttpResponse:
    reponse = HttpResponse(pdf, content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    reponse["Content-Length"] = str(len(pdf))
    return reponse


# --------------------------------------------------------------------------- gabarit national


@national_requis
@lecture_get_atomique_post
def gabarit(request, annee: int):
    campagne = _campagne(annee)
    g = services.gabarit_de(campagne)
    erreurs = []
    if request.method == "POST":
        blocs = {
            b.code: (request.POST.get(f"verrouille_{b.code}") == "1", request.POST.get(f"texte_{b.code}", ""))
            for b in BLOCS
        }
        pages = request.POST.getlist("pages_optionnelles")
        try:
            g = services.gabarit_modifier(
                campagne=campagne, par=request.user, perimetre=request.perimetre, blocs=blocs, pages_optionnelles=pages
            )
        except ValidationError as exc:
            erreurs = exc.messages
            g = Gabarit(
                campagne=campagne,
                version=g.version,
                blocs={c: {"verrouille": v, "texte": t} for c, (v, t) in blocs.items()},
                pages_optionnelles=pages,
            )
        else:
            messages.success(request, f"Gabarit national {annee} enregistré (version {g.version}).")
            return redirect("publications:gabarit", annee=annee)
    lignes = [{"bloc": b, "verrouille": g.est_verrouille(b.code), "texte": g.texte_national(b.code)} for b in BLOCS]
    pages = [{"page": p, "retirable": p.code in g.pages_optionnelles} for p in PAGES if p.optionnelle]
    return render(
        request,
        "publications/gabarit.html",
        {"campagne": campagne, "gabarit": g, "lignes": lignes, "pages": pages, "erreurs": erreurs},
        status=400 if erreurs else 200,
    )


# --------------------------------------------------------------------------- lots


@national_requis
@lecture_get_atomique_post
def lots(request, annee: int):
    campagne = _campagne(annee)
    if request.method == "POST":
        from senacs.publications.tasks import rendre_lot

        try:
            lot, repris = services.lot_creer_ou_reprendre(campagne=campagne, par=request.user)
        except ValidationError as exc:
            _erreurs(request, exc)
            return redirect("publications:lots", annee=annee)
        if repris and lot.statut == StatutLot.EN_COURS and not services.lot_abandonne(lot):
            messages.info(request, f"Le lot n° {lot.pk} est déjà en cours : suivez sa progression ci-dessous.")
            return redirect("publications:lots", annee=annee)
        rendre_lot.enqueue(lot.pk)
        messages.success(request, f"Lot n° {lot.pk} {'repris' if repris else 'lancé'} : génération en cours.")
        return redirect("publications:lots", annee=annee)
    derniers = list(Lot.objects.filter(campagne=campagne).order_by("-cree_le")[:5])
    return render(
        request,
        "publications/lots.html",
        {
            "campagne": campagne,
            "lots": [_etat_lot(lot) for lot in derniers],
            "en_cours": services.lot_en_cours(campagne),
        },
    )


def _etat_lot(lot: Lot) -> dict:
    faits, echecs, total = lot.compte()
    return {
        "lot": lot,
        "faits": faits,
        "echecs": echecs,
        "total": total,
        "pourcent": formater_nombre(round(100 * faits / total) if total else 0),
        "fini": lot.statut == StatutLot.TERMINE,
        "lignes_echec": list(lot.territoires.filter(statut="echec")[:20]),
    }


@national_requis
@lecture_get_atomique_post
def lot_progression(request, pk: int):
    lot = get_object_or_404(Lot.objects.select_related("campagne"), pk=pk)
    return render(request, "publications/_progression.html", {"e": _etat_lot(lot)})


@national_requis
@lecture_get_atomique_post
def lot_fichier(request, pk: int, territoire: str):
    lot = get_object_or_404(Lot, pk=pk)
    ligne = get_object_or_404(lot.territoires, cle=cle_depuis_slug(territoire) or "", statut="fait")
    chemin = services.dossier_publications() / ligne.fichier
    if not chemin.exists():
        raise Http404("Fichier introuvable.")
    return _reponse_pdf(chemin.read_bytes(), f"plaquette-{lot.campagne.annee}-{territoire}-projet.pdf")


# --------------------------------------------------------------------------- page publique


@lecture_get_atomique_post
def publiques(request):
    """Plaquettes publiées (hors embargo), par campagne et territoire, sans connexion."""
    qs = Plaquette.objects.publiques().select_related("campagne")
    annees = sorted({a for a in qs.values_list("campagne__annee", flat=True)}, reverse=True)
    regions = list(Region.objects.filter(code__in=set(qs.values_list("region", flat=True))).order_by("nom"))
    campagne, region = request.GET.get("campagne", ""), request.GET.get("region", "")
    if campagne.isdigit():
        qs = qs.filter(campagne__annee=int(campagne))
    if region:
        qs = qs.filter(region=region)
    lignes = [{"p": p, "taille": taille_lisible(p.taille_pdf)} for p in qs.order_by("-campagne__annee", "cle")]
    return render(
        request,
        "publications/publiques.html",
        {"lignes": lignes, "annees": annees, "regions": regions, "campagne": campagne, "region": region},
    )


def _publique(annee: int, territoire: str) -> Plaquette:
    cle = cle_depuis_slug(territoire)
    if cle is None:
        raise Http404("Plaquette inconnue.")
    return get_object_or_404(Plaquette.objects.publiques().select_related("campagne"), campagne__annee=annee, cle=cle)


@lecture_get_atomique_post
def publique_pdf(request, annee: int, territoire: str):
    p = _publique(annee, territoire)
    try:
        pdf = services.fichier_publie(p, "pdf")
    except ErreurPlaquette as exc:
        raise Http404(str(exc)) from exc
    return _reponse_pdf(pdf, f"plaquette-senacs-{annee}-{p.slug}.pdf")


@lecture_get_atomique_post
def publique_html(request, annee: int, territoire: str):
    p = _publique(annee, territoire)
    try:
        html = services.fichier_publie(p, "html").decode("utf-8")
    except ErreurPlaquette as exc:
        raise Http404(str(exc)) from exc
    return render(
        request,
        "publications/version_html.html",
        {"plaquette": p, "html": html, "projet": False, "publique": True, "taille": taille_lisible(p.taille_pdf)},
    )
