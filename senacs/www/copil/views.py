"""Comités de pilotage : page du comité, membres, invités, désignation du préparateur, partages.

Qui voit quoi :

- la page complète d'un comité (membres, invités, désignation, documents) : ses membres, son
  préparateur désigné, le national et les administrateurs ;
- un invité ne voit que les documents que le comité lui a partagés (même adresse, page réduite) ;
- tout autre compte : 404 (le comité n'existe pas pour lui).

Actions : le national et les administrateurs ajoutent et retirent les membres ; un membre invite (par
courriel, compte créé au besoin : ``invite_inviter``), propose
un préparateur, approuve ; un membre ou la personne désignée retire la désignation ; un membre ou le
préparateur partage des tableaux avec les invités (l'audit du secret statistique est rejoué avant).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import capacites
from senacs.campagnes.models import Campagne, Phase
from senacs.copil import services
from senacs.copil.models import (
    Copil,
    Cote,
    Designation,
    InviteCopil,
    MembreCopil,
    NatureDocument,
    PartageDocument,
    StatutDesignation,
)
from senacs.statistiques.selectors import Territoire
from senacs.statistiques.tableaux import LEGENDE, NOTE_METHODE, tableaux_territoire
from senacs.www.copil.forms import InvitationCourrielForm, InviteForm, MembreForm, PartageForm, PropositionForm
from senacs.www.decorators import lecture_get_atomique_post, mandat_requis, perimetre_requis
from senacs.www.statistiques.views import campagnes_diffusees, diffusion_publiable, reponse_tableaux


class Acces:
    """Ce que l'utilisateur est pour un comité."""

    def __init__(self, request, copil: Copil):
        jour = timezone.localdate()
        self.membre = services.membre_de(copil, request.user, jour)
        self.preparateur = services.est_preparateur_de(copil, request.user, jour)
        self.invite = services.est_invite(copil, request.user, jour)
        self.national = request.perimetre.est_national or request.perimetre.est_admin
        self.inviter = self.membre is not None and copil.cle_territoire in capacites.inviter_au_copil(
            request.perimetre
        )

    @property
    def complet(self) -> bool:
        return bool(self.membre or self.preparateur or self.national)

    @property
    def voit(self) -> bool:
        return self.complet or self.invite


def _copil(request, pk: int) -> tuple[Copil, Acces]:
    copil = get_object_or_404(Copil.objects.select_related("region", "departement"), pk=pk)
    acces = Acces(request, copil)
    if not acces.voit:
        raise Http404("Comité hors de vos mandats.")
    return copil, acces


def _exiger(condition: bool) -> None:
    if not condition:
        raise Http404("Action hors de vos droits.")


def _territoire(copil: Copil) -> Territoire:
    return Territoire.depuis_cle(copil.cle_territoire)


def _erreur(request, exc: ValidationError) -> None:
    for m in exc.messages:
        messages.error(request, m)


@mandat_requis
@lecture_get_atomique_post
def index(request):
    jour = timezone.localdate()
    ids = set(MembreCopil.objects.valides(jour).filter(utilisateur=request.user).values_list("copil_id", flat=True))
    ids |= set(InviteCopil.objects.valides(jour).filter(utilisateur=request.user).values_list("copil_id", flat=True))
    ids |= set(
        Designation.objects.filter(
            designe=request.user, statut=StatutDesignation.EFFECTIVE, fin__gte=jour
        ).values_list("copil_id", flat=True)
    )
    national = request.perimetre.est_national or request.perimetre.est_admin
    copils = Copil.objects.select_related("region", "departement")
    copils = copils.order_by("niveau", "region_id", "departement_id") if national else copils.filter(pk__in=ids)
    return render(request, "copil/index.html", {"copils": copils, "national": national})


def _campagnes_designation():
    return list(Campagne.objects.exclude(phase=Phase.ARCHIVEE).order_by("-annee"))


def _contexte(request, copil: Copil, acces: Acces, **extra) -> dict:
    jour = timezone.localdate()
    partages = PartageDocument.objects.actifs().filter(copil=copil).select_related("partage_par")
    contexte = {"copil": copil, "acces": acces, "partages": partages, "Cote": Cote}
    if acces.complet:
        membres = MembreCopil.objects.valides(jour).filter(copil=copil).select_related("utilisateur")
        designations = []
        for campagne in _campagnes_designation():
            d = services.designation_en_cours(copil, campagne)
            if d is not None:
                cotes = services.cotes_d_accord(d)
                accords = d.accords.select_related("membre__utilisateur")
                designations.append(
                    {
                        "designation": d,
                        "accords": accords,
                        "caf": Cote.CAF in cotes,
                        "federation": Cote.FEDERATION in cotes,
                        "a_approuve": acces.membre is not None
                        and any(a.membre_id == acces.membre.pk for a in accords),
                    }
                )
        diffusees = campagnes_diffusees()
        sections = []
        if diffusees:
            modele = diffusees[0].questionnaire.modele
            sections = [(s.code, s.titre) for s in modele.sections]
        contexte |= {
            "membres": membres,
            "invites": InviteCopil.objects.valides(jour).filter(copil=copil).select_related("utilisateur"),
            "designations": designations,
            "form_membre": extra.get("form_membre") or MembreForm(),
            "form_invite": extra.get("form_invite") or InviteForm(),
            "form_invitation": extra.get("form_invitation") or InvitationCourrielForm(prefix="invitation"),
            "form_proposition": extra.get("form_proposition") or PropositionForm(campagnes=_campagnes_designation()),
            "form_partage": extra.get("form_partage") or PartageForm(campagnes=diffusees, sections=sections),
            "peut_partager": acces.membre is not None or acces.preparateur,
        }
    return contexte


