"""Un correspondant (second facteur inscrit à sa première connexion) invite une structure depuis le
registre ; la structure choisit son mot de passe par le lien du courriel, accepte la charte et arrive
sur son accueil (issue 12)."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail

from tests.factories import MandatFactory, StructureFactory, UtilisateurFactory
from tests.navigateur.outils import se_connecter, violations_graves

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_correspondent_invites_a_structure_which_sets_its_password_and_lands_home(
    page, navigateur, live_server, axe
):
    correspondante = UtilisateurFactory(email="claire.dupont@caf69.fr", prenom="Claire", nom="Dupont", charte=True)
    MandatFactory(utilisateur=correspondante, role="correspondant", niveau="departement")
    StructureFactory(nom="Centre social des Pentes", email="direction@cs-pentes.fr")
    mail.outbox.clear()

    se_connecter(page, "claire.dupont@caf69.fr")  # inscrit le second facteur (QR code, code, codes de secours)
    page.goto("/compte/inviter-structures/")
    assert violations_graves(axe.run(page)) == []
    page.get_by_label("Centre social des Pentes").check()
    page.get_by_role("button", name="Voir l'aperçu").click()
    assert "direction@cs-pentes.fr" in page.get_by_role("table").inner_text()
    assert violations_graves(axe.run(page)) == []
    page.get_by_role("button", name="Envoyer l'invitation").click()
    assert "1 invitation envoyée." in page.get_by_role("status").first.inner_text()

    (courriel,) = mail.outbox
    assert courriel.to == ["direction@cs-pentes.fr"]
    lien = re.search(r"(/compte/nouveau-mot-de-passe/\S+/)", courriel.body).group(1)

    contexte = navigateur.new_context(base_url=live_server.url, locale="fr-FR")
    structure = contexte.new_page()
    structure.set_default_timeout(15_000)
    structure.goto(lien)
    assert structure.get_by_role("heading", level=1).inner_text() == "Choisir votre mot de passe"
    assert violations_graves(axe.run(structure)) == []
    structure.get_by_label(re.compile(r"^Nouveau mot de passe")).fill("un-mot-de-passe-solide-2026")
    structure.get_by_label(re.compile(r"^Confirmez le nouveau mot de passe")).fill("un-mot-de-passe-solide-2026")
    structure.get_by_role("button", name="Enregistrer le mot de passe").click()

    # Une structure ne voit que ses propres réponses : pas de second facteur exigé, la charte directement.
    assert "/charte/" in structure.url
    structure.get_by_label("J'ai lu la charte").check()
    structure.get_by_role("button", name="Accepter la charte et continuer").click()
    assert urlparse(structure.url).path == "/"
    assert "Centre social des Pentes" in structure.content()
    contexte.close()
