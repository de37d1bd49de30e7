import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from senacs.comptes.models import AcceptationCharte
from tests.factories import CampagneFactory, MandatFactory, UtilisateurFactory

MOT_DE_PASSE = "motdepasse-de-test"


# --- Connexion et déconnexion ---


def test_it_logs_in_with_the_email_whatever_its_case(client, correspondant_69):
    reponse = client.post(
        reverse("comptes:connexion"), {"username": correspondant_69.email.upper(), "password": MOT_DE_PASSE}
    )
    assert reponse.status_code == 302
    assert reponse.url == reverse("accueil")
    assert int(client.session["_auth_user_id"]) == correspondant_69.pk


def test_it_rejects_a_wrong_password_with_a_french_message(client, correspondant_69):
    reponse = client.post(
        reverse("comptes:connexion"), {"username": correspondant_69.email, "password": "pas-le-bon-mot-de-passe"}
    )
    assert reponse.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in reponse.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_rejects_an_inactive_account(client, correspondant_69):
    correspondant_69.is_active = False
    correspondant_69.save()
    reponse = client.post(reverse("comptes:connexion"), {"username": correspondant_69.email, "password": MOT_DE_PASSE})
    assert "_auth_user_id" not in client.session
    assert reponse.status_code == 200


def test_it_logs_out_on_post_only(client, correspondant_69):
    client.force_login(correspondant_69)
    assert client.get(reverse("comptes:deconnexion")).status_code == 405
    assert "_auth_user_id" in client.session
    reponse = client.post(reverse("comptes:deconnexion"), follow=True)
    assert "_auth_user_id" not in client.session
    assert "Vous êtes déconnecté." in reponse.content.decode()
    assert client.get(reverse("accueil")).status_code == 302


# --- Charte : aucune page de données avant son acceptation ---


@pytest.fixture
def pages_de_donnees(structure_69):
    campagne = CampagneFactory(annee=2026)
    return [
        reverse("accueil"),
        reverse("campagnes:liste"),
        reverse("campagnes:suivi"),
        reverse("campagnes:detail", args=[campagne.annee]),
        reverse("structures:liste"),
        reverse("structures:detail", args=[structure_69.pk]),
        f"{reverse('campagnes:suivi')}?departement=69&etat=brouillon",
    ]


def test_it_redirects_to_the_charter_from_every_data_page(client, sans_charte, pages_de_donnees):
    client.force_login(sans_charte)
    for page in pages_de_donnees:
        reponse = client.get(page)
        assert reponse.status_code == 302, page
        assert reponse.url.startswith(f"{reverse('comptes:charte')}?suivant="), page


def test_it_also_blocks_posts_until_the_charter_is_accepted(client, sans_charte):
    campagne = CampagneFactory(annee=2026)
    client.force_login(sans_charte)
    reponse = client.post(
        reverse("campagnes:proroger", args=[campagne.annee]), {"departement": "69", "date_fin_saisie": "2026-05-15"}
    )
    assert reponse.status_code == 302
    assert reponse.url.startswith(reverse("comptes:charte"))
    assert not campagne.prorogations.exists()


def test_it_lands_on_the_requested_page_once_the_charter_is_accepted(client, sans_charte, structure_69):
    client.force_login(sans_charte)
    page = reverse("structures:detail", args=[structure_69.pk])
    charte = client.get(page, follow=True)
    assert charte.redirect_chain[-1][0].startswith(reverse("comptes:charte"))
    assert "Charte d'utilisation des données SENACS" in charte.content.decode()
    reponse = client.post(reverse("comptes:charte"), {"accepte": "on", "suivant": page}, follow=True)
    assert reponse.redirect_chain[-1] == (page, 302)
    assert reponse.status_code == 200
    assert "Centre social de la Croix-Rousse" in reponse.content.decode()
    assert AcceptationCharte.objects.filter(utilisateur=sans_charte).exists()


def test_it_requires_ticking_the_charter_box(client, sans_charte):
    client.force_login(sans_charte)
    reponse = client.post(reverse("comptes:charte"), {"suivant": reverse("accueil")})
    assert reponse.status_code == 200
    assert "Vous devez accepter la charte pour accéder aux données." in reponse.content.decode()
    assert not AcceptationCharte.objects.filter(utilisateur=sans_charte).exists()


def test_it_never_follows_an_external_next_page_after_the_charter(client, sans_charte):
    client.force_login(sans_charte)
    reponse = client.post(reverse("comptes:charte"), {"accepte": "on", "suivant": "https://exemple.com/"})
    assert reponse.status_code == 302
    assert reponse.url == reverse("accueil")


def test_it_asks_again_when_the_charter_version_changes(client, correspondant_69, settings):
    settings.SENACS_CHARTE_VERSION = "2099-1"
    client.force_login(correspondant_69)
    reponse = client.get(reverse("accueil"))
    assert reponse.status_code == 302
    assert reponse.url.startswith(reverse("comptes:charte"))


def test_it_lets_a_user_without_charter_log_in_then_sends_it_to_the_charter(client, structure_69):
    utilisateur = MandatFactory(utilisateur=UtilisateurFactory(email="sans.charte@exemple.fr")).utilisateur
    appareil = TOTPDevice.objects.create(user=utilisateur, name="Application", confirmed=True)
    reponse = client.post(
        reverse("comptes:connexion"), {"username": "Sans.Charte@Exemple.fr", "password": MOT_DE_PASSE}, follow=True
    )
    # Correspondant : le second facteur d'abord, puis la charte.
    assert reponse.redirect_chain[-1][0].startswith(reverse("comptes:verifier"))
    code = f"{totp(appareil.bin_key, step=appareil.step, t0=appareil.t0, digits=appareil.digits):06d}"
    reponse = client.post(reponse.redirect_chain[-1][0], {"code": code}, follow=True)
    assert reponse.redirect_chain[-1][0].startswith(reverse("comptes:charte"))
    assert int(client.session["_auth_user_id"]) == utilisateur.pk
