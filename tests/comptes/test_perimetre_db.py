import datetime

from django.contrib.auth.models import AnonymousUser

from core.roles import Role
from senacs.comptes.selectors import mandats_actifs, perimetre_de
from senacs.territoires.models import Departement, Region
from tests.factories import MandatFactory, StructureFactory, UtilisateurFactory

JOUR = datetime.date(2026, 3, 1)


def test_it_builds_the_perimeter_from_valid_mandates(correspondant_69):
    perimetre = perimetre_de(correspondant_69, JOUR)
    assert perimetre.roles == {Role.CORRESPONDANT}
    assert perimetre.departements_donnees == {"69"}
    assert perimetre.departements_suivi == {"69"}
    assert "D:69" in perimetre.territoires_agregats


def test_it_ignores_expired_mandates(correspondant_expire_69):
    perimetre = perimetre_de(correspondant_expire_69, JOUR)
    assert perimetre.est_vide
    assert not perimetre.departements_donnees and not perimetre.departements_suivi
    # Le même mandat ouvrait les données pendant sa validité.
    assert perimetre_de(correspondant_expire_69, datetime.date(2020, 6, 1)).departements_donnees == {"69"}


def test_it_ignores_mandates_that_have_not_started(db):
    utilisateur = MandatFactory(date_debut=datetime.date(2026, 9, 1)).utilisateur
    assert perimetre_de(utilisateur, JOUR).est_vide
    assert not perimetre_de(utilisateur, datetime.date(2026, 9, 1)).est_vide


def test_it_counts_the_last_day_of_a_mandate_as_valid(db):
    utilisateur = MandatFactory(date_fin=JOUR).utilisateur
    assert not perimetre_de(utilisateur, JOUR).est_vide
    assert perimetre_de(utilisateur, JOUR + datetime.timedelta(days=1)).est_vide


def test_it_gives_an_inactive_user_nothing(correspondant_69):
    correspondant_69.is_active = False
    correspondant_69.save()
    assert perimetre_de(correspondant_69, JOUR).est_vide


def test_it_gives_anonymous_and_mandateless_users_nothing(sans_mandat):
    assert perimetre_de(AnonymousUser(), JOUR).est_vide
    assert perimetre_de(None, JOUR).est_vide
    assert perimetre_de(sans_mandat, JOUR).est_vide


def test_it_unites_several_mandates(db):
    structure = StructureFactory()
    utilisateur = UtilisateurFactory(charte=True)
    MandatFactory(utilisateur=utilisateur, role="correspondant", departement=Departement.objects.get(code="35"))
    MandatFactory(
        utilisateur=utilisateur,
        role="copil",
        niveau="region",
        departement=None,
        region=Region.objects.get(code="84"),
        organisme="caf",
        caf=None,
    )
    MandatFactory(
        utilisateur=utilisateur,
        role="structure",
        niveau="structure",
        departement=None,
        structure=structure,
        organisme="structure",
    )
    MandatFactory(utilisateur=utilisateur, role="preparateur", date_fin=datetime.date(2021, 1, 1))  # expiré
    perimetre = perimetre_de(utilisateur, JOUR)
    assert perimetre.roles == {Role.CORRESPONDANT, Role.COPIL, Role.STRUCTURE}
    assert perimetre.structures_propres == {structure.pk}
    assert perimetre.departements_donnees == {"35"}
    assert perimetre.departements_suivi == {"35"}
    assert {"D:35", "R:84"} <= perimetre.territoires_agregats
    assert not perimetre.est_preparateur
    assert len(mandats_actifs(utilisateur, JOUR)) == 3


def test_it_gives_a_regional_correspondent_the_twelve_departments_of_its_region(correspondant_region_84):
    perimetre = perimetre_de(correspondant_region_84, JOUR)
    assert len(perimetre.departements_suivi) == 12
    assert {"01", "69", "38"} <= perimetre.departements_donnees
    assert "35" not in perimetre.departements_donnees


def test_it_gives_national_follow_up_everywhere_but_no_raw_data(national):
    perimetre = perimetre_de(national, JOUR)
    assert perimetre.est_national
    assert len(perimetre.departements_suivi) == 101
    assert not perimetre.departements_donnees and not perimetre.structures_propres
