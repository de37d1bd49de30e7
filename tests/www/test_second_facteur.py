"""Second facteur (TOTP, codes de secours) : exigé pour les réponses brutes d'autres structures, le
national et l'administration ; inscription à la première connexion (issue 12)."""

import re

import pytest
from django.urls import reverse
from django_otp import devices_for_user
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import MandatFactory, UtilisateurFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sans_second_facteur]

MOT_DE_PASSE = "motdepasse-de-test"


def connecter(client, utilisateur):
    reponse = client.post(reverse("comptes:connexion"), {"username": utilisateur.email, "password": MOT_DE_PASSE})
    assert reponse.status_code == 302


def code(appareil: TOTPDevice) -> str:
    return f"{totp(appareil.bin_key, step=appareil.step, t0=appareil.t0, digits=appareil.digits):06d}"


def test_a_correspondent_enrols_at_first_login_then_gets_recovery_codes(client, correspondant_69):
    connecter(client, correspondant_69)
    reponse = client.get(reverse("accueil"))
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("comptes:inscrire"))
    # Rien d'autre n'est accessible avant l'inscription, ni les données ni la charte.
    assert client.get(reverse("structures:liste"))["Location"].startswith(reverse("comptes:inscrire"))

    page = client.get(reverse("comptes:inscrire"))
    html = page.content.decode()
    assert "<svg" in html and "QR code à scanner" in html
    appareil = TOTPDevice.objects.get(user=correspondant_69, confirmed=False)
    assert "otpauth://totp/SENACS" in appareil.config_url

    refus = client.post(reverse("comptes:inscrire"), {"code": "000000" if code(appareil) != "000000" else "111111"})
    assert refus.status_code == 400 and "Ce code n&#x27;est pas le bon" in refus.content.decode()
    # Après un échec, django-otp impose un délai avant l'essai suivant : on le laisse passer.
    appareil.refresh_from_db()
    assert appareil.throttling_failure_count == 1
    appareil.throttle_reset()

    reponse = client.post(reverse("comptes:inscrire"), {"code": code(appareil), "suivant": "/structures/"})
    codes = re.findall(r"<li><code>(\w+)</code></li>", reponse.content.decode())
    assert len(codes) == 10 and "Le second facteur est activé." in reponse.content.decode()
    appareil.refresh_from_db()
    assert appareil.confirmed
    assert client.get(reverse("structures:liste")).status_code == 200

    # Connexion suivante : le code est demandé ; un code de secours sert une fois.
    client.logout()
    connecter(client, correspondant_69)
    assert client.get(reverse("accueil"))["Location"].startswith(reverse("comptes:verifier"))
    assert client.post(reverse("comptes:verifier"), {"code": codes[0]}).status_code == 302
    assert client.get(reverse("structures:liste")).status_code == 200
    client.logout()
    connecter(client, correspondant_69)
    assert client.post(reverse("comptes:verifier"), {"code": codes[0]}).status_code == 400
    for appareil in devices_for_user(correspondant_69):
        appareil.throttle_reset()  # le délai imposé après un échec est passé
    assert client.post(reverse("comptes:verifier"), {"code": codes[1]}).status_code == 302


@pytest.mark.parametrize("persona", ["national", "preparateur_69", "correspondant_region_84"])
def test_national_and_raw_data_roles_need_a_second_factor(client, request, persona):
    connecter(client, request.getfixturevalue(persona))
    assert client.get(reverse("accueil"))["Location"].startswith(reverse("comptes:inscrire"))


@pytest.mark.parametrize("persona", ["usager_structure_69", "copil_69", "invite_69"])
def test_structures_copil_members_and_guests_are_not_asked_for_one(client, request, persona):
    connecter(client, request.getfixturevalue(persona))
    assert client.get(reverse("accueil")).status_code == 200


def test_the_django_admin_needs_the_second_factor_too(client):
    admin = UtilisateurFactory(is_staff=True, is_superuser=True, charte=True)
    MandatFactory(utilisateur=admin, role="admin", niveau="nation", departement=None, organisme="national")
    connecter(client, admin)
    assert client.get("/admin/")["Location"].startswith(reverse("comptes:inscrire"))


def test_the_next_page_never_leaves_the_site(client, correspondant_69):
    connecter(client, correspondant_69)
    client.get(reverse("comptes:inscrire"))
    appareil = TOTPDevice.objects.get(user=correspondant_69)
    reponse = client.post(reverse("comptes:inscrire"), {"code": code(appareil), "suivant": "https://pirate.example/"})
    assert "pirate" not in reponse.content.decode()
