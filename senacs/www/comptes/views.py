from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from senacs.comptes.selectors import charte_acceptee
from senacs.comptes.services import charte_accepter
from senacs.www.comptes.forms import CharteForm, ConnexionForm
from senacs.www.decorators import lecture_get_atomique_post

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
