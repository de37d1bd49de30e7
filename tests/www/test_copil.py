import pytest
from django.urls import reverse

from senacs.copil.models import Cote, Designation, PartageDocument, StatutDesignation
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