@mandat_requis
@lecture_get_atomique_post
def detail(request, pk: int):
    copil, acces = _copil(request, pk)
    return render(request, "copil/detail.html", _contexte(request, copil, acces))


@require_POST
@mandat_requis
@lecture_get_atomique_post
def membre_ajouter(request, pk: int):
    copil, acces = _copil(request, pk)
    _exiger(acces.national)
    form = MembreForm(request.POST)
    if form.is_valid():
        try:
            membre = services.membre_ajouter(
                copil=copil,
                utilisateur=form.cleaned_data["utilisateur"],
                cote=form.cleaned_data["cote"],
                date_debut=form.cleaned_data["date_debut"],
                date_fin=form.cleaned_data["date_fin"],
            )
        except ValidationError as exc:
            _erreur(request, exc)
        else:
            messages.success(request, f"{membre.utilisateur} est membre du comité ({membre.get_cote_display()}).")
            return redirect("copil:detail", pk=copil.pk)
    return render(request, "copil/detail.html", _contexte(request, copil, acces, form_membre=form), status=400)


@require_POST
@mandat_requis
@lecture_get_atomique_post
def membre_retirer(request, pk: int, membre: int):
    copil, acces = _copil(request, pk)
    _exiger(acces.national)
    m = get_object_or_404(MembreCopil.objects.valides(), copil=copil, pk=membre)
    services.membre_retirer(membre=m)
    messages.success(request, f"{m.utilisateur} n'est plus membre du comité.")
    return redirect("copil:detail", pk=copil.pk)


@require_POST
@mandat_requis
@lecture_get_atomique_post
def invite_ajouter(request, pk: int):
    copil, acces = _copil(request, pk)
    _exiger(acces.membre is not None or acces.national)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invite = services.invite_ajouter(
                copil=copil,
                utilisateur=form.cleaned_data["utilisateur"],
                qualite=form.cleaned_data["qualite"],
                par=request.user,
            )
        except ValidationError as exc:
            _erreur(request, exc)
        else:
            messages.success(request, f"{invite.utilisateur} est invité du comité.")
            return redirect("copil:detail", pk=copil.pk)
    return render(request, "copil/detail.html", _contexte(request, copil, acces, form_invite=form), status=400)


@require_POST
@perimetre_requis(capacites.inviter_au_copil)
@lecture_get_atomique_post
def invite_inviter(request, pk: int):
    """Un membre du comité invite une personne par courriel (compte créé au besoin, lien à usage unique
    pour choisir son mot de passe). Comité hors de ses mandats : 404 ; comité dont on n'est pas membre
    (invité, préparateur, national) : 404."""
    copil, acces = _copil(request, pk)
    _exiger(acces.inviter)
    form = InvitationCourrielForm(request.POST, prefix="invitation")
    if form.is_valid():
        d = form.cleaned_data
        try:
            invite, nouveau = services.invite_inviter(
                copil=copil,
                par=request.user,
                perimetre=request.perimetre,
                email=d["email"],
                prenom=d["prenom"],
                nom=d["nom"],
                qualite=d["qualite"],
                date_fin=d["date_fin"],
            )
        except ValidationError as exc:
            _erreur(request, exc)
        else:
            if nouveau:
                messages.success(
                    request,
                    f"{invite.utilisateur.email} est invité du comité : un courriel lui propose de choisir son "
                    "mot de passe par un lien à usage unique.",
                )
            else:
                messages.success(request, f"{invite.utilisateur} est invité du comité ; un courriel l'en informe.")
            return redirect("copil:detail", pk=copil.pk)
    return render(request, "copil/detail.html", _contexte(request, copil, acces, form_invitation=form), status=400)


@require_POST
@mandat_requis
@lecture_get_atomique_post
def invite_retirer(request, pk: int, invite: int):
    copil, acces = _copil(request, pk)
    _exiger(acces.membre is not None or acces.national)
    i = get_object_or_404(InviteCopil.objects.valides(), copil=copil, pk=invite)
    services.invite_retirer(invite=i)
    messages.success(request, f"{i.utilisateur} n'est plus invité du comité.")
    return redirect("copil:detail", pk=copil.pk)


