"""Réglages du processus de tâches lancé par les tests de pannes : ceux des tests, file en base."""

from config.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SENACS_BAIL_TACHES = 2
