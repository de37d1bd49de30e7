from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode

from core import capacites
from senacs.comptes.selectors import charte_acceptee, perimetre_de


class PerimetreMiddleware:
    """Calcule une fois par requête le périmètre (immuable) de l'utilisateur : request.perimetre."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.perimetre = SimpleLazyObject(lambda: perimetre_de(request.user))
        return self.get_response(request)


# Chemins accessibles sans avoir accepté la charte (pages publiques, connexion, la charte elle-même).
CHEMINS_LIBRES = (
    "/static/",
    "/charte/",
    "/connexion/",
    "/deconnexion/",
    "/compte/",
    "/second-facteur/",
    "/public/",
    "/plaquettes/publiques/",
    "/favicon.ico",
)


class CharteMiddleware:
    """Tant que la version en vigueur de la charte n'est pas acceptée, aucune donnée n'est montrée."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and not request.path.startswith(CHEMINS_LIBRES)
            and not charte_acceptee(request.user)
        ):
            return redirect(f"{reverse('comptes:charte')}?{urlencode({'suivant': request.get_full_path()})}")
        return self.get_response(request)


# Chemins accessibles avant le second facteur : l'inscription et la vérification elles-mêmes, la
# déconnexion, les pages publiques.
CHEMINS_SANS_SECOND_FACTEUR = (
    "/static/",
    "/connexion/",
    "/deconnexion/",
    "/second-facteur/",
    "/public/",
    "/plaquettes/publiques/",
    "/favicon.ico",
)


def second_facteur_exige(utilisateur, perimetre) -> bool:
    """Réponses brutes, national, administration (et tout compte qui entre dans l'administration)."""
    return bool(utilisateur.is_staff or utilisateur.is_superuser or capacites.exige_un_second_facteur(perimetre))


class SecondFacteurMiddleware:
    """Une personne dont les mandats exigent un second facteur ne voit rien (administration comprise)
    avant de l'avoir vérifié pour cette session ; sans appareil confirmé, elle l'inscrit d'abord."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        utilisateur = request.user
        if (
            utilisateur.is_authenticated
            and not request.path.startswith(CHEMINS_SANS_SECOND_FACTEUR)
            and not utilisateur.is_verified()
            and second_facteur_exige(utilisateur, request.perimetre)
        ):
            from django_otp import devices_for_user

            cible = "comptes:verifier" if any(devices_for_user(utilisateur, confirmed=True)) else "comptes:inscrire"
            return redirect(f"{reverse(cible)}?{urlencode({'suivant': request.get_full_path()})}")
        return self.get_response(request)