@require_POST
@mandat_requis
@lecture_get_atomique_post
def designation_proposer(request, pk: int):
    copil, acces = _copil(request, pk)
    _exiger(acces.membre is not None)
    campagnes = _campagnes_designation()
    form = PropositionForm(request.POST, campagnes=campagnes)
    if form.is_valid():
        campagne = next(c for c in campagnes if str(c.annee) == form.cleaned_data["campagne"])
        try:
            d = services.designation_proposer(
                copil=copil, campagne=campagne, designe=form.cleaned_data["designe"], par=request.user
            )
        except ValidationError as exc:
            _erreur(request, exc)
        else:
            if d.statut == StatutDesignation.EFFECTIVE:
                messages.success(request, f"{d.designe} est désigné(e) préparateur pour la campagne {campagne.annee}.")
            else:
                messages.success(
                    request,
                    f"Proposition enregistrée : {d.designe} sera préparateur dès qu'un membre de l'autre côté "
                    "(Caf ou fédération) l'aura approuvée.",
                )
            return redirect("copil:detail", pk=copil.pk)
    return render(request, "copil/detail.html", _contexte(request, copil, acces, form_proposition=form), status=400)


@require_POST
@mandat_requis
@lecture_get_atomique_post
def designation_approuver(request, pk: int, designation: int):
    copil, acces = _copil(request, pk)
    _exiger(acces.membre is not None)
    d = get_object_or_404(Designation, copil=copil, pk=designation)
    try:
        d = services.designation_approuver(designation=d, par=request.user)
    except ValidationError as exc:
        _erreur(request, exc)
    else:
        if d.statut == StatutDesignation.EFFECTIVE:
            messages.success(request, f"Désignation effective : {d.designe} est préparateur.")
        else:
            messages.success(request, "Votre accord est enregistré ; il manque celui de l'autre côté.")
    return redirect("copil:detail", pk=copil.pk)


@require_POST
@mandat_requis
@lecture_get_atomique_post
def designation_retirer(request, pk: int, designation: int):
    copil, acces = _copil(request, pk)
    d = get_object_or_404(Designation, copil=copil, pk=designation)
    _exiger(acces.membre is not None or d.designe_id == request.user.pk)
    try:
        services.designation_retirer(designation=d, par=request.user)
    except ValidationError as exc:
        _erreur(request, exc)
    else:
        messages.success(request, "La désignation est retirée : l'accès aux réponses du territoire prend fin.")
    if d.designe_id == request.user.pk and acces.membre is None and not acces.national:
        return redirect("copil:index")
    return redirect("copil:detail", pk=copil.pk)


@require_POST
@mandat_requis
@lecture_get_atomique_post
def partage_ajouter(request, pk: int):
    copil, acces = _copil(request, pk)
    _exiger(acces.membre is not None or acces.preparateur)
    diffusees = campagnes_diffusees()
    sections = [(s.code, s.titre) for s in diffusees[0].questionnaire.modele.sections] if diffusees else []
    form = PartageForm(request.POST, campagnes=diffusees, sections=sections)
    if form.is_valid():
        reference = form.cleaned_data["campagne"]
        if form.cleaned_data["section"]:
            reference += f":{form.cleaned_data['section']}"
        try:
            services.document_partager(
                copil=copil,
                nature=NatureDocument.TABLEAUX,
                reference=reference,
                titre=form.cleaned_data["titre"],
                par=request.user,
            )
        except ValidationError as exc:
            _erreur(request, exc)
        else:
            messages.success(request, "Document partagé avec les invités du comité.")
            return redirect("copil:detail", pk=copil.pk)
    return render(request, "copil/detail.html", _contexte(request, copil, acces, form_partage=form), status=400)


@require_POST
@mandat_requis
@lecture_get_atomique_post
def partage_retirer(request, pk: int, partage: int):
    copil, acces = _copil(request, pk)
    _exiger(acces.membre is not None or acces.preparateur)
    p = get_object_or_404(PartageDocument.objects.actifs(), copil=copil, pk=partage)
    services.document_retirer(partage=p, par=request.user)
    messages.success(request, "Le document n'est plus partagé.")
    return redirect("copil:detail", pk=copil.pk)


def _tableaux_partages(copil: Copil, partage: PartageDocument):
    if partage.nature != NatureDocument.TABLEAUX:
        raise Http404("Ce document n'est pas un tableau.")
    annee, _, section = partage.reference.partition(":")
    if not annee.isdigit():
        raise Http404("Référence invalide.")
    diffusion = diffusion_publiable(int(annee))
    return tableaux_territoire(diffusion, _territoire(copil), section=section or None), section or None


@mandat_requis
@lecture_get_atomique_post
def partage_detail(request, pk: int, partage: int):
    copil, acces = _copil(request, pk)
    p = get_object_or_404(PartageDocument.objects.actifs(), copil=copil, pk=partage)
    t, section = _tableaux_partages(copil, p)
    return render(
        request,
        "copil/partage.html",
        {
            "copil": copil,
            "partage": p,
            "t": t,
            "questions": t.questions,
            "section": section,
            "legende": LEGENDE,
            "note_methode": NOTE_METHODE,
        },
    )


@mandat_requis
@lecture_get_atomique_post
def partage_telecharger(request, pk: int, partage: int, format_: str):
    copil, acces = _copil(request, pk)
    p = get_object_or_404(PartageDocument.objects.actifs(), copil=copil, pk=partage)
    t, _ = _tableaux_partages(copil, p)
    return reponse_tableaux(t, format_)
