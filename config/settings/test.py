"""Réglages des tests."""

import os

os.environ.setdefault("SECRET_KEY", "tests-uniquement")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import STORAGES  # noqa: E402

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # rapide ; argon2 est testé à part
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
AXES_ENABLED = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Pas de sortie console du journal applicatif pendant les tests (caplog capte toujours les messages à la racine).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"neant": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["neant"], "level": "INFO"},
}
