import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from senacs.comptes.models import Mandat, Utilisateur
from senacs.comptes.selectors import perimetre_de
from senacs.copil.models import Cote, Designation, InviteCopil, NatureDocument, PartageDocument, StatutDesignation
from senacs.copil.services import copil_pour, invite_ajouter, membre_ajouter
from senacs.statistiques.services import diffusion_publier
from tests.factories import CampagneFactory, UtilisateurFactory
from tests.statistiques.fabriques import campagne_statistiques, var_dir  # noqa: F401

pytestmark = pytest.mark.usefixtures("var_dir")


@pytest.fixture
def copil(db):
    return copil_pour("departement", "69")


@pytest.fixture
def membres(copil):
    caf = membre_ajouter(copil=copil, utilisateur=UtilisateurFactory(charte=True), cote=Cote.CAF).utilisateur
    federation = membre_ajouter(copil=copil, utilisateur=UtilisateurFactory(charte=True), cote=Cote.FEDERATION)
    return caf, federation.utilisateur


@pytest.fixture
def invite(copil):
    return invite_ajouter(
        copil=copil, utilisateur=UtilisateurFactory(charte=True), qualite="Centre invité"
    ).utilisateur


@pytest.fixture
def campagne_en_cours(db):
    return CampagneFactory(annee=2027, phase="saisie")


def url(copil, nom="detail", *args):
    return reverse(f"copil:{nom}", args=[copil.pk, *args])


def test_a_member_sees_members_guests_and_the_designation(client, copil, membres, invite):
    client.force_login(membres[0])

    page = client.get(url(copil)).content.decode()

    assert "Comité de pilotage du département 69 – Rhône" in page
    assert str(membres[1]) in page and str(invite) in page
    assert "Proposer un préparateur" in page


def test_a_guest_sees_only_the_shared_documents(client, copil, membres, invite):
    client.force_login(invite)

    reponse = client.get(url(copil))

    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Documents partagés" in page
    assert str(membres[0]) not in page and "Proposer un préparateur" not in page


def test_it_hides_other_territories(client, membres, invite, correspondant_69):
    ain = copil_pour("departement", "01")
    for utilisateur in (membres[0], invite, correspondant_69):
        client.force_login(utilisateur)
        assert client.get(url(ain)).status_code == 404
    client.force_login(correspondant_69)
    assert client.get(url(copil_pour("departement", "69"))).status_code == 404


def test_the_national_role_sees_every_copil(client, national, copil, membres):
    client.force_login(national)

    assert client.get(url(copil)).status_code == 200
    assert client.get(url(copil_pour("nation"))).status_code == 200
    assert "COPIL de la région Bretagne" in client.get(reverse("copil:index")).content.decode()


def test_the_designation_takes_effect_with_both_sides_and_opens_the_raw_export(
    client, copil, membres, campagne_en_cours, settings
):
    caf, federation = membres
    designe = UtilisateurFactory(charte=True, email="preparatrice@caf69.fr")
    jeu = campagne_statistiques()
    client.force_login(caf)

    client.post(url(copil, "designation_proposer"), {"designe": designe.email, "campagne": "2027"})

    designation = Designation.objects.get()
    assert designation.statut == StatutDesignation.PROPOSEE
    client.force_login(designe)
    assert client.get(reverse("tableaux:reponses_brutes", args=[2025, "D69"])).status_code == 403

    client.force_login(federation)
    client.post(url(copil, "designation_approuver", designation.pk))

    designation.refresh_from_db()
    assert designation.statut == StatutDesignation.EFFECTIVE
    client.force_login(designe)
    reponse = client.get(reverse("tableaux:reponses_brutes", args=[2025, "D69"]))
    assert reponse.status_code == 200
    assert len(reponse.content.decode().splitlines()) == 1 + len(
        [s for s in jeu.repondantes if s.departement_id == "69"]
    )
    assert client.get(url(copil)).status_code == 200  # le préparateur voit la page du comité

    client.post(url(copil, "designation_retirer", designation.pk))
    assert client.get(reverse("tableaux:reponses_brutes", args=[2025, "D69"])).status_code == 403


