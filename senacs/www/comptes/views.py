import datetime
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import (
    LoginView,
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
)
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from core import capacites
from core.roles import Niveau, Organisme, Role
from senacs.comptes import second_facteur
from senacs.comptes.models import Mandat
from senacs.comptes.selectors import charte_acceptee
from senacs.comptes.services import charte_accepter, mandat_accorder, mandat_approuver, mandat_retirer
from senacs.structures.models import Structure
from senacs.www.comptes.forms import (
    ChangementMotDePasseForm,
    CharteForm,
    CodeForm,
    ConnexionForm,
    InvitationStructuresForm,
    MandatCorrespondantForm,
    NotificationsForm,
    NouveauMotDePasseForm,
    ReinitialisationForm,
)
from senacs.www.decorators import get_et_post_atomiques, lecture_get_atomique_post, perimetre_requis

TEXTE_CHARTE = (Path(__file__).resolve().parent.parent.parent / "textes" / "charte.txt").read_text(encoding="utf-8")


@method_decorator(lecture_get_atomique_post, name="dispatch")
class Connexion(LoginView):
    template_name = "comptes/connexion.html"
    form_class = ConnexionForm
    redirect_authenticated_user = True


@require_POST
@lecture_get_atomique_post
def deconnexion(request):
    logout(request)
    messages.info(request, "Vous êtes déconnecté.")
    return redirect("comptes:connexion")


@login_required
@lecture_get_atomique_post
def charte(request):
    suivant = request.POST.get("suivant") or request.GET.get("suivant") or ""
    if not url_has_allowed_host_and_scheme(suivant, allowed_hosts={request.get_host()}):
        suivant = ""
    deja = charte_acceptee(request.user)
    form = CharteForm(request.POST or None)
    if request.method == "POST" and not deja and form.is_valid():
        charte_accepter(utilisateur=request.user)
        messages.success(request, "Merci : votre acceptation de la charte est enregistrée.")
        return redirect(suivant or "accueil")
    paragraphes = [p.strip() for p in TEXTE_CHARTE.split("\n\n") if p.strip()]
    return render(
        request,
        "comptes/charte.html",
        {
            "form": form,
            "paragraphes": paragraphes,
            "deja_acceptee": deja,
            "version": settings.SENACS_CHARTE_VERSION,
            "suivant": suivant,
        },
    )


@login_required
@lecture_get_atomique_post
def notifications(request):
    """Choix de la personne : un courriel dès qu'un travail l'attend, ou un récapitulatif quotidien."""
    form = NotificationsForm(request.POST or None, initial={"notifications": request.user.notifications})
    if request.method == "POST":
        if form.is_valid():
            request.user.notifications = form.cleaned_data["notifications"]
            request.user.save(update_fields=["notifications"])
            messages.success(request, "Votre choix de courriels est enregistré.")
            return redirect("comptes:notifications")
        return render(request, "comptes/notifications.html", {"form": form}, status=400)
    return render(request, "comptes/notifications.html", {"form": form})


# --------------------------------------------------------------------------- mot de passe


@method_decorator(lecture_get_atomique_post, name="dispatch")
class MotDePasseOublie(PasswordResetView):
    template_name = "comptes/mot_de_passe_oublie.html"
    email_template_name = "comptes/courriel_reinitialisation.txt"
    subject_template_name = "comptes/courriel_reinitialisation_sujet.txt"
    form_class = ReinitialisationForm
    success_url = reverse_lazy("comptes:mot_de_passe_envoye")


@method_decorator(lecture_get_atomique_post, name="dispatch")
class MotDePasseEnvoye(PasswordResetDoneView):
    template_name = "comptes/mot_de_passe_envoye.html"


