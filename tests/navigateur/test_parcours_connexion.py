"""Un nouveau venu se connecte, lit et accepte la charte, puis arrive sur sa page d'accueil."""

from urllib.parse import urlparse

import pytest

from tests.factories import MandatFactory, UtilisateurFactory
from tests.navigateur.outils import se_connecter, violations_graves

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_shows_the_login_page_in_french_without_serious_accessibility_violations(page, axe):
    page.goto("/")
    assert page.url.endswith("/connexion/?next=/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Connexion"
    assert violations_graves(axe.run(page)) == []


def test_a_new_correspondent_accepts_the_charter_then_lands_on_its_home_page(page, axe):
    utilisateur = UtilisateurFactory(email="claire.dupont@caf69.fr", prenom="Claire", nom="Dupont")
    MandatFactory(utilisateur=utilisateur, role="correspondant", niveau="departement")

    se_connecter(page, "Claire.Dupont@caf69.fr")

    assert "/charte/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Charte d'utilisation des données SENACS"
    assert violations_graves(axe.run(page)) == []
    page.get_by_role("button", name="Accepter la charte et continuer").click()
    assert page.locator(".champ__erreur").inner_text().startswith("Vous devez accepter la charte")

    page.get_by_label("J'ai lu la charte").check()
    page.get_by_role("button", name="Accepter la charte et continuer").click()

    assert urlparse(page.url).path == "/"
    assert page.locator(".nav-compte__nom").inner_text() == "Claire Dupont"
    assert page.get_by_role("navigation", name="Navigation principale").is_visible()
    assert violations_graves(axe.run(page)) == []


def test_a_wrong_password_gives_a_french_error(page):
    UtilisateurFactory(email="someone@exemple.fr")
    se_connecter(page, "someone@exemple.fr", "pas-le-bon")
    assert page.get_by_role("alert").inner_text() == "Adresse électronique ou mot de passe incorrect."
