"""Ce que `docs/architecture.md` et `docs/developpement.md` affirment du code, vérifié."""

import ast
import re
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.no_django_db


def _modules_python(dossier: Path):
    for chemin in sorted(dossier.rglob("*.py")):
        yield chemin, ast.parse(chemin.read_text(encoding="utf-8"), filename=str(chemin))


def test_no_test_module_imports_another_test_module():
    """Fixtures dans les conftest.py, aides dans des modules d'aide : importer un module de tests
    en redéfinit les fixtures et lie deux fichiers de tests entre eux."""
    fautes = []
    for chemin, arbre in _modules_python(RACINE / "tests"):
        for noeud in ast.walk(arbre):
            if isinstance(noeud, ast.ImportFrom):
                noms = [noeud.module or ""]
            elif isinstance(noeud, ast.Import):
                noms = [alias.name for alias in noeud.names]
            else:
                continue
            fautes += [
                f"{chemin.relative_to(RACINE)}:{noeud.lineno} {nom}"
                for nom in noms
                if re.fullmatch(r"tests(\.\w+)*\.(test_\w+|conftest)", nom)
            ]
    assert fautes == []


def _vues_routees(motifs, prefixe=""):
    from django.urls import URLPattern, URLResolver

    for motif in motifs:
        if isinstance(motif, URLResolver):
            if motif.app_name == "admin":  # l'administration de Django gère ses transactions elle-même
                continue
            yield from _vues_routees(motif.url_patterns, prefixe + str(motif.pattern))
        elif isinstance(motif, URLPattern):
            yield prefixe + str(motif.pattern), motif.callback


def test_every_routed_view_declares_its_http_modes():
    """Chaque vue du site déclare ses modes : GET en lecture seule et POST atomique
    (``@lecture_get_atomique_post``), ou tout atomique pour une lecture qui écrit (``@get_et_post_atomiques``)."""
    from django.urls import get_resolver

    from senacs.www.decorators import MODES_HTTP, MODES_HTTP_ATOMIQUES

    vues = list(_vues_routees(get_resolver().url_patterns))
    assert len(vues) > 100
    sans_mode = []
    for route, vue in vues:
        classe = getattr(vue, "view_class", None)  # vue générique : le décorateur est posé sur dispatch
        modes = getattr(classe.dispatch if classe else vue, "modes_http", None)
        if modes is not MODES_HTTP and modes is not MODES_HTTP_ATOMIQUES:
            sans_mode.append(f"{route} ({getattr(vue, '__module__', '?')}.{getattr(vue, '__name__', '?')})")
    assert sans_mode == []
