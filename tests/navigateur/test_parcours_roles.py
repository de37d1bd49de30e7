"""Le parcours de chaque rôle dans un vrai navigateur, avec les corrections de l'usage quotidien :
structure, correspondant, COPIL et préparateur, national, invité, public. Chaque page vue passe axe-core
(aucune violation « serious » ou « critical ») et est photographiée à 1 280 et 390 px de large
(``<parcours>-<page>-<largeur>.png``) : dans un dossier temporaire par défaut, dans ``docs/captures/``
avec ``SENACS_CAPTURES=docs/captures`` (pour mettre à jour les captures de la documentation sans salir
l'arbre à chaque passage des tests)."""

import datetime
import os
import re
import tempfile
from pathlib import Path

import pytest
from django.conf import settings as reglages
from django.urls import reverse
from django.utils import timezone

from senacs.controles.models import Signalement
from senacs.controles.services import controle_lancer, interpellation_ouvrir
from senacs.copil.models import Cote
from senacs.copil.services import copil_pour, invite_ajouter, membre_ajouter
from senacs.reponses.models import Reponse
from senacs.statistiques.services import diffusion_publier
from tests.controles.fabriques import campagne_controle, reponse_deposee
from tests.factories import MandatFactory, StructureFactory, UtilisateurFactory
from tests.navigateur.outils import se_connecter, violations_graves
from tests.statistiques.fabriques import campagne_statistiques

pytestmark = pytest.mark.django_db(transaction=True)

CAPTURES = (
    Path(reglages.BASE_DIR) / os.environ["SENACS_CAPTURES"]
    if os.environ.get("SENACS_CAPTURES")
    else Path(tempfile.gettempdir()) / "senacs-captures"
)
LARGEURS = (1280, 390)


def verifier(page, axe, parcours: str, nom: str) -> None:
    """axe sans violation grave, puis captures pleine page à 1 280 et 390 px (le menu replié à 390)."""
    assert "Page introuvable" not in page.title(), f"{parcours}/{nom} : {page.url}"
    assert violations_graves(axe.run(page)) == [], f"{parcours}/{nom}"
    CAPTURES.mkdir(parents=True, exist_ok=True)
    for largeur in LARGEURS:
        page.set_viewport_size({"width": largeur, "height": 900 if largeur > 500 else 844})
        page.wait_for_timeout(50)
        if largeur == 390 and page.locator("#menu-principal").count():
            bouton = page.get_by_role("button", name=re.compile("^Menu"))
            bouton.wait_for(state="visible", timeout=3000)
            assert not page.locator("#menu-principal").is_visible()  # replié : le contenu d'abord
            bouton.click()
            assert page.locator("#menu-principal").is_visible() and bouton.get_attribute("aria-expanded") == "true"
            bouton.click()
        page.screenshot(path=str(CAPTURES / f"{parcours}-{nom}-{largeur}.png"), full_page=True)
        if largeur == 390:
            # Aucune page plus large que l'écran : les tableaux défilent dans leur cadre.
            larges = page.evaluate(
                "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > "
                "document.documentElement.clientWidth + 1 && !(e.parentElement && "
                "e.parentElement.closest('.tableau-conteneur'))).slice(0, 8).map(e => e.tagName + '.' + "
                "e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
            )
            assert page.evaluate("document.documentElement.scrollWidth") <= largeur + 1, f"{parcours}/{nom} {larges}"
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def controle():
    campagne = campagne_controle(2025)
    structure = StructureFactory(nom="Centre social Charles-Péguy", email="accueil@peguy.fr")
    reponse = reponse_deposee(campagne, structure, E01=3, E02=9.0)
    propre = reponse_deposee(campagne, StructureFactory(nom="Centre social Léo-Lagrange"))
    controle_lancer(campagne=campagne)
    correspondant = UtilisateurFactory(email="claire.dupont@caf69.fr", prenom="Claire", nom="Dupont", charte=True)
    MandatFactory(utilisateur=correspondant, role="correspondant", niveau="departement")
    directrice = UtilisateurFactory(email="direction@peguy.fr", prenom="Inès", nom="Morel", charte=True)
    MandatFactory(
        utilisateur=directrice,
        role="structure",
        niveau="structure",
        departement=None,
        structure=structure,
        organisme="structure",
    )
    s = Signalement.objects.get(reponse=reponse, code="R01")
    interpellation_ouvrir(
        reponse=reponse,
        texte=s.message,
        echeance=timezone.localdate() + datetime.timedelta(days=10),
        signalement=s,
        par=correspondant,
        organisme="Caf du Rhône",
        questions=["E01", "E02"],
    )
    return reponse, propre


