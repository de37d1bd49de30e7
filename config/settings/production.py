"""Réglages de production : aucune valeur par défaut dangereuse (SECRET_KEY, ALLOWED_HOSTS obligatoires)."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import ALLOWED_HOSTS, DEBUG

if DEBUG:
    raise ImproperlyConfigured("DEBUG doit être désactivé en production.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS est obligatoire en production (liste séparée par des virgules).")
