"""Adresse du client pour le blocage des connexions (django-axes).

Par défaut, l'adresse est celle de la connexion (``REMOTE_ADDR``) : un en-tête envoyé par le client
n'est jamais cru. Derrière le frontal documenté (docs/exploitation.md), ``SENACS_EN_TETE_IP_CLIENT``
nomme l'en-tête que *ce frontal* pose (``X-Forwarded-For`` ou ``X-Real-IP``) et
``SENACS_PROXYS_DE_CONFIANCE`` le nombre de frontaux qui y ajoutent une adresse : l'adresse retenue
est celle qu'a vue le premier frontal de confiance (les adresses placées plus à gauche viennent du
client et peuvent être falsifiées).
"""

import ipaddress

from django.conf import settings


def _adresse_valide(texte: str) -> str | None:
    texte = texte.strip()
    try:
        return str(ipaddress.ip_address(texte))
    except ValueError:
        return None


def adresse_client(request) -> str | None:
    distante = request.META.get("REMOTE_ADDR")
    en_tete = getattr(settings, "SENACS_EN_TETE_IP_CLIENT", "")
    if not en_tete:
        return distante
    cle = "HTTP_" + en_tete.upper().replace("-", "_")
    valeur = request.META.get(cle, "")
    adresses = [a for a in valeur.split(",") if a.strip()]
    proxys = max(1, getattr(settings, "SENACS_PROXYS_DE_CONFIANCE", 1))
    if len(adresses) < proxys:
        return distante
    return _adresse_valide(adresses[-proxys]) or distante
