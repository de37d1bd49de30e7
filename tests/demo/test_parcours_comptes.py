"""Chaque compte affiché par `senacs demo` se connecte, accepte la charte et arrive sur son accueil."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

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
    for compte in comptes:
        client = Client()
        reponse = client.post("/connexion/", {"username": compte.email, "password": MOT_DE_PASSE_DEMO})
        assert reponse.status_code == 302, compte.email

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
