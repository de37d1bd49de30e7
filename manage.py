#!/usr/bin/env python3
"""Équivalent de la commande `senacs` pour qui préfère `python manage.py`."""

from senacs.cli import main

if __name__ == "__main__":
    main()
