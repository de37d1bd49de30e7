"""Ce que `docs/architecture.md` et `docs/developpement.md` affirment du code, vérifié."""

import ast
import re
from importlib import import_module
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


LIEN_MARKDOWN = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _documents():
    return [RACINE / "README.md", *sorted((RACINE / "docs").rglob("*.md"))]


def test_every_relative_link_of_the_docs_resolves():
    """Aucun lien des docs ni du README vers un fichier absent du dépôt (notes de conception comprises)."""
    casses = []
    for document in _documents():
        texte = document.read_text(encoding="utf-8")
        for cible in LIEN_MARKDOWN.findall(texte):
            if re.match(r"[a-z]+:", cible) or cible.startswith("#"):
                continue  # lien externe (https:, mailto:) ou ancre de la même page
            chemin = cible.split("#", 1)[0]
            if not (document.parent / chemin).exists():
                casses.append(f"{document.relative_to(RACINE)} → {cible}")
    assert casses == []


def test_the_docs_cite_no_design_note_outside_the_repository():
    """Les notes de conception (design, calibration, style) ne sont pas dans le dépôt : les docs n'y renvoient pas."""
    motif = re.compile(r"(design|calibration|style)(\.md)?\s*§|calibration\.md|design\.md", re.IGNORECASE)
    citations = [
        f"{document.relative_to(RACINE)}:{numero} {ligne.strip()[:80]}"
        for document in _documents()
        for numero, ligne in enumerate(document.read_text(encoding="utf-8").splitlines(), start=1)
        if motif.search(ligne)
    ]
    assert citations == []


def test_the_glossary_names_every_model_and_nothing_still_to_come():
    from django.apps import apps

    glossaire = (RACINE / "docs" / "glossaire.md").read_text(encoding="utf-8")
    noms = set(re.findall(r"`(?:[a-z_]+\.)?([A-Z]\w*)", glossaire))
    modeles = {m.__name__ for m in apps.get_models() if m.__module__.startswith("senacs.")}
    assert len(modeles) > 40
    assert sorted(modeles - noms) == []
    assert "à venir" not in glossaire
    for application, nom in re.findall(r"`([a-z_]+)\.([A-Z]\w*)`", glossaire):
        if application in {c.label for c in apps.get_app_configs()}:  # un nom disparu de l'application
            assert hasattr(import_module(f"senacs.{application}.models"), nom), f"{application}.{nom}"
