from django.shortcuts import render

from core.erreurs import ErreurMetier


class ErreurMetierMiddleware:
    """Un refus métier (``core.erreurs.ErreurMetier``) qu'aucune vue n'a attrapé : page 400 avec son
    message en français, jamais une erreur 500. Les vues sont atomiques (``senacs.www.decorators``) :
    rien de ce qu'elles avaient commencé d'écrire n'est gardé."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ErreurMetier):
            return render(request, "erreurs/400.html", {"message": exception.message}, status=400)
        return None


class EntetesSecuriteMiddleware:
    """Politique de sécurité du contenu stricte : aucun script ni style en ligne, tout vient de /static/."""

    CSP = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", self.CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        # Pages d'un utilisateur connecté (réponses brutes, listes nominatives) et fichiers téléchargés :
        # jamais gardés par le navigateur ni par un cache intermédiaire.
        utilisateur = getattr(request, "user", None)
        connecte = utilisateur is not None and utilisateur.is_authenticated
        if connecte or response.get("Content-Disposition", "").startswith("attachment"):
            response["Cache-Control"] = "no-store, private"
        return response
