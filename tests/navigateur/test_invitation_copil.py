"""Un membre de COPIL invite une personne par courriel depuis la page du comité ; l'invitée choisit son
mot de passe par le lien du courriel (pas de second facteur : elle ne voit aucune réponse brute),
accepte la charte, arrive sur son accueil et ne voit du comité que les documents partagés (issue 12)."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail

from senacs.copil.models import Cote
from senacs.copil.services import copil_pour, membre_ajouter
from tests.factories import UtilisateurFactory
from tests.navigateur.outils import se_connecter, violations_graves

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_copil_member_invites_a_guest_who_sets_a_password_and_lands_home(page, navigateur, live_server, axe):
    copil = copil_pour("departement", "69")
    membre = UtilisateurFactory(email="marc.leroy@caf69.fr", prenom="Marc", nom="Leroy", charte=True)
    membre_ajouter(copil=copil, utilisateur=membre, cote=Cote.CAF)
    mail.outbox.clear()

    se_connecter(page, "marc.leroy@caf69.fr")
    page.goto(f"/copil/{copil.pk}/")
    assert violations_graves(axe.run(page)) == []
    formulaire = page.locator("form", has=page.get_by_role("heading", name="Inviter une personne par courriel"))
    formulaire.get_by_label("Adresse électronique de l'invité").fill("pas-une-adresse")
    formulaire.get_by_role("button", name="Inviter par courriel").click()
    assert "n'est pas valide" in page.content()
    assert violations_graves(axe.run(page)) == []

    formulaire = page.locator("form", has=page.get_by_role("heading", name="Inviter une personne par courriel"))
    formulaire.get_by_label("Adresse électronique de l'invité").fill("ines.morel@centre-social.fr")
    formulaire.get_by_label("Prénom").fill("Inès")
    formulaire.get_by_label("Nom", exact=True).fill("Morel")
    formulaire.get_by_label("Qualité").fill("Centre social")
    formulaire.get_by_role("button", name="Inviter par courriel").click()
    assert "est invité du comité" in page.get_by_role("status").first.inner_text()

    (courriel,) = mail.outbox
    assert courriel.to == ["ines.morel@centre-social.fr"]
    lien = re.search(r"(/compte/nouveau-mot-de-passe/\S+/)", courriel.body).group(1)

    contexte = navigateur.new_context(base_url=live_server.url, locale="fr-FR")
    invitee = contexte.new_page()
    invitee.set_default_timeout(15_000)
    invitee.goto(lien)
    assert invitee.get_by_role("heading", level=1).inner_text() == "Choisir votre mot de passe"
    invitee.get_by_label(re.compile(r"^Nouveau mot de passe")).fill("un-mot-de-passe-solide-2026")
    invitee.get_by_label(re.compile(r"^Confirmez le nouveau mot de passe")).fill("un-mot-de-passe-solide-2026")
    invitee.get_by_role("button", name="Enregistrer le mot de passe").click()

    assert "/charte/" in invitee.url  # pas de second facteur pour un invité
    invitee.get_by_label("J'ai lu la charte").check()
    invitee.get_by_role("button", name="Accepter la charte et continuer").click()
    assert urlparse(invitee.url).path == "/"
    assert "jamais accessibles aux invités" in invitee.content()
    invitee.goto(f"/copil/{copil.pk}/")
    assert "Documents partagés" in invitee.content() and "Marc Leroy" not in invitee.content()
    contexte.close()
