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