@method_decorator(lecture_get_atomique_post, name="dispatch")
class NouveauMotDePasse(PasswordResetConfirmView):
    """Lien de réinitialisation ou d'invitation : la personne choisit son mot de passe et est connectée
    (la charte, puis l'accueil)."""

    template_name = "comptes/nouveau_mot_de_passe.html"
    form_class = NouveauMotDePasseForm
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("accueil")

    def form_valid(self, form):
        reponse = super().form_valid(form)
        messages.success(self.request, "Votre mot de passe est enregistré.")
        return reponse


@method_decorator(lecture_get_atomique_post, name="dispatch")
class ChangerMotDePasse(PasswordChangeView):
    template_name = "comptes/changer_mot_de_passe.html"
    form_class = ChangementMotDePasseForm
    success_url = reverse_lazy("comptes:compte")

    def form_valid(self, form):
        reponse = super().form_valid(form)
        messages.success(self.request, "Votre mot de passe est changé.")
        return reponse


# --------------------------------------------------------------------------- mon compte


@login_required
@lecture_get_atomique_post
def compte(request):
    jour = timezone.localdate()
    mandats = (
        Mandat.objects.filter(utilisateur=request.user)
        .select_related("region", "departement", "structure", "caf", "federation", "accorde_par")
        .order_by("-date_debut")
    )
    lignes = [
        {
            "mandat": m,
            "etat": "en attente d'approbation"
            if m.en_attente
            else ("en cours" if m.est_valide(jour) else ("à venir" if m.date_debut > jour else "terminé")),
            "bientot": m.date_fin is not None and jour <= m.date_fin <= jour + datetime.timedelta(days=30),
        }
        for m in mandats
    ]
    return render(
        request,
        "comptes/compte.html",
        {"lignes": lignes, "capacites": sorted(capacites.capacites(request.perimetre))},
    )


# --------------------------------------------------------------------------- mandats accordés


def _mandats_geres(request):
    """Mandats que la personne peut approuver ou retirer : ceux qu'elle pourrait accorder."""
    p = request.perimetre
    q = Q(pk__in=[])
    if capacites.piloter_au_national(p):
        q |= Q(role__in=[Role.CORRESPONDANT, Role.PREPARATEUR])
    departements = capacites.departements_correspondant(p)
    if departements:
        q |= Q(role=Role.STRUCTURE, structure__departement_id__in=departements)
    return (
        Mandat.objects.filter(q)
        .exclude(utilisateur=request.user)
        .select_related("utilisateur", "region", "departement", "structure", "caf", "federation", "accorde_par")
        .order_by("-en_attente", "utilisateur__email", "role")
    )


