"""Comptes sans l'administration : invitations, mot de passe, mon compte, mandats à double validation,
rappels de fin, désactivation (issue 12)."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from senacs.comptes.models import Mandat, Utilisateur
from senacs.comptes.selectors import perimetre_de
from senacs.comptes.services import ErreurMandat, mandat_accorder, mandat_approuver, mandats_rappeler
from senacs.territoires.models import Caf, Departement
from tests.factories import MandatFactory, StructureFactory

MOT_DE_PASSE = "un-mot-de-passe-solide-2026"


def lien_du_courriel(message) -> str:
    return re.search(r"(/compte/nouveau-mot-de-passe/\S+/)", message.body).group(1)


@pytest.fixture
def national_bis(db):
    return MandatFactory(role="national", niveau="nation", departement=None, organisme="national").utilisateur


def accorder_correspondant(client, email="nouvelle@caf69.fr"):
    return client.post(
        reverse("comptes:mandats"),
        {
            "email": email,
            "prenom": "Nina",
            "nom": "Roux",
            "role": "correspondant",
            "departement": "69",
            "caf": Caf.objects.get(departement="69").pk,
            "date_debut": "01/01/2026",
            "date_fin": "31/12/2027",
        },
    )


# --- Le national accorde, un second membre approuve ---


def test_a_correspondent_mandate_needs_a_second_national_member(
    client, national, national_bis, structure_69, django_capture_on_commit_callbacks
):
    client.force_login(national)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = accorder_correspondant(client)
    assert reponse.status_code == 302
    nina = Utilisateur.objects.get(email="nouvelle@caf69.fr")
    mandat = nina.mandats.get()
    assert mandat.en_attente and mandat.accorde_par == national
    assert mandat.caf.departement_id == "69" and mandat.date_fin == datetime.date(2027, 12, 31)
    assert not nina.has_usable_password()
    (courriel,) = mail.outbox
    assert courriel.to == ["nouvelle@caf69.fr"] and "seconde personne" in courriel.body
    # En attente : le mandat n'ouvre rien.
    assert perimetre_de(nina).est_vide

    # Celui qui l'a accordé ne peut pas l'approuver.
    reponse = client.post(reverse("comptes:mandat_agir", args=[mandat.pk, "approuver"]), follow=True)
    assert "Une seconde personne doit approuver ce mandat" in reponse.content.decode()
    mandat.refresh_from_db()
    assert mandat.en_attente

    client.force_login(national_bis)
    client.post(reverse("comptes:mandat_agir", args=[mandat.pk, "approuver"]))
    mandat.refresh_from_db()
    assert not mandat.en_attente and mandat.approuve_par == national_bis
    assert "69" in perimetre_de(nina).departements_donnees


def test_nobody_grants_themselves_a_mandate(national):
    with pytest.raises(ErreurMandat, match="soi-même"):
        mandat_accorder(
            par=national,
            perimetre=perimetre_de(national),
            email=national.email.upper(),
            role="correspondant",
            niveau="departement",
            departement=Departement.objects.get(code="69"),
            organisme="caf",
            caf=Caf.objects.get(departement="69"),
        )


def test_only_the_national_committee_grants_correspondents(client, correspondant_69, copil_69):
    for utilisateur in (correspondant_69, copil_69):
        client.force_login(utilisateur)
        reponse = accorder_correspondant(client)
        assert reponse.status_code == 200  # pas de formulaire : la demande est ignorée
        assert not Utilisateur.objects.filter(email="nouvelle@caf69.fr").exists()
    with pytest.raises(ErreurMandat, match="ne vous permettent pas"):
        mandat_accorder(
            par=correspondant_69,
            perimetre=perimetre_de(correspondant_69),
            email="x@y.fr",
            role="correspondant",
            niveau="departement",
            departement=Departement.objects.get(code="69"),
            organisme="caf",
            caf=Caf.objects.get(departement="69"),
        )


def test_a_mandate_approval_by_someone_outside_the_mandating_side_is_refused(national, correspondant_69):
    mandat = mandat_accorder(
        par=national,
        perimetre=perimetre_de(national),
        email="p@caf69.fr",
        role="preparateur",
        niveau="departement",
        departement=Departement.objects.get(code="69"),
        organisme="caf",
        caf=Caf.objects.get(departement="69"),
    )
    with pytest.raises(ErreurMandat, match="ne vous permettent pas"):
        mandat_approuver(mandat=mandat, par=correspondant_69, perimetre=perimetre_de(correspondant_69))


def test_an_approval_reads_the_mandate_again_when_it_writes(national, national_bis):
    """L'état est vérifié dans la transaction qui écrit, pas sur l'objet lu avant : un mandat retiré ou
    déjà approuvé entre-temps est refusé en français, sans erreur serveur."""
    mandat = mandat_accorder(
        par=national,
        perimetre=perimetre_de(national),
        email="p@caf69.fr",
        role="preparateur",
        niveau="departement",
        departement=Departement.objects.get(code="69"),
        organisme="caf",
        caf=Caf.objects.get(departement="69"),
    )
    lu_avant = Mandat.objects.get(pk=mandat.pk)  # la page d'approbation, affichée avant
    Mandat.objects.filter(pk=mandat.pk).update(en_attente=False, approuve_par=national_bis)
    with pytest.raises(ErreurMandat, match="n'attend pas d'approbation"):
        mandat_approuver(mandat=lu_avant, par=national_bis, perimetre=perimetre_de(national_bis))
    Mandat.objects.filter(pk=mandat.pk).delete()
    with pytest.raises(ErreurMandat, match="retiré entre-temps"):
        mandat_approuver(mandat=lu_avant, par=national_bis, perimetre=perimetre_de(national_bis))


# --- Le correspondant invite les structures de ses départements, avec aperçu ---


def test_a_correspondent_invites_many_structures_from_the_register_with_a_preview(
    client, correspondant_69, django_capture_on_commit_callbacks
):
    a = StructureFactory(nom="Centre A", email="contact@centre-a.fr")
    b = StructureFactory(nom="Centre B", email="accueil@centre-b.fr")
    StructureFactory(nom="Centre sans adresse", email="")
    ailleurs = StructureFactory(
        nom="Centre de l'Ain",
        email="ain@centre.fr",
        departement=Departement.objects.get(code="01"),
        commune_insee="01053",
        code_postal="01000",
    )
    client.force_login(correspondant_69)
    page = client.get(reverse("comptes:inviter_structures")).content.decode()
    assert "contact@centre-a.fr" in page and "accueil@centre-b.fr" in page
    assert "Centre sans adresse" not in page and ailleurs.email not in page

    apercu = client.post(reverse("comptes:inviter_structures"), {"structures": [a.pk, b.pk], "etape": "apercu"})
    assert "Envoyer les 2 invitations" in apercu.content.decode()
    assert not Mandat.objects.filter(role="structure").exists() and not mail.outbox

    # Une structure d'un autre département glissée dans la requête est refusée.
    refus = client.post(reverse("comptes:inviter_structures"), {"structures": [ailleurs.pk], "etape": "confirmer"})
    assert refus.status_code == 400 and not Mandat.objects.filter(role="structure").exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("comptes:inviter_structures"), {"structures": [a.pk, b.pk], "etape": "confirmer"})
    mandats = Mandat.objects.filter(role="structure").order_by("structure__nom")
    assert [(m.structure, m.utilisateur.email, m.accorde_par, m.en_attente) for m in mandats] == [
        (a, "contact@centre-a.fr", correspondant_69, False),
        (b, "accueil@centre-b.fr", correspondant_69, False),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["accueil@centre-b.fr", "contact@centre-a.fr"]
    # Déjà invitées : elles ne sont plus proposées.
    assert "contact@centre-a.fr" not in client.get(reverse("comptes:inviter_structures")).content.decode()


def test_the_invitation_link_sets_the_password_once_then_the_charter_then_home(
    client, correspondant_69, django_capture_on_commit_callbacks
):
    structure = StructureFactory(nom="Centre A", email="contact@centre-a.fr")
    client.force_login(correspondant_69)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("comptes:inviter_structures"), {"structures": [structure.pk], "etape": "confirmer"})
    client.logout()
    lien = lien_du_courriel(mail.outbox[0])

    page = client.get(lien, follow=True)
    assert "Choisir votre mot de passe" in page.content.decode()
    formulaire = page.redirect_chain[-1][0]
    reponse = client.post(formulaire, {"new_password1": MOT_DE_PASSE, "new_password2": MOT_DE_PASSE}, follow=True)
    assert reponse.redirect_chain[-1][0].startswith(reverse("comptes:charte"))
    invite = Utilisateur.objects.get(email="contact@centre-a.fr")
    assert invite.check_password(MOT_DE_PASSE)
    assert int(client.session["_auth_user_id"]) == invite.pk
    client.post(reverse("comptes:charte"), {"accepte": "on"})
    assert client.get(reverse("accueil")).status_code == 200

    client.logout()
    reutilise = client.get(lien, follow=True).content.decode()
    assert "Ce lien n'est plus valable" in reutilise


def test_the_invitation_link_expires(client, correspondant_69, settings, django_capture_on_commit_callbacks):
    structure = StructureFactory(email="contact@centre-a.fr")
    client.force_login(correspondant_69)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("comptes:inviter_structures"), {"structures": [structure.pk], "etape": "confirmer"})
    client.logout()
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert "Ce lien n'est plus valable" in client.get(lien_du_courriel(mail.outbox[0]), follow=True).content.decode()


# --- Mot de passe oublié, changement, mon compte ---


def test_password_reset_by_email_in_french(client, correspondant_69):
    reponse = client.post(reverse("comptes:mot_de_passe_oublie"), {"email": correspondant_69.email}, follow=True)
    assert "Lien envoyé" in reponse.content.decode()
    (courriel,) = mail.outbox
    assert courriel.subject == "[SENACS] Choisir un nouveau mot de passe"
    assert "Une demande de nouveau mot de passe" in courriel.body
    formulaire = client.get(lien_du_courriel(courriel), follow=True).redirect_chain[-1][0]
    client.post(formulaire, {"new_password1": MOT_DE_PASSE, "new_password2": MOT_DE_PASSE})
    correspondant_69.refresh_from_db()
    assert correspondant_69.check_password(MOT_DE_PASSE)


def test_password_change_requires_the_current_one(client, correspondant_69):
    client.force_login(correspondant_69)
    url = reverse("comptes:changer_mot_de_passe")
    refus = client.post(url, {"old_password": "faux", "new_password1": MOT_DE_PASSE, "new_password2": MOT_DE_PASSE})
    assert "Le mot de passe actuel est incorrect." in refus.content.decode()
    client.post(
        url, {"old_password": "motdepasse-de-test", "new_password1": MOT_DE_PASSE, "new_password2": MOT_DE_PASSE}
    )
    correspondant_69.refresh_from_db()
    assert correspondant_69.check_password(MOT_DE_PASSE)


def test_my_account_lists_my_mandates_and_their_end_dates(client, correspondant_69):
    fin = timezone.localdate() + datetime.timedelta(days=10)
    MandatFactory(utilisateur=correspondant_69, role="copil", date_fin=fin)
    client.force_login(correspondant_69)
    page = client.get(reverse("comptes:compte")).content.decode()
    assert "Correspondant SENACS" in page and "jusqu’à révocation" in page
    assert f"{fin:%d/%m/%Y} <strong>(bientôt)</strong>" in page


# --- Rappel avant la fin, retrait et désactivation ---


def test_a_reminder_is_sent_before_a_mandate_ends_once_per_deadline(
    correspondant_69, django_capture_on_commit_callbacks
):
    jour = datetime.date(2026, 6, 1)
    mandat = correspondant_69.mandats.get()
    mandat.date_fin = jour + datetime.timedelta(days=20)
    mandat.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert mandats_rappeler(jour=jour) == 1
        assert mandats_rappeler(jour=jour) == 0
        assert mandats_rappeler(jour=jour + datetime.timedelta(days=15)) == 1  # échéance à 7 jours
    assert len(mail.outbox) == 2
    assert "finit le 21/06/2026" in mail.outbox[0].body


def test_withdrawing_the_last_mandate_deactivates_the_account(client, correspondant_69):
    structure = StructureFactory(email="contact@centre-a.fr")
    usager = MandatFactory(
        role="structure", niveau="structure", departement=None, structure=structure, organisme="structure"
    )
    client.force_login(correspondant_69)
    client.post(reverse("comptes:mandat_agir", args=[usager.pk, "retirer"]))
    usager.refresh_from_db()
    assert usager.date_fin == timezone.localdate() - datetime.timedelta(days=1)
    usager.utilisateur.refresh_from_db()
    assert not usager.utilisateur.is_active


def test_the_daily_command_sends_the_reminders(correspondant_69):
    import io

    from django.core.management import call_command

    mandat = correspondant_69.mandats.get()
    mandat.date_fin = timezone.localdate() + datetime.timedelta(days=3)
    mandat.save()
    sortie = io.StringIO()
    call_command("comptes", "rappels", stdout=sortie)
    assert sortie.getvalue().strip() == "1 rappel de fin de mandat envoyé."
