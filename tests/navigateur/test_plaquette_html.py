"""La version HTML d'une plaquette, dans un vrai navigateur : aucune violation axe (WCAG 2.1 AA)."""

from pathlib import Path

import pytest

from core.plaquette.construction import construire
from core.plaquette.rendu import rendre_html
from tests.core.plaquette_exemple import cellules_exemple, entrees

pytestmark = pytest.mark.navigateur

CSS = Path(__file__).resolve().parents[2] / "senacs" / "static" / "senacs" / "senacs.css"


def test_the_html_version_has_no_axe_violation(navigateur):
    """Navigateur de session (conftest) : un second Playwright synchrone dans le même processus est refusé."""
    from axe_playwright_python.sync_playwright import Axe

    contenu = construire(entrees(cellules_exemple()))
    html = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Plaquette</title>'
        f"<style>{CSS.read_text(encoding='utf-8')}</style></head><body><main>{rendre_html(contenu)}</main></body></html>"
    )
    contexte = navigateur.new_context(locale="fr-FR")
    try:
        page = contexte.new_page()
        page.set_content(html)
        assert page.locator("svg[role=img] title").count() >= 3
        assert page.get_by_role("img", name="Modes de gestion").count() == 1
        assert page.locator("script").count() == 0
        resultat = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
        violations = [(v["id"], len(v["nodes"])) for v in resultat.response["violations"]]
        assert violations == []
    finally:
        contexte.close()
