"""Réglages : valeurs sûres pour la démo, échecs bruyants en production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.test import override_settings

RACINE = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.no_django_db


def _importer(module: str, **env) -> subprocess.CompletedProcess:
    environnement = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS")}
    environnement.update(env)
    environnement["SENACS_VAR_DIR"] = "/tmp/senacs-test-configuration"
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=RACINE, env=environnement, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret_key():
    resultat = _importer("config.settings.production", ALLOWED_HOSTS="senacs.exemple.fr")
    assert resultat.returncode != 0
    assert "SECRET_KEY est obligatoire" in resultat.stderr


def test_production_refuses_debug_and_missing_allowed_hosts():
    resultat = _importer("config.settings.production", SECRET_KEY="x" * 50, DEBUG="true", ALLOWED_HOSTS="a.fr")
    assert "DEBUG doit être désactivé" in resultat.stderr
    resultat = _importer("config.settings.production", SECRET_KEY="x" * 50)
    assert "ALLOWED_HOSTS est obligatoire" in resultat.stderr


def test_production_starts_with_the_required_variables():
    resultat = _importer("config.settings.production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="senacs.exemple.fr")
    assert resultat.returncode == 0, resultat.stderr


def test_a_malformed_boolean_is_refused_loudly():
    resultat = _importer("config.settings.production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="a.fr", DEBUG="peut-être")
    assert "DEBUG doit valoir true/false" in resultat.stderr


def test_the_demo_settings_need_no_environment_and_default_to_an_sqlite_file_under_var():
    resultat = subprocess.run(
        [sys.executable, "-c", "from config.settings import dev; print(dev.DATABASES['default']['NAME'])"],
        cwd=RACINE,
        env={k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "SENACS_VAR_DIR")},
        capture_output=True,
        text=True,
    )
    assert resultat.returncode == 0, resultat.stderr
    assert resultat.stdout.strip() == str(RACINE / "var" / "senacs.sqlite3")


def test_passwords_are_hashed_with_argon2_by_default():
    from config.settings import base

    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        assert make_password("un mot de passe solide").startswith("argon2$")


def test_the_senacs_console_command_runs_django_management_commands():
    senacs = Path(sys.executable).parent / "senacs"
    resultat = subprocess.run(
        [str(senacs), "check"],
        cwd=RACINE,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert resultat.returncode == 0, resultat.stderr
    assert "System check identified no issues" in resultat.stdout


def test_production_static_files_are_collected_and_every_page_asset_resolves(tmp_path):
    """Avec le stockage « manifest » de production, un fichier statique absent fait une erreur 500 :
    on collecte les fichiers, puis on rend les gabarits principaux avec ce stockage."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "testserver",
        "SENACS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    senacs = str(Path(sys.executable).parent / "senacs")
    collecte = subprocess.run(
        [senacs, "collectstatic", "--noinput", "-v", "0"], cwd=RACINE, env=env, capture_output=True, text=True
    )
    assert collecte.returncode == 0, collecte.stderr
    script = (
        "import django; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from django.test import Client; c = Client();"
        "r = c.get('/connexion/', secure=True); assert r.status_code == 200, r.status_code;"
        "r = c.get('/public/structures/', secure=True); assert r.status_code == 200, r.status_code;"
        "print('ok')"
    )
    rendu = subprocess.run([sys.executable, "-c", script], cwd=RACINE, env=env, capture_output=True, text=True)
    assert rendu.returncode == 0, rendu.stderr[-2000:]
    assert rendu.stdout.strip() == "ok"


def test_the_documented_production_variables_pass_check_deploy_without_warning():
    """Les ``export`` du guide d'exploitation (docs/exploitation.md, « Installation ») suffisent à un
    ``senacs check --deploy`` sans avertissement."""
    import re
    import secrets

    guide = (RACINE / "docs" / "exploitation.md").read_text(encoding="utf-8")
    installation = guide.split("## Installation", 1)[1].split("```", 2)[1]
    variables = dict(re.findall(r"(?:export |\s)([A-Z_]+)=(\S+)", installation))
    assert {"BEHIND_PROXY", "SENACS_EN_TETE_IP_CLIENT", "SECURE_HSTS_SECONDS"} <= variables.keys()
    variables["SECRET_KEY"] = secrets.token_urlsafe(50)
    environnement = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_"))}
    environnement |= variables | {"SENACS_VAR_DIR": "/tmp/senacs-test-configuration"}
    resultat = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy"],
        cwd=RACINE,
        env=environnement,
        capture_output=True,
        text=True,
    )
    assert resultat.returncode == 0, resultat.stderr
    assert "WARNINGS" not in resultat.stderr + resultat.stdout
    assert "System check identified no issues" in resultat.stdout
