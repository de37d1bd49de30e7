"""Chaque compte affiché par `senacs demo` se connecte, accepte la charte et arrive sur son accueil."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.demo import MOT_DE_PASSE_DEMO
from senacs.demo.selectors import comptes_demo

ACCUEIL_ATTENDU = {
    "structure": "Votre structure",
    "correspondant": "Suivi de la collecte",
    "national": "Comité technique national",
    "expire": "Vous n'avez aucun mandat en cours",
}


@pytest.fixture
def demo_chargee(db):
    call_command("demo", "--sans-serveur", "--taille", "0.1", stdout=io.StringIO())


def test_every_printed_account_logs_in_accepts_the_charter_and_lands_on_its_home_page(demo_chargee):
    comptes = comptes_demo()
    assert len(comptes) == 20
    exigeants = {c.email.split("@")[0] for c in comptes if c.second_facteur}
    assert {"national", "correspondant.caf.69", "preparateur.69"} <= exigeants
    assert not any(e.startswith(("structure.", "copil.", "invite.")) for e in exigeants)
    for compte in comptes:
        client = Client()
        reponse = client.post("/connexion/", {"username": compte.email, "password": MOT_DE_PASSE_DEMO})
        assert reponse.status_code == 302, compte.email

        reponse = client.get("/", follow=True)
        if compte.second_facteur:
            # Réponses brutes d'autres structures, national ou administration : inscription du second
            # facteur d'abord (QR code, code de l'application), puis la charte.
            assert reponse.redirect_chain[-1][0].startswith("/second-facteur/inscription/"), compte.email
            appareil = TOTPDevice.objects.get(user__email=compte.email, confirmed=False)
            code = f"{totp(appareil.bin_key, step=appareil.step, t0=appareil.t0, digits=appareil.digits):06d}"
            reponse = client.post("/second-facteur/inscription/", {"code": code})
            assert "Le second facteur est activé." in reponse.content.decode(), compte.email
            reponse = client.get("/", follow=True)
        assert reponse.redirect_chain[-1][0].startswith("/charte/"), compte.email
        assert "Charte d'utilisation des données SENACS" in reponse.content.decode()

        reponse = client.post("/charte/", {"accepte": "on", "suivant": "/"}, follow=True)
        page = reponse.content.decode()
        assert reponse.status_code == 200 and reponse.redirect_chain[-1][0] == "/", compte.email
        assert "Bonjour" in page
        if "mandat expiré" in compte.role:
            assert ACCUEIL_ATTENDU["expire"] in page
        for role, texte in ACCUEIL_ATTENDU.items():
            if compte.email.startswith(f"{role}.") or compte.email.startswith(f"{role}@"):
                assert texte in page, (compte.email, texte)