def test_a_proposal_by_a_non_member_is_refused(client, copil, membres, invite, campagne_en_cours):
    client.force_login(invite)

    reponse = client.post(url(copil, "designation_proposer"), {"designe": invite.email, "campagne": "2027"})

    assert reponse.status_code == 404
    assert not Designation.objects.exists()


def test_only_the_national_role_adds_members(client, copil, membres, national):
    nouveau = UtilisateurFactory(charte=True)
    client.force_login(membres[0])
    assert client.post(url(copil, "membre_ajouter"), {"utilisateur": nouveau.email, "cote": "caf"}).status_code == 404

    client.force_login(national)
    reponse = client.post(url(copil, "membre_ajouter"), {"utilisateur": nouveau.email, "cote": "federation"})

    assert reponse.status_code == 302
    assert copil.membres.filter(utilisateur=nouveau, cote="federation").exists()


def test_an_unknown_address_is_explained(client, copil, national):
    client.force_login(national)

    reponse = client.post(url(copil, "membre_ajouter"), {"utilisateur": "personne@nulle-part.fr", "cote": "caf"})

    assert reponse.status_code == 400
    assert "Aucun compte actif n&#x27;a cette adresse" in reponse.content.decode()


def test_shared_tables_are_visible_to_guests_and_nothing_else(client, copil, membres, invite):
    jeu = campagne_statistiques()
    diffusion_publier(campagne=jeu.campagne)
    client.force_login(invite)
    assert "Aucun document n'est partagé" in client.get(url(copil)).content.decode()

    client.force_login(membres[0])
    client.post(url(copil, "partage_ajouter"), {"campagne": "2025", "section": "F", "titre": "Finances 2025"})

    partage = PartageDocument.objects.get()
    client.force_login(invite)
    page = client.get(url(copil)).content.decode()
    assert "Finances 2025" in page
    tableaux = client.get(url(copil, "partage_detail", partage.pk))
    assert tableaux.status_code == 200
    contenu = tableaux.content.decode()
    assert "Total des produits" in contenu and "Enjeux prioritaires" not in contenu
    assert client.get(url(copil, "partage_telecharger", partage.pk, "xlsx")).status_code == 200
    # Ni les tableaux du territoire, ni les réponses brutes.
    assert client.get(reverse("tableaux:tableaux", args=[2025, "D69"])).status_code == 403
    assert client.get(reverse("tableaux:reponses_brutes", args=[2025, "D69"])).status_code == 403

    client.force_login(membres[1])
    client.post(url(copil, "partage_retirer", partage.pk))
    client.force_login(invite)
    assert client.get(url(copil, "partage_detail", partage.pk)).status_code == 404


def test_tables_cannot_be_shared_before_the_campaign_is_released(client, copil, membres):
    campagne_statistiques()
    client.force_login(membres[0])

    reponse = client.post(url(copil, "partage_ajouter"), {"campagne": "2025", "section": "", "titre": "Tout"})

    assert reponse.status_code == 400  # aucune campagne diffusée : rien à choisir
    assert not PartageDocument.objects.exists()


# --- Un membre invite ses invités par courriel (issue 12) ---

MOT_DE_PASSE = "un-mot-de-passe-solide-2026"


def inviter(client, copil, email, **champs):
    donnees = {"invitation-email": email} | {f"invitation-{k}": v for k, v in champs.items()}
    return client.post(url(copil, "invite_inviter"), donnees)


def test_the_invitation_form_is_offered_to_members_only(client, copil, membres, invite, national):
    client.force_login(membres[0])
    page = client.get(url(copil)).content.decode()
    assert "Inviter une personne par courriel" in page
    assert 'for="id_invitation-email"' in page and 'id="id_invitation-email"' in page
    for autre in (invite, national):
        client.force_login(autre)
        assert "Inviter une personne par courriel" not in client.get(url(copil)).content.decode()


