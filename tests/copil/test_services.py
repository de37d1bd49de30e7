import datetime

import pytest
import time_machine
from django.core import mail

from senacs.comptes.models import Mandat, Utilisateur
from senacs.comptes.selectors import perimetre_de
from senacs.copil.demo import demo_copils
from senacs.copil.models import Copil, Cote, Designation, MembreCopil, StatutDesignation
from senacs.copil.services import (
    ErreurCopil,
    copil_pour,
    designation_approuver,
    designation_proposer,
    designation_retirer,
    designations_terminer,
    invite_ajouter,
    invite_inviter,
    membre_ajouter,
    membre_retirer,
)
from senacs.territoires.models import Departement
from tests.factories import CampagneFactory, MandatFactory, UtilisateurFactory

JOUR = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def aujourd_hui():
    with time_machine.travel(JOUR, tick=False):
        yield


@pytest.fixture
def campagne(db):
    return CampagneFactory(annee=2026, phase="saisie")


@pytest.fixture
def copil(db):
    return copil_pour("departement", "69")


@pytest.fixture
def caf(copil):
    return membre_ajouter(copil=copil, utilisateur=UtilisateurFactory(charte=True), cote=Cote.CAF).utilisateur


@pytest.fixture
def caf_bis(copil):
    return membre_ajouter(copil=copil, utilisateur=UtilisateurFactory(charte=True), cote=Cote.CAF).utilisateur


@pytest.fixture
def federation(copil):
    return membre_ajouter(copil=copil, utilisateur=UtilisateurFactory(charte=True), cote=Cote.FEDERATION).utilisateur


@pytest.fixture
def candidate(db):
    return UtilisateurFactory(charte=True)


def test_there_is_one_copil_per_department_per_region_and_one_national(db):
    assert Copil.objects.filter(niveau="departement").count() == 101
    assert Copil.objects.filter(niveau="region").count() == 18
    assert Copil.objects.filter(niveau="nation").count() == 1
    assert copil_pour("nation") == Copil.objects.get(niveau="nation")
    assert copil_pour("region", "84").region_id == "84"
    with pytest.raises(ErreurCopil):
        copil_pour("departement", "00")


def test_a_member_gets_a_copil_mandate_that_opens_the_territory_aggregates(copil, caf):
    perimetre = perimetre_de(caf)
    assert perimetre.territoires_agregats == {"D:69"}
    assert not perimetre.departements_donnees
    membre = MembreCopil.objects.get(utilisateur=caf)
    assert membre.mandat.role == "copil" and membre.mandat.organisme == "caf"


def test_a_removed_member_loses_the_aggregates(copil, caf):
    membre_retirer(membre=MembreCopil.objects.get(utilisateur=caf))

    assert perimetre_de(caf).territoires_agregats == frozenset()


def test_a_guest_gets_no_data_at_all(copil, candidate):
    invite_ajouter(copil=copil, utilisateur=candidate, qualite="Centre social invité")

    perimetre = perimetre_de(candidate)
    assert perimetre.roles == {"invite"}
    assert not perimetre.territoires_agregats and not perimetre.departements_donnees


def test_the_designation_needs_a_caf_and_a_federation_member(copil, campagne, caf, caf_bis, federation, candidate):
    designation = designation_proposer(copil=copil, campagne=campagne, designe=candidate, par=caf)
    assert designation.statut == StatutDesignation.PROPOSEE
    assert not perimetre_de(candidate).est_preparateur

    designation_approuver(designation=designation, par=caf_bis)  # même côté : pas suffisant
    designation.refresh_from_db()
    assert designation.statut == StatutDesignation.PROPOSEE
    assert not perimetre_de(candidate).departements_donnees

    designation_approuver(designation=designation, par=federation)
    designation.refresh_from_db()
    assert designation.statut == StatutDesignation.EFFECTIVE
    perimetre = perimetre_de(candidate)
    assert perimetre.est_preparateur
    assert perimetre.departements_donnees == {"69"}
    assert designation.mandat.date_fin == campagne.date_publication


def test_the_proposer_counts_for_its_side(copil, campagne, caf, federation, candidate):
    designation = designation_proposer(copil=copil, campagne=campagne, designe=candidate, par=federation)

    designation = designation_approuver(designation=designation, par=caf)

    designation.refresh_from_db()
    assert designation.statut == StatutDesignation.EFFECTIVE


def test_only_members_propose_and_approve(copil, campagne, caf, federation, candidate):
    with pytest.raises(ErreurCopil, match="membre"):
        designation_proposer(copil=copil, campagne=campagne, designe=candidate, par=candidate)
    designation = designation_proposer(copil=copil, campagne=campagne, designe=candidate, par=caf)
    with pytest.raises(ErreurCopil, match="membre"):
        designation_approuver(designation=designation, par=candidate)
    assert Designation.objects.get().statut == StatutDesignation.PROPOSEE


def test_a_second_proposal_is_refused_while_one_is_in_progress(copil, campagne, caf, candidate):
    designation_proposer(copil=copil, campagne=campagne, designe=candidate, par=caf)

    with pytest.raises(ErreurCopil, match="déjà en cours"):
        designation_proposer(copil=copil, campagne=campagne, designe=UtilisateurFactory(), par=caf)


def test_the_designee_can_withdraw_and_loses_the_raw_data_the_same_day(copil, campagne, caf, federation, candidate):
    designation = designation_proposer(copil=copil, campagne=campagne, designe=candidate, par=caf)
    designation_approuver(designation=designation, par=federation)
    assert perimetre_de(candidate).departements_donnees == {"69"}

    designation_retirer(designation=designation, par=candidate)

    designation.refresh_from_db()
    assert designation.statut == StatutDesignation.RETIREE
    assert not perimetre_de(candidate).departements_donnees
    assert not Mandat.objects.valides(datetime.date(2026, 3, 2)).filter(utilisateur=candidate).exists()


