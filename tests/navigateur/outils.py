"""Aides des tests navigateur : connexion par le formulaire, violations axe graves."""


def violations_graves(resultats) -> list[str]:
    """Violations axe-core « serious » ou « critical », lisibles dans un message d'échec."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in resultats.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def code_totp(email: str, confirme: bool) -> str:
    """Le code qu'afficherait l'application d'authentification de la personne."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    a = TOTPDevice.objects.filter(user__email__iexact=email, confirmed=confirme).latest("pk")
    return f"{totp(a.bin_key, step=a.step, t0=a.t0, digits=a.digits):06d}"


def second_facteur(page, email):
    """Si le site demande le second facteur : inscription (première fois) ou code, comme une personne."""
    if "/second-facteur/inscription/" in page.url:
        page.get_by_label("Code à usage unique").fill(code_totp(email, confirme=False))
        page.get_by_role("button", name="Confirmer").click()
        assert page.get_by_role("status").inner_text() == "Le second facteur est activé."
        page.get_by_role("link", name="Continuer").click()
    elif "/second-facteur/" in page.url:
        page.get_by_label("Code à usage unique").fill(code_totp(email, confirme=True))
        page.get_by_role("button", name="Vérifier").click()


def se_connecter(page, email, mot_de_passe="motdepasse-de-test"):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(mot_de_passe)
    page.get_by_role("button", name="Se connecter").click()
    second_facteur(page, email)
