"""Blocage des connexions (django-axes) : par compte ET adresse, adresse du frontal seulement si configuré."""

import pytest
from django.urls import reverse

from tests.factories import MandatFactory

MOT_DE_PASSE = "motdepasse-de-test"
URL = reverse("comptes:connexion")


@pytest.fixture
def admin(db):
    return MandatFactory(role="admin", niveau="nation", departement=None, organisme="national").utilisateur


def connecter(client, utilisateur, mot_de_passe=MOT_DE_PASSE, **en_tetes):
    return client.post(URL, {"username": utilisateur.email, "password": mot_de_passe}, **en_tetes)


def echouer(client, utilisateur, fois=5, **en_tetes):
    for _ in range(fois):
        connecter(client, utilisateur, "mauvais-mot-de-passe", **en_tetes)


def est_bloque(reponse) -> bool:
    return "Connexion temporairement bloquée" in reponse.content.decode()


def test_five_failures_lock_that_account_from_that_address_only(client, correspondant_69, admin):
    echouer(client, correspondant_69, REMOTE_ADDR="203.0.113.5")

    assert est_bloque(connecter(client, correspondant_69, REMOTE_ADDR="203.0.113.5"))
    # Les autres comptes derrière la même adresse (l'administrateur compris) se connectent.
    reponse = connecter(client, admin, REMOTE_ADDR="203.0.113.5")
    assert reponse.status_code == 302 and int(client.session["_auth_user_id"]) == admin.pk
    client.logout()
    # Le compte visé reste ouvert à son titulaire depuis une autre adresse.
    reponse = connecter(client, correspondant_69, REMOTE_ADDR="198.51.100.7")
    assert reponse.status_code == 302 and int(client.session["_auth_user_id"]) == correspondant_69.pk


def test_a_forwarded_header_is_ignored_unless_the_proxy_is_configured(client, correspondant_69, settings):
    settings.SENACS_EN_TETE_IP_CLIENT = ""
    # Un attaquant qui change d'en-tête à chaque essai reste bloqué : l'en-tête n'est pas cru.
    for i in range(5):
        connecter(client, correspondant_69, "mauvais", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    assert est_bloque(connecter(client, correspondant_69, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.9.9.9"))


def test_behind_the_configured_proxy_each_client_has_its_own_address(client, correspondant_69, settings):
    settings.SENACS_EN_TETE_IP_CLIENT = "X-Forwarded-For"
    settings.SENACS_PROXYS_DE_CONFIANCE = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    # Le client falsifie la partie gauche de l'en-tête ; le frontal ajoute l'adresse vue à droite.
    for i in range(5):
        connecter(client, correspondant_69, "mauvais", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}, 203.0.113.5", **proxy)
    assert est_bloque(connecter(client, correspondant_69, HTTP_X_FORWARDED_FOR="10.1.1.1, 203.0.113.5", **proxy))
    # Un autre client derrière le même frontal n'est pas bloqué.
    reponse = connecter(client, correspondant_69, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert reponse.status_code == 302