def test_a_member_invites_a_new_person_who_sets_a_password_and_sees_only_what_is_shared(
    client, copil, membres, django_capture_on_commit_callbacks
):
    caf = membres[0]
    PartageDocument.objects.create(
        copil=copil, nature=NatureDocument.TABLEAUX, reference="2025:F", titre="Finances 2025", partage_par=caf
    )
    client.force_login(caf)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = inviter(
            client,
            copil,
            "Lea.Petit@Centre-Social.fr",
            prenom="Léa",
            nom="Petit",
            qualite="Centre social",
            date_fin="31/12/2099",
        )
    assert reponse.status_code == 302

    lea = Utilisateur.objects.get(email="lea.petit@centre-social.fr")
    assert (lea.prenom, lea.nom) == ("Léa", "Petit") and not lea.has_usable_password()
    invitation = InviteCopil.objects.get(copil=copil, utilisateur=lea)
    assert invitation.qualite == "Centre social"
    assert invitation.date_debut == timezone.localdate() and invitation.date_fin == datetime.date(2099, 12, 31)
    mandat = invitation.mandat
    assert (mandat.role, mandat.niveau, mandat.departement_id) == ("invite", "departement", "69")
    assert mandat.accorde_par == caf and mandat.cree_le is not None and not mandat.en_attente
    assert mandat.date_fin == datetime.date(2099, 12, 31)
    (courriel,) = mail.outbox
    assert courriel.to == ["lea.petit@centre-social.fr"] and "Invitation" in courriel.subject
    lien = re.search(r"(/compte/nouveau-mot-de-passe/\S+/)", courriel.body).group(1)

    client.logout()
    page = client.get(lien, follow=True)
    assert "Choisir votre mot de passe" in page.content.decode()
    reponse = client.post(
        page.redirect_chain[-1][0], {"new_password1": MOT_DE_PASSE, "new_password2": MOT_DE_PASSE}, follow=True
    )
    assert reponse.redirect_chain[-1][0].startswith(reverse("comptes:charte"))  # pas de second facteur exigé
    lea.refresh_from_db()
    assert lea.check_password(MOT_DE_PASSE) and int(client.session["_auth_user_id"]) == lea.pk
    client.post(reverse("comptes:charte"), {"accepte": "on"})
    accueil = client.get(reverse("accueil"))
    assert accueil.status_code == 200
    assert "Les réponses individuelles des structures ne sont jamais accessibles aux invités." in (
        accueil.content.decode()
    )
    comite = client.get(url(copil)).content.decode()
    assert "Finances 2025" in comite
    assert str(membres[1]) not in comite and "Proposer un préparateur" not in comite
    assert "Inviter une personne par courriel" not in comite
    # Jamais de réponse brute ni de tableau du territoire.
    assert client.get(reverse("tableaux:reponses_brutes", args=[2025, "D69"])).status_code == 403
    assert client.get(reverse("tableaux:tableaux", args=[2025, "D69"])).status_code == 403
    assert client.get(reverse("structures:liste")).status_code == 403
    # Le lien ne sert qu'une fois.
    client.logout()
    assert "Ce lien n'est plus valable" in client.get(lien, follow=True).content.decode()


def test_a_member_invites_an_existing_user_without_a_password_link(
    client, copil, membres, django_capture_on_commit_callbacks
):
    existante = UtilisateurFactory(charte=True, email="partenaire@ville.fr")
    client.force_login(membres[1])
    with django_capture_on_commit_callbacks(execute=True):
        reponse = inviter(client, copil, "PARTENAIRE@ville.fr")
    assert reponse.status_code == 302

    assert Utilisateur.objects.filter(email__iexact="partenaire@ville.fr").count() == 1
    existante.refresh_from_db()
    assert existante.check_password("motdepasse-de-test")
    mandat = InviteCopil.objects.get(copil=copil, utilisateur=existante).mandat
    assert mandat.accorde_par == membres[1]
    (courriel,) = mail.outbox
    assert courriel.subject == "[SENACS] Nouveau mandat SENACS" and "nouveau-mot-de-passe" not in courriel.body
    assert perimetre_de(existante).territoires_du_role("invite")