def test_a_member_can_withdraw_an_older_designation_which_ends_yesterday(copil, campagne, caf, federation, candidate):
    designation = designation_proposer(copil=copil, campagne=campagne, designe=candidate, par=caf)
    designation_approuver(designation=designation, par=federation)

    with time_machine.travel(JOUR + datetime.timedelta(days=10), tick=False):
        designation_retirer(designation=designation, par=federation)
        mandat = Mandat.objects.get(utilisateur=candidate, role="preparateur")
        assert mandat.date_fin == datetime.date(2026, 3, 11)
        assert not perimetre_de(candidate).est_preparateur


def test_nobody_else_can_withdraw_a_designation(copil, campagne, caf, federation, candidate):
    designation = designation_proposer(copil=copil, campagne=campagne, designe=candidate, par=caf)
    designation_approuver(designation=designation, par=federation)

    with pytest.raises(ErreurCopil):
        designation_retirer(designation=designation, par=UtilisateurFactory())


def test_the_designation_ends_with_the_campaign(copil, campagne, caf, federation, candidate):
    designation = designation_proposer(copil=copil, campagne=campagne, designe=candidate, par=caf)
    designation_approuver(designation=designation, par=federation)

    lendemain = campagne.date_publication + datetime.timedelta(days=1)
    assert not perimetre_de(candidate, lendemain).est_preparateur
    assert designations_terminer(lendemain) == 1
    designation.refresh_from_db()
    assert designation.statut == StatutDesignation.TERMINEE


def test_demo_copils_turns_demo_mandates_into_members_guests_and_effective_designations(db, campagne):
    caf_69 = MandatFactory(role="copil", organisme="caf").utilisateur
    federation_69 = MandatFactory(role="copil", organisme="federation", caf=None).utilisateur
    preparateur_69 = MandatFactory(role="preparateur", organisme="caf").utilisateur
    invite_69 = MandatFactory(role="invite", organisme="caf").utilisateur
    federation_01 = MandatFactory(
        role="copil", organisme="federation", caf=None, departement=Departement.objects.get(code="01")
    ).utilisateur
    preparateur_01 = MandatFactory(
        role="preparateur", organisme="caf", departement=Departement.objects.get(code="01")
    ).utilisateur

    bilan = demo_copils(2026)

    assert bilan == {"membres": 4, "invites": 1, "designations": 2}
    assert demo_copils(2026) == {"membres": 0, "invites": 0, "designations": 0}  # idempotente
    rhone = copil_pour("departement", "69")
    assert set(rhone.membres.values_list("utilisateur", flat=True)) == {caf_69.pk, federation_69.pk}
    assert rhone.invites.get().utilisateur == invite_69
    for copil, designe in ((rhone, preparateur_69), (copil_pour("departement", "01"), preparateur_01)):
        designation = Designation.objects.get(copil=copil)
        assert designation.statut == StatutDesignation.EFFECTIVE
        assert designation.designe == designe
        assert Mandat.objects.filter(utilisateur=designe, role="preparateur").count() == 1  # repris, pas doublé
        assert designation.mandat.date_fin == campagne.date_publication
    assert federation_01.copils.exists()


def test_a_member_invites_by_email_and_the_guest_mandate_names_who_granted_it(
    copil, django_capture_on_commit_callbacks
):
    membre = membre_ajouter(copil=copil, utilisateur=UtilisateurFactory(), cote=Cote.CAF).utilisateur
    with django_capture_on_commit_callbacks(execute=True):
        invite, nouveau = invite_inviter(
            copil=copil,
            par=membre,
            perimetre=perimetre_de(membre),
            email="invitee@exemple.fr",
            date_fin=datetime.date(2026, 12, 31),
        )
    assert nouveau and not invite.utilisateur.has_usable_password()
    assert invite.mandat.accorde_par == membre and invite.mandat.role == "invite"
    assert (invite.mandat.date_debut, invite.mandat.date_fin) == (
        datetime.date(2026, 3, 2),
        datetime.date(2026, 12, 31),
    )
    p = perimetre_de(invite.utilisateur)
    assert not p.departements_donnees and not p.structures_propres and not p.est_preparateur
    assert len(mail.outbox) == 1

    # Déjà invitée : refus, aucun second mandat, aucun courriel.
    with pytest.raises(ErreurCopil, match="déjà invité"):
        invite_inviter(copil=copil, par=membre, perimetre=perimetre_de(membre), email="INVITEE@exemple.fr")
    assert Mandat.objects.filter(utilisateur=invite.utilisateur).count() == 1


def test_only_a_member_of_this_committee_invites_and_never_themselves(copil):
    membre = membre_ajouter(copil=copil, utilisateur=UtilisateurFactory(), cote=Cote.CAF).utilisateur
    ailleurs = membre_ajouter(
        copil=copil_pour("departement", "01"), utilisateur=UtilisateurFactory(), cote=Cote.CAF
    ).utilisateur
    with pytest.raises(ErreurCopil, match="Seuls les membres"):
        invite_inviter(copil=copil, par=ailleurs, perimetre=perimetre_de(ailleurs), email="x@exemple.fr")
    with pytest.raises(ErreurCopil, match="soi-même"):
        invite_inviter(copil=copil, par=membre, perimetre=perimetre_de(membre), email=membre.email)
    assert not Mandat.objects.filter(role="invite").exists()
    assert not Utilisateur.objects.filter(email="x@exemple.fr").exists()
