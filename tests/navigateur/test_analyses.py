"""Analyses thématiques dans un vrai navigateur : un membre du COPIL du Rhône construit une analyse,
l'enregistre et la partage avec les invités ; une invitée du comité l'ouvre dans un autre navigateur.
Le constructeur (formulaire puis résultat), la page de l'analyse et la carte n'ont aucune violation grave
d'accessibilité (axe-core)."""

import re

import pytest

from senacs.copil.models import Cote
from senacs.copil.services import copil_pour, invite_ajouter, membre_ajouter
from senacs.statistiques.services import diffusion_publier
from tests.factories import UtilisateurFactory
from tests.navigateur.outils import se_connecter, violations_graves
from tests.statistiques.fabriques import campagne_statistiques

pytestmark = pytest.mark.django_db(transaction=True)

NOM = "Budget moyen des structures du Rhône"


@pytest.fixture
def scene(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    jeu = campagne_statistiques()
    diffusion_publier(campagne=jeu.campagne)
    copil = copil_pour("departement", "69")
    membre = UtilisateurFactory(email="membre.copil@caf69.fr", prenom="Claire", nom="Dupont", charte=True)
    membre_ajouter(copil=copil, utilisateur=membre, cote=Cote.CAF)
    invitee = UtilisateurFactory(email="invitee@centre.fr", prenom="Inès", nom="Morel", charte=True)
    invite_ajouter(copil=copil, utilisateur=invitee, qualite="Centre invité")
    return copil


def test_a_copil_member_builds_saves_and_shares_an_analysis_that_a_guest_opens(
    page, axe, navigateur, live_server, scene
):
    se_connecter(page, "membre.copil@caf69.fr")
    page.goto("/analyses/")
    assert page.get_by_role("heading", level=1).inner_text() == "Analyses thématiques"
    assert violations_graves(axe.run(page)) == []

    # Construire : indicateur, territoire, campagne, une ventilation.
    page.get_by_label("Indicateur").select_option(label="Total des produits, moyenne par structure")
    page.get_by_label("Territoire").select_option(value="D:69")
    page.get_by_label("2025").check()
    page.get_by_label("Lignes").select_option(label="Type de structure")
    page.get_by_role("button", name="Calculer l'analyse").click()
    page.wait_for_url(re.compile(r"/analyses/\?"))
    tableau = page.locator("table.tableau-analyse").first
    assert "Total des produits, moyenne par structure" in tableau.locator("caption").inner_text()
    assert tableau.get_by_role("rowheader", name="Centre social").is_visible()
    assert tableau.get_by_role("rowheader", name="Ensemble").is_visible()
    assert violations_graves(axe.run(page)) == []

    # Enregistrer, rattachée au comité, puis partager avec les invités.
    page.get_by_label("Nom de l'analyse").fill(NOM)
    page.get_by_label("Comité de pilotage").select_option(value=str(scene.pk))
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/analyses/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == NOM
    adresse = page.url
    page.get_by_role("button", name="Partager avec les invités du COPIL").click()
    page.wait_for_url(adresse)
    assert "partagée avec les membres du comité et avec ses invités" in page.get_by_role("status").inner_text()

    # La carte de la région (tuiles, tableau accessible) n'a pas non plus de violation grave.
    page.goto("/tendances/carte/?territoire=R:84&indicateur=F04|moyenne|")
    assert page.get_by_role("img", name=re.compile("Région Auvergne-Rhône-Alpes")).is_visible()
    page.get_by_role("link", name="Aller au tableau des valeurs de la carte").click()
    assert page.get_by_role("rowheader", name="Rhône (69)").is_visible()
    assert violations_graves(axe.run(page)) == []

    # L'invitée, dans un autre navigateur, la retrouve et l'ouvre.
    contexte = navigateur.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    invitee = contexte.new_page()
    invitee.set_default_timeout(15_000)
    se_connecter(invitee, "invitee@centre.fr")
    invitee.goto("/analyses/enregistrees/")
    invitee.get_by_role("link", name=NOM).click()
    invitee.wait_for_url(adresse)
    assert invitee.get_by_role("heading", level=1).inner_text() == NOM
    assert invitee.locator("table.tableau-analyse caption").first.is_visible()
    assert invitee.get_by_role("button", name=re.compile("Partager")).count() == 0
    assert violations_graves(axe.run(invitee)) == []
    invitee.goto("/analyses/")  # l'invitée ne construit pas d'analyse
    assert invitee.get_by_role("heading", level=1).inner_text() == "Accès refusé"
    contexte.close()