def _rien_n_a_change(avant_comptes, avant_mandats):
    assert Utilisateur.objects.count() == avant_comptes and Mandat.objects.count() == avant_mandats
    assert not mail.outbox


def test_non_members_guests_and_other_committees_cannot_invite(
    client, copil, membres, invite, national, correspondant_69, copil_69, django_capture_on_commit_callbacks
):
    ain = copil_pour("departement", "01")
    membre_ain = membre_ajouter(copil=ain, utilisateur=UtilisateurFactory(charte=True), cote=Cote.CAF).utilisateur
    avant = (Utilisateur.objects.count(), Mandat.objects.count())
    cas = [
        (invite, copil, 403),  # un invité n'a aucun mandat de membre
        (correspondant_69, copil, 403),
        (national, copil, 403),  # le national ajoute des membres, il n'invite pas par courriel
        (membre_ain, copil, 404),  # membre d'un autre comité : celui-ci n'existe pas pour lui
        (membres[0], ain, 404),
        (copil_69, copil, 404),  # mandat « copil » sans être membre de ce comité
    ]
    for personne, comite, statut in cas:
        client.force_login(personne)
        with django_capture_on_commit_callbacks(execute=True):
            reponse = inviter(client, comite, "intrus@exemple.fr")
        assert reponse.status_code == statut, (personne, comite)
    _rien_n_a_change(*avant)
    assert not Utilisateur.objects.filter(email="intrus@exemple.fr").exists()


def test_a_guest_who_is_also_member_elsewhere_cannot_invite_here(client, copil, invite):
    ain = copil_pour("departement", "01")
    membre_ajouter(copil=ain, utilisateur=invite, cote=Cote.FEDERATION)
    client.force_login(invite)

    assert inviter(client, copil, "ami@exemple.fr").status_code == 404
    assert not Utilisateur.objects.filter(email="ami@exemple.fr").exists()


def test_nobody_invites_themselves(client, copil, membres, django_capture_on_commit_callbacks):
    caf = membres[0]
    avant = (Utilisateur.objects.count(), Mandat.objects.count())
    client.force_login(caf)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = inviter(client, copil, caf.email.upper())
    assert reponse.status_code == 400
    assert "Personne ne s&#x27;invite soi-même." in reponse.content.decode()
    _rien_n_a_change(*avant)
    assert not InviteCopil.objects.filter(utilisateur=caf).exists()
    # Ni par le formulaire des comptes existants.
    reponse = client.post(url(copil, "invite_ajouter"), {"utilisateur": caf.email})
    assert reponse.status_code == 400 and not InviteCopil.objects.filter(utilisateur=caf).exists()


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"email": ""}, "Indiquez l&#x27;adresse électronique de la personne à inviter."),
        ({"email": "pas-une-adresse"}, "Cette adresse électronique n&#x27;est pas valide"),
        ({"email": "a@b@exemple.fr"}, "Cette adresse électronique n&#x27;est pas valide"),
        ({"email": "ok@exemple.fr", "date_fin": "32/13/2026"}, "n&#x27;est pas une date"),
        ({"email": "ok@exemple.fr", "date_fin": "01/01/2000"}, "ne peut pas précéder aujourd&#x27;hui"),
    ],
)
def test_a_bad_address_or_date_is_explained_and_changes_nothing(
    client, copil, membres, champs, message, django_capture_on_commit_callbacks
):
    avant = (Utilisateur.objects.count(), Mandat.objects.count())
    client.force_login(membres[0])
    email = champs.pop("email")
    with django_capture_on_commit_callbacks(execute=True):
        reponse = inviter(client, copil, email, **champs)
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert message in page and 'role="alert"' in page
    _rien_n_a_change(*avant)
