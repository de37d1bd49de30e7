"""Tests dans un vrai navigateur : Chromium de Debian piloté par Playwright, contre le serveur de test."""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS_CHROMIUM = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/navigateur/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.navigateur)


@pytest.fixture(scope="session")
def navigateur():
    # Playwright fait tourner une boucle asyncio dans ce fil : l'ORM de Django doit l'accepter ici.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium est introuvable : lancez `make navigateur` (paquet Debian « chromium »).")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS_CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def referentiel(transactional_db):
    """Les tests transactionnels vident la base à la fin : on recharge le référentiel s'il manque."""
    from senacs.territoires.models import Caf, Departement, Region
    from senacs.territoires.referentiel import referentiel_charger

    if Departement.objects.count() != 101:
        referentiel_charger(Region, Departement, Caf)


@pytest.fixture
def page(navigateur, live_server):
    contexte = navigateur.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    page = contexte.new_page()
    page.set_default_timeout(15_000)
    yield page
    contexte.close()


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()
