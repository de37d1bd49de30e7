"""Aides des tests navigateur : connexion par le formulaire, violations axe graves."""


def violations_graves(resultats) -> list[str]:
    """Violations axe-core « serious » ou « critical », lisibles dans un message d'échec."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in resultats.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def se_connecter(page, email, mot_de_passe="motdepasse-de-test"):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(mot_de_passe)
    page.get_by_role("button", name="Se connecter").click()