@perimetre_requis(capacites.gerer_des_mandats)
@lecture_get_atomique_post
def mandats(request):
    form = MandatCorrespondantForm(request.POST or None) if capacites.piloter_au_national(request.perimetre) else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        try:
            mandat = mandat_accorder(
                par=request.user,
                perimetre=request.perimetre,
                email=d["email"],
                prenom=d["prenom"],
                nom=d["nom"],
                role=d["role"],
                niveau=d["niveau"],
                departement=d["departement"],
                region=d["region"],
                organisme=d["organisme"],
                caf=d["caf"],
                federation=d["federation"],
                date_debut=d["date_debut"],
                date_fin=d["date_fin"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"Mandat accordé à {mandat.utilisateur.email} : il attend l'approbation d'un autre membre du "
                "comité technique national avant d'ouvrir quoi que ce soit.",
            )
            return redirect("comptes:mandats")
    page = Paginator(_mandats_geres(request), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "comptes/mandats.html",
        {"form": form, "page": page, "status": 400 if form is not None and form.errors else 200},
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@perimetre_requis(capacites.gerer_des_mandats)
@lecture_get_atomique_post
def mandat_agir(request, pk: int, action: str):
    mandat = get_object_or_404(_mandats_geres(request), pk=pk)
    fonctions = {"approuver": mandat_approuver, "retirer": mandat_retirer}
    if action not in fonctions:
        raise Http404
    try:
        fonctions[action](mandat=mandat, par=request.user, perimetre=request.perimetre)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Mandat approuvé." if action == "approuver" else "Mandat retiré.")
    return redirect("comptes:mandats")


# --------------------------------------------------------------------------- invitation des structures


def _structures_a_inviter(request):
    """Structures actives des départements du correspondant, avec une adresse de contact au registre et
    sans compte de structure en cours."""
    deja = Mandat.objects.valides(timezone.localdate()).filter(role=Role.STRUCTURE).values("structure_id")
    return (
        Structure.objects.actives()
        .filter(departement_id__in=capacites.departements_correspondant(request.perimetre))
        .exclude(email="")
        .exclude(pk__in=deja)
        .order_by("departement_id", "nom")
    )


@perimetre_requis(capacites.saisir_pour_le_compte)
@lecture_get_atomique_post
def inviter_structures(request):
    """Étape 1 : cocher les structures ; étape 2 (« apercu ») : relire qui recevra quoi ; étape 3
    (« confirmer ») : comptes, mandats et courriels."""
    structures = _structures_a_inviter(request)
    form = InvitationStructuresForm(request.POST or None, structures=structures)
    etape = request.POST.get("etape", "choisir") if request.method == "POST" else "choisir"
    if request.method == "POST" and form.is_valid():
        choisies = list(form.cleaned_data["structures"])
        if etape == "confirmer":
            for s in choisies:
                mandat_accorder(
                    par=request.user,
                    perimetre=request.perimetre,
                    email=s.email,
                    role=Role.STRUCTURE,
                    niveau=Niveau.STRUCTURE,
                    structure=s,
                    organisme=Organisme.STRUCTURE,
                    date_fin=form.cleaned_data["date_fin"],
                )
            pluriel = "s" if len(choisies) > 1 else ""
            messages.success(request, f"{len(choisies)} invitation{pluriel} envoyée{pluriel}.")
            return redirect("comptes:inviter_structures")
        return render(
            request, "comptes/inviter_structures.html", {"form": form, "apercu": choisies, "etape": "apercu"}
        )
    return render(
        request,
        "comptes/inviter_structures.html",
        {"form": form, "apercu": None, "etape": "choisir", "nb": structures.count()},
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------- second facteur


def _suivant(request) -> str:
    suivant = request.POST.get("suivant") or request.GET.get("suivant") or ""
    return suivant if url_has_allowed_host_and_scheme(suivant, allowed_hosts={request.get_host()}) else ""


@login_required
@get_et_post_atomiques
def inscrire_second_facteur(request):
    """Première connexion : QR code et clé, puis un code pour confirmer ; les codes de secours ensuite."""
    if second_facteur.a_un_second_facteur(request.user):
        return redirect("comptes:verifier")
    appareil = second_facteur.appareil_a_inscrire(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_facteur.inscrire(request.user, appareil, form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, appareil)
            return render(request, "comptes/codes_secours.html", {"codes": codes, "suivant": _suivant(request)})
        form.add_error("code", "Ce code n'est pas le bon : vérifiez l'heure de votre téléphone et réessayez.")
    return render(
        request,
        "comptes/inscrire_second_facteur.html",
        {
            "form": form,
            "qr": second_facteur.qr_svg(appareil),
            "cle": second_facteur.cle_lisible(appareil),
            "suivant": _suivant(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
@lecture_get_atomique_post
def verifier_second_facteur(request):
    if not second_facteur.a_un_second_facteur(request.user):
        return redirect("comptes:inscrire")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        appareil = second_facteur.verifier(request.user, form.cleaned_data["code"])
        if appareil is not None:
            otp_login(request, appareil)
            return redirect(_suivant(request) or "accueil")
        form.add_error("code", "Code incorrect ou déjà utilisé.")
    return render(
        request,
        "comptes/verifier_second_facteur.html",
        {"form": form, "suivant": _suivant(request)},
        status=400 if form.errors else 200,
    )
