from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode

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