def test_structure_journey(page, axe, controle):
    se_connecter(page, "direction@peguy.fr")
    assert "question de votre correspondant à laquelle répondre" in page.locator("#titre-a-faire + ul").inner_text()
    assert page.locator(".nav-a-faire .compteur").first.inner_text().startswith("1")
    verifier(page, axe, "structure", "accueil")
    page.get_by_role("link", name=re.compile("question de votre correspondant")).click()
    etape = page.locator('.frise li[aria-current="step"]')
    assert "à vous de répondre" in etape.inner_text().lower() and "fait" not in etape.inner_text().lower()
    verifier(page, axe, "structure", "ma-reponse")
    page.get_by_role("link", name=re.compile(r"^N° \d+")).first.click()
    page.get_by_label(re.compile("E01")).first.fill("12.000")
    page.get_by_role("button", name="Enregistrer la correction").click()
    assert "E01 : 3 → 12\u00a0000" in page.locator("main").inner_text()  # « 12.000 » lu douze mille
    verifier(page, axe, "structure", "interpellation")


def test_correspondent_journey(page, axe, controle):
    _, propre = controle
    se_connecter(page, "claire.dupont@caf69.fr")
    assert "réponses déposées à contrôler et valider" in page.locator("#titre-a-faire + ul").inner_text()
    verifier(page, axe, "correspondant", "accueil")
    page.goto(reverse("campagnes:suivi"))
    verifier(page, axe, "correspondant", "suivi")
    page.get_by_role("link", name=re.compile("Valider ou interpeller — Centre social Léo-Lagrange")).click()
    assert "Réponses de la structure" in page.locator("main").inner_text()
    page.get_by_label("Chercher une question").fill("salaries")
    assert "question" in page.locator("#recherche-questions-statut").inner_text()
    assert page.get_by_label(re.compile("^E01 — Nombre total de salariés")).is_visible()  # « salaries » sans accent
    assert not page.get_by_label(re.compile("^E09 ")).is_visible()
    verifier(page, axe, "correspondant", "controle-reponse")
    page.get_by_role("button", name="Valider la réponse…").click()
    verifier(page, axe, "correspondant", "confirmer-validation")
    page.get_by_role("button", name="Oui, valider la réponse").click()
    assert "est validée" in page.get_by_role("status").inner_text()
    assert Reponse.objects.get(pk=propre.pk).statut == "validee"
    page.goto("/controle/2025/relances/?nature=non_deposee")
    verifier(page, axe, "correspondant", "relances")
    page.goto("/controle/2025/")
    verifier(page, axe, "correspondant", "tableau-de-bord")


@pytest.fixture
def diffusion(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    jeu = campagne_statistiques()
    diffusion_publier(campagne=jeu.campagne)
    copil = copil_pour("departement", "69")
    membre = UtilisateurFactory(email="membre.copil@caf69.fr", prenom="Claire", nom="Dupont", charte=True)
    membre_ajouter(copil=copil, utilisateur=membre, cote=Cote.CAF)
    invitee = UtilisateurFactory(email="invitee@centre.fr", prenom="Inès", nom="Morel", charte=True)
    invite_ajouter(copil=copil, utilisateur=invitee, qualite="Centre invité")
    national = UtilisateurFactory(email="national@senacs.fr", prenom="Paul", nom="Martin", charte=True)
    MandatFactory(utilisateur=national, role="national", niveau="nation", departement=None, organisme="national")
    return copil


def test_copil_and_preparer_journey(page, axe, diffusion):
    se_connecter(page, "membre.copil@caf69.fr")
    main = page.locator("main").inner_text()
    assert "pas encore disponibles" not in main and "disponibles pour la campagne 2025" in main
    verifier(page, axe, "copil", "accueil")
    page.goto("/analyses/?indicateur=budget_moyen&territoire=D:69&dimension1=&campagne=2025")
    assert page.locator("table.tableau-analyse td .analyse-valeur").first.inner_text() != "–"
    verifier(page, axe, "copil", "analyse-sans-ventilation")
    page.goto(reverse("tendances:index"))
    verifier(page, axe, "copil", "tendances-carte")


def test_national_journey(page, axe, diffusion):
    se_connecter(page, "national@senacs.fr")
    verifier(page, axe, "national", "accueil")
    page.goto(reverse("campagnes:suivi"))
    verifier(page, axe, "national", "suivi")
    page.goto(reverse("tableaux:index"))
    verifier(page, axe, "national", "tableaux")


def test_guest_journey(page, axe, diffusion):
    from senacs.analyses.services import analyse_enregistrer, analyse_partager
    from senacs.comptes.models import Utilisateur

    membre = Utilisateur.objects.get(email="membre.copil@caf69.fr")
    analyse = analyse_enregistrer(
        par=membre,
        nom="Budget moyen par type",
        definition={"indicateur": "budget_moyen", "territoire": "D:69", "dimensions": ["type"], "campagnes": [2025]},
        copil=diffusion,
    )
    analyse_partager(analyse=analyse, par=membre, avec_invites=True)
    se_connecter(page, "invitee@centre.fr")
    main = page.locator("main").inner_text()
    assert "Aucun document n'est partagé" not in main and "Budget moyen par type" in main
    verifier(page, axe, "invite", "accueil")
    page.get_by_role("link", name="Budget moyen par type").first.click()
    verifier(page, axe, "invite", "analyses")


def test_public_journey(page, axe):
    StructureFactory(nom="Centre social Charles-Péguy")
    page.goto(reverse("annuaire:departements"))
    verifier(page, axe, "public", "annuaire")
    page.goto(reverse("publications:publiques"))
    verifier(page, axe, "public", "plaquettes")
