"""Le cycle du contrôle de cohérence dans un vrai navigateur : le correspondant interpelle depuis une
anomalie, la structure (dans un autre navigateur) corrige la réponse, le correspondant résout puis
valide ; le tableau de bord et la page de l'interpellation n'ont aucune violation grave d'accessibilité."""

import re

import pytest

from senacs.controles.services import controle_lancer
from senacs.reponses.models import Reponse
from tests.controles.fabriques import campagne_controle, reponse_deposee
from tests.factories import MandatFactory, StructureFactory, UtilisateurFactory
from tests.navigateur.outils import se_connecter, violations_graves

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene():
    campagne = campagne_controle(2025)
    structure = StructureFactory(nom="Centre social de la Croix-Rousse", email="accueil@croix-rousse.fr")
    reponse = reponse_deposee(campagne, structure, E01=3, E02=9.0)
    reponse_deposee(campagne, StructureFactory(nom="Centre social des Pentes"))
    controle_lancer(campagne=campagne)
    correspondant = UtilisateurFactory(email="claire.dupont@caf69.fr", prenom="Claire", nom="Dupont", charte=True)
    MandatFactory(utilisateur=correspondant, role="correspondant", niveau="departement")
    directrice = UtilisateurFactory(email="direction@croix-rousse.fr", prenom="Inès", nom="Morel", charte=True)
    MandatFactory(
        utilisateur=directrice,
        role="structure",
        niveau="structure",
        departement=None,
        structure=structure,
        organisme="structure",
    )
    return reponse


def test_a_query_goes_from_an_anomaly_to_a_correction_to_a_validation(page, axe, navigateur, live_server, scene):
    # Le correspondant ouvre le tableau de bord et interpelle la structure depuis l'anomalie R01, en un clic.
    se_connecter(page, "claire.dupont@caf69.fr")
    page.goto("/controle/2025/")
    assert page.get_by_role("heading", level=1).inner_text() == "Contrôle de cohérence — campagne 2025"
    assert violations_graves(axe.run(page)) == []
    page.get_by_role("button", name="Interpeller Centre social de la Croix-Rousse sur R01").click()
    page.wait_for_url(re.compile(r"/controle/2025/interpellation/\d+/$"))
    assert "Interpellation envoyée à Centre social de la Croix-Rousse" in page.get_by_role("status").inner_text()
    assert (
        "Le nombre d'ETP (E02 = 9) dépasse le nombre de salariés (E01 = 3)"
        in page.locator(".controle-fil").inner_text()
    )
    assert violations_graves(axe.run(page)) == []
    adresse = page.url

    # La structure, dans un autre navigateur, corrige le nombre de salariés.
    contexte = navigateur.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    structure = contexte.new_page()
    structure.set_default_timeout(15_000)
    se_connecter(structure, "direction@croix-rousse.fr")
    structure.goto("/controle/2025/ma-reponse/")
    structure.get_by_role("link", name=re.compile(r"^N° \d+ — R01$")).click()
    assert structure.url == adresse
    assert violations_graves(axe.run(structure)) == []
    champ = structure.get_by_label("E01 — Nombre total de salariés")
    assert champ.input_value() == "3"
    champ.fill("15")
    structure.get_by_label("Message à votre correspondant").fill("Nous avions compté les seuls CDI.")
    structure.get_by_role("button", name="Enregistrer la correction").click()
    assert "Votre correction est enregistrée" in structure.get_by_role("status").inner_text()
    assert "Répondue" in structure.locator(".chapeau").inner_text()
    contexte.close()

    # Le correspondant voit la correction, résout l'interpellation et valide la réponse.
    page.reload()
    fil = page.locator(".controle-fil").inner_text()
    assert "Correction de la réponse" in fil and "Nous avions compté les seuls CDI." in fil
    assert "E01 : 3 → 15" in fil
    page.get_by_role("button", name="Résoudre l'interpellation").click()
    assert "Interpellation résolue." in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Centre social de la Croix-Rousse").click()
    page.get_by_role("button", name="Valider la réponse…").click()
    assert "verrouillée" in page.get_by_role("heading", level=1).inner_text() or page.url.endswith("/valider/")
    page.get_by_role("button", name="Oui, valider la réponse").click()
    assert "est validée : elle est désormais verrouillée" in page.get_by_role("status").inner_text()
    assert "verrouillée" in page.locator("#titre-etat + p, .carte").first.inner_text()
    reponse = Reponse.objects.get(pk=scene.pk)
    assert reponse.statut == "validee" and reponse.valeurs["E01"] == 15
