"""Commande console `senacs` : les commandes de gestion de Django et celles du projet.

Exemples : `senacs demo`, `senacs demo --sans-serveur`, `senacs migrate`, `senacs structures import …`.
Par défaut les réglages de démonstration (config.settings.dev) ; en production, définir
DJANGO_SETTINGS_MODULE=config.settings.production (voir docs/exploitation.md).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "senacs"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
