import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# Configuration des adresses (et toutes les vues) importée au démarrage du processus, pas par la première
# requête (0,8 s) ; les adresses sont résolues une fois pour que le résolveur soit prêt.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
get_resolver()._populate()
