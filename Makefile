# SENACS — commandes du projet. Deux suffisent sur une machine neuve : `make demo` et `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: demo test installer outils-uv navigateur quality lint format migrations-check clean

outils-uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv

installer: outils-uv
	$(UV) sync --locked --compile-bytecode

## Lance la démo : environnement, migrations, données de démonstration, comptes affichés, serveur sur 127.0.0.1:8000.
demo: installer
	$(BIN)/senacs demo

navigateur:
	@bash scripts/installer-navigateur.sh

## Toute la suite de tests. Les tests navigateur (transactionnels : ils vident la base à chaque test)
## passent dans une seconde invocation, pour ne jamais précéder un test qui compte sur le référentiel.
## `-m` remplace le « not slow » par défaut de pyproject.toml : les tests lents passent ici.
## Couverture mesurée sur les deux invocations, puis comparée au plancher (`fail_under` de pyproject.toml).
test: installer navigateur
	$(BIN)/pytest -n 2 --dist loadfile -m "not navigateur" --cov --cov-report= --cov-fail-under=0
	$(BIN)/pytest -n 2 --dist loadfile -m navigateur --cov --cov-append --cov-report= --cov-fail-under=0
	$(BIN)/coverage report --format=total >/dev/null || { $(BIN)/coverage report --skip-covered --sort=cover | tail -25; exit 1; }
	@echo "Couverture : $$($(BIN)/coverage report --format=total) % (plancher : $$(sed -n 's/^fail_under = //p' pyproject.toml) %)"

quality: installer
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/senacs makemigrations --check --dry-run

format: installer
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var/senacs.sqlite3* .coverage .coverage.*
