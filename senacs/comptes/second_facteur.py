"""Second facteur : application d'authentification (TOTP, RFC 6238) et codes de secours (django-otp).

Exigé (``senacs.comptes.middleware.SecondFacteurMiddleware``) pour les rôles qui ouvrent des réponses
brutes, le national et l'administration. Inscription à la première connexion : la personne scanne le
QR code (ou recopie la clé), saisit un code, et reçoit dix codes de secours à usage unique.
"""

import segno
from django.db import transaction
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

NOM_APPLICATION = "Application d'authentification"
NOM_SECOURS = "Codes de secours"
NOMBRE_CODES_SECOURS = 10


def appareil_a_inscrire(utilisateur) -> TOTPDevice:
    """L'appareil TOTP en attente de confirmation (créé au besoin, même clé tant qu'il n'est pas confirmé)."""
    appareil = TOTPDevice.objects.filter(user=utilisateur, confirmed=False).order_by("pk").first()
    return appareil or TOTPDevice.objects.create(user=utilisateur, name=NOM_APPLICATION, confirmed=False)


def qr_svg(appareil: TOTPDevice) -> str:
    """QR code (SVG en ligne, sans script) de l'adresse otpauth:// de l'appareil."""
    return segno.make(appareil.config_url, error="m").svg_inline(scale=4, title="QR code à scanner")


def cle_lisible(appareil: TOTPDevice) -> str:
    """Clé en base 32, par groupes de quatre, pour une saisie à la main."""
    import base64

    cle = base64.b32encode(appareil.bin_key).decode().rstrip("=")
    return " ".join(cle[i : i + 4] for i in range(0, len(cle), 4))


@transaction.atomic
def inscrire(utilisateur, appareil: TOTPDevice, code: str) -> list[str] | None:
    """Confirme l'appareil si le code est bon ; renvoie les nouveaux codes de secours (None sinon)."""
    if appareil.user_id != utilisateur.pk or appareil.confirmed or not appareil.verify_token(code.replace(" ", "")):
        return None
    appareil.confirmed = True
    appareil.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=utilisateur, confirmed=False).delete()
    return codes_de_secours_renouveler(utilisateur)


@transaction.atomic
def codes_de_secours_renouveler(utilisateur) -> list[str]:
    StaticDevice.objects.filter(user=utilisateur).delete()
    secours = StaticDevice.objects.create(user=utilisateur, name=NOM_SECOURS, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(NOMBRE_CODES_SECOURS)]
    StaticToken.objects.bulk_create([StaticToken(device=secours, token=c) for c in codes])
    return codes


def verifier(utilisateur, code: str):
    """L'appareil qui accepte ce code (un code de secours est consommé), ou None."""
    return match_token(utilisateur, code.replace(" ", "").strip())


def a_un_second_facteur(utilisateur) -> bool:
    return TOTPDevice.objects.filter(user=utilisateur, confirmed=True).exists()
