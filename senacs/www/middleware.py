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
