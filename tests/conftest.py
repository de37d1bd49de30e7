import datetime

import pytest
from django.conf import settings as reglages
from django.utils import timezone

from senacs.campagnes.models import Phase
from senacs.questionnaires.services import questionnaire_charger_fichier
from senacs.reponses.models import Reponse
from senacs.territoires.models import Departement, Region
from tests.factories import CampagneFactory, MandatFactory, StructureFactory, UtilisateurFactory


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Accès à la base par défaut, sauf pour les tests marqués no_django_db (le cœur en Python pur).

    `tryfirst` : les marques doivent être posées avant que pytest-django ordonne les tests (les tests
    transactionnels, qui vident la base, passent en dernier)."""
    for item in items:
        if "tests/core/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.no_django_db)
        if not item.get_closest_marker("no_django_db") and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(autouse=True)
def _second_facteur_verifie(request, monkeypatch):
    """``client.force_login`` connecte la persona avec un second facteur vérifié (appareil TOTP confirmé,
    comme après la saisie d'un code) : les pages restent testées telles que les voit une personne en
    règle. Les tests du second facteur lui-même portent la marque ``sans_second_facteur``."""
    if request.node.get_closest_marker("sans_second_facteur") or request.node.get_closest_marker("no_django_db"):
        return
    from django.test import Client

    connecter = Client.force_login

    def force_login(self, user, backend=None):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        connecter(self, user, backend)
        appareil = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if appareil is None:
            appareil = TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = appareil.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _journal_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


# --- Personas : une par rôle, sur le Rhône (69) et l'Ain (01), région Auvergne-Rhône-Alpes (84) ---


@pytest.fixture
def structure_69(db):
    return StructureFactory(nom="Centre social de la Croix-Rousse")


@pytest.fixture
def structure_01(db):
    return StructureFactory(
        nom="Espace de vie sociale de Bourg",
        type="EVS",
        departement=Departement.objects.get(code="01"),
        commune_insee="01053",
        commune_nom="Bourg-en-Bresse",
        code_postal="01000",
    )


@pytest.fixture
def structure_35(db):
    return StructureFactory(
        nom="Centre social de Rennes Sud",
        departement=Departement.objects.get(code="35"),
        commune_insee="35238",
        commune_nom="Rennes",
        code_postal="35000",
    )


def _mandat(**kwargs):
    return MandatFactory(**kwargs).utilisateur


@pytest.fixture
def usager_structure_69(structure_69):
    return _mandat(
        role="structure", niveau="structure", departement=None, structure=structure_69, organisme="structure"
    )


@pytest.fixture
def correspondant_69(db):
    return _mandat(role="correspondant", niveau="departement")


@pytest.fixture
def correspondant_expire_69(db):
    return _mandat(
        role="correspondant",
        niveau="departement",
        date_debut=datetime.date(2019, 1, 1),
        date_fin=datetime.date(2020, 12, 31),
    )


@pytest.fixture
def correspondant_region_84(db):
    return _mandat(
        role="correspondant", niveau="region", departement=None, region=Region.objects.get(code="84"), organisme="caf"
    )


@pytest.fixture
def copil_69(db):
    return _mandat(role="copil", niveau="departement")


@pytest.fixture
def preparateur_69(db):
    return _mandat(role="preparateur", niveau="departement")


@pytest.fixture
def invite_69(db):
    return _mandat(role="invite", niveau="departement")


@pytest.fixture
def national(db):
    return _mandat(role="national", niveau="nation", departement=None, organisme="national")


@pytest.fixture
def sans_mandat(db):
    return UtilisateurFactory(charte=True)


@pytest.fixture
def sans_charte(db):
    return MandatFactory(role="correspondant", niveau="departement", utilisateur=UtilisateurFactory()).utilisateur


def recharger_donnees_de_migration() -> None:
    """Référentiel des territoires et comités de pilotage, chargés par les migrations : un test
    transactionnel (qui vide la base à la fin) les remet pour les tests suivants du même processus."""
    import importlib

    from django.apps import apps

    from senacs.territoires.models import Departement

    if Departement.objects.count() == 101:
        return
    importlib.import_module("senacs.territoires.migrations.0002_referentiel").charger(apps, None)
    importlib.import_module("senacs.copil.migrations.0002_copils").creer(apps, None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    marqueur = item.get_closest_marker("django_db")
    transactionnel = marqueur is not None and (
        marqueur.kwargs.get("transaction") or (marqueur.args and marqueur.args[0])
    )
    # Après le dernier test, la base de test est déjà supprimée : rien à recharger.
    if nextitem is not None and transactionnel and "tests/navigateur/" not in str(item.fspath).replace("\\", "/"):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            recharger_donnees_de_migration()


# --- Saisie : la campagne 2026 ouverte et la réponse du Rhône --------------------------------------


@pytest.fixture
def campagne(db):
    """La campagne 2026 en saisie, questionnaire du dépôt (un module peut redéfinir `campagne`)."""
    questionnaire = questionnaire_charger_fichier(reglages.BASE_DIR / "questionnaires" / "2026.yaml")
    jour = timezone.localdate()
    return CampagneFactory(
        annee=2026,
        questionnaire=questionnaire,
        phase=Phase.SAISIE,
        date_ouverture_saisie=jour - datetime.timedelta(days=30),
        date_fin_saisie=jour + datetime.timedelta(days=30),
        date_fin_controle=jour + datetime.timedelta(days=60),
        date_fin_analyse=jour + datetime.timedelta(days=90),
        date_publication=jour + datetime.timedelta(days=120),
    )


@pytest.fixture
def reponse(campagne, structure_69):
    """La réponse (vide) du centre social du Rhône à la campagne."""
    return Reponse.objects.create(campagne=campagne, structure=structure_69)
