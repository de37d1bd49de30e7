"""Lecture typée des variables d'environnement (échoue bruyamment sur une valeur invalide)."""

import os

from django.core.exceptions import ImproperlyConfigured

_VRAI = {"1", "true", "yes", "on", "oui", "vrai"}
_FAUX = {"0", "false", "no", "off", "non", "faux", ""}


def envbool(nom: str, defaut: bool) -> bool:
    valeur = os.environ.get(nom)
    if valeur is None:
        return defaut
    valeur = valeur.strip().lower()
    if valeur in _VRAI:
        return True
    if valeur in _FAUX:
        return False
    raise ImproperlyConfigured(f"{nom} doit valoir true/false (reçu : {valeur!r}).")


def envint(nom: str, defaut: int) -> int:
    valeur = os.environ.get(nom)
    if valeur is None or valeur.strip() == "":
        return defaut
    try:
        return int(valeur)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{nom} doit être un entier (reçu : {valeur!r}).") from exc


def envstr(nom: str, defaut: str = "") -> str:
    return os.environ.get(nom, defaut)


def envlist(nom: str, defaut: list[str]) -> list[str]:
    valeur = os.environ.get(nom)
    if valeur is None:
        return defaut
    return [v.strip() for v in valeur.split(",") if v.strip()]
