"""Ce qui attend chaque personne : liste « À faire » de la page d'accueil, compteur du menu, choix des
courriels (tout de suite ou récapitulatif quotidien) et commande ``senacs notifier``."""

import datetime
from html import unescape

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from senacs.comptes.a_faire import a_faire
from senacs.comptes.models import Mandat, Notifications
from senacs.comptes.selectors import perimetre_de
from senacs.controles.models import Interpellation, Signalement
from senacs.controles.services import controle_lancer, interpellation_ouvrir
from tests.controles.fabriques import campagne_controle, reponse_deposee

pytestmark = pytest.mark.django_db


@pytest.fixture
def campagne(db):
    return campagne_controle(2025)


@pytest.fixture
def interpellation(campagne, structure_69, correspondant_69):
    r = reponse_deposee(campagne, structure_69, E01=3, E02=9.0)
    controle_lancer(campagne=campagne)
    s = Signalement.objects.get(reponse=r, code="R01")
    return interpellation_ouvrir(
        reponse=r,
        texte=s.message,
        echeance=timezone.localdate() + datetime.timedelta(days=10),
        signalement=s,
        par=correspondant_69,
        organisme="Caf du Rhône",
    )


def _accueil(client, utilisateur) -> str:
    client.force_login(utilisateur)
    page = client.get(reverse("accueil"))
    assert page.status_code == 200
    return unescape(page.content.decode())


def test_the_structure_sees_the_query_waiting_for_it_on_its_home_page_and_in_the_menu(
    client, usager_structure_69, interpellation
):
    html = _accueil(client, usager_structure_69)
    assert 'id="titre-a-faire"' in html
    assert "<strong>1</strong> question de votre correspondant à laquelle répondre" in html
    assert reverse("controles:ma_reponse", args=[2025]) in html
    assert 'class="nav-a-faire">À faire <span class="compteur">1<' in html
    # Et la page de sa réponse ne dit plus « fait » pour l'étape en cours.
    page = client.get(reverse("controles:ma_reponse", args=[2025])).content.decode()
    assert "à vous de répondre" in page


def test_the_correspondent_sees_the_responses_to_validate(client, correspondant_69, interpellation):
    html = _accueil(client, correspondant_69)
    assert "réponse déposée à contrôler et valider" in html
    assert reverse("campagnes:suivi") + "?etat=soumise" in html


@pytest.fixture
def correspondant_01(db):
    from senacs.territoires.models import Departement
    from tests.factories import MandatFactory

    return MandatFactory(departement=Departement.objects.get(code="01")).utilisateur


def test_nothing_waits_for_someone_outside_the_perimeter(client, correspondant_01, interpellation):
    assert a_faire(correspondant_01, perimetre_de(correspondant_01)) == []
    html = _accueil(client, correspondant_01)
    assert "Rien ne vous attend pour l'instant." in html and 'class="compteur"' not in html


def test_a_mandate_ending_soon_is_announced(client, correspondant_69):
    Mandat.objects.filter(utilisateur=correspondant_69).update(
        date_fin=timezone.localdate() + datetime.timedelta(days=10)
    )
    html = _accueil(client, correspondant_69)
    assert "mandat qui finit d'ici 30 jours" in html and "bientôt fini" in html


def test_a_user_chooses_a_daily_digest_and_gets_no_immediate_mail(
    client, usager_structure_69, correspondant_69, campagne, structure_69
):
    client.force_login(usager_structure_69)
    assert client.post(reverse("comptes:notifications"), {"notifications": "pirate"}).status_code == 400
    client.post(reverse("comptes:notifications"), {"notifications": "quotidien"})
    usager_structure_69.refresh_from_db()
    assert usager_structure_69.notifications == Notifications.QUOTIDIEN

    r = reponse_deposee(campagne, structure_69, E01=3, E02=9.0)
    mail.outbox.clear()
    Interpellation.objects.all().delete()
    interpellation_ouvrir(
        reponse=r,
        texte="Pouvez-vous vérifier ?",
        echeance=timezone.localdate() + datetime.timedelta(days=10),
        par=correspondant_69,
        organisme="Caf du Rhône",
    )
    assert all(usager_structure_69.email not in m.to for m in mail.outbox)

    call_command("notifier")
    (recap,) = [m for m in mail.outbox if usager_structure_69.email in m.to]
    assert recap.subject == "[SENACS] 1 travail en attente"
    assert "1 question de votre correspondant à laquelle répondre" in recap.body
    assert reverse("controles:ma_reponse", args=[2025]) in recap.body


def test_immediate_is_the_default_and_gets_no_digest(usager_structure_69, interpellation):
    mail.outbox.clear()
    call_command("notifier")
    assert all(usager_structure_69.email not in m.to for m in mail.outbox)


def test_the_preferences_page_needs_a_login(client):
    page = client.get(reverse("comptes:notifications"))
    assert page.status_code == 302 and reverse("comptes:connexion") in page["Location"]
