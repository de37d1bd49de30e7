"""Rédaction d'une plaquette dans un vrai navigateur : l'aperçu suit la saisie de l'édito (htmx, région
``aria-live``), l'enregistrement puis la soumission au COPIL ; aucune violation grave d'accessibilité."""

import pytest

from senacs.copil.models import Cote
from senacs.copil.services import copil_pour, membre_ajouter
from senacs.publications.models import Plaquette, Statut
from tests.factories import CampagneFactory, UtilisateurFactory
from tests.navigateur.outils import se_connecter, violations_graves

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    CampagneFactory(annee=2025, phase="analyse")
    copil = copil_pour("departement", "69")
    membre = UtilisateurFactory(email="claire.dupont@caf69.fr", prenom="Claire", nom="Dupont", charte=True)
    membre_ajouter(copil=copil, utilisateur=membre, cote=Cote.CAF)
    return membre


def test_a_member_writes_an_edito_with_live_preview_and_submits_it(page, axe, scene):
    se_connecter(page, "claire.dupont@caf69.fr")
    page.goto("/plaquettes/2025/D69/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Plaquette Rhône (69)")
    assert violations_graves(axe.run(page)) == []

    page.get_by_label("Édito").fill("Un édito **engagé** :\n\n- la participation\n- le bénévolat")
    apercu = page.locator("#apercu-edito")
    apercu.locator("strong", has_text="engagé").wait_for()
    assert apercu.get_attribute("aria-live") == "polite"
    assert apercu.locator("li").all_inner_texts() == ["la participation", "le bénévolat"]

    page.get_by_label("Édito").fill("Un titre interdit :\n\n# Titre")
    apercu.locator(".apercu__erreurs").wait_for()
    page.get_by_label("Édito").fill("Un édito **engagé**.")
    apercu.locator("strong", has_text="engagé").wait_for()

    page.get_by_role("button", name="Enregistrer les textes").click()
    assert "Plaquette enregistrée" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Soumettre au COPIL").click()
    assert "Plaquette soumise au COPIL" in page.get_by_role("status").inner_text()
    assert "Soumise au COPIL" in page.locator(".chapeau").inner_text()
    assert violations_graves(axe.run(page)) == []

    p = Plaquette.objects.get()
    assert p.statut == Statut.SOUMISE and p.textes == {"edito": "Un édito **engagé**."}


def test_the_public_page_lists_a_published_plaquette_without_login(page, axe, scene, monkeypatch):
    from senacs.comptes.selectors import perimetre_de
    from senacs.publications import services

    monkeypatch.setattr(
        services, "rendre", lambda p, **kw: (b"%PDF-1.7 simulation", f"<article><h2>{p.libelle}</h2></article>")
    )
    monkeypatch.setattr("senacs.statistiques.services.publication_autorisee", lambda c, recontroler=False: True)
    federation = UtilisateurFactory(email="fede@centres-sociaux.fr", charte=True)
    membre_ajouter(copil=copil_pour("departement", "69"), utilisateur=federation, cote=Cote.FEDERATION)
    p = services.plaquette_obtenir(CampagneFactory(annee=2025), "D:69")
    for fonction, qui in (
        (services.plaquette_soumettre, scene),
        (services.plaquette_approuver, scene),
        (services.plaquette_approuver, federation),
        (services.plaquette_publier, scene),
    ):
        p = fonction(plaquette=p, par=qui, perimetre=perimetre_de(qui))

    page.goto("/plaquettes/publiques/")

    assert page.get_by_role("heading", level=1).inner_text() == "Plaquettes publiées des territoires"
    ligne = page.get_by_role("row", name="Rhône (69)")
    assert "PDF accessible" in ligne.inner_text()
    assert violations_graves(axe.run(page)) == []
    ligne.get_by_role("link", name="Version HTML de la plaquette Rhône (69) 2025").click()
    assert page.get_by_role("heading", level=2).inner_text() == "Rhône (69)"
    assert violations_graves(axe.run(page)) == []
