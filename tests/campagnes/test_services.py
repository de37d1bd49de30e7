import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.perimetre import MandatActif, Perimetre
from core.roles import Niveau, Role
from senacs.campagnes.models import ChangementPhase, ProrogationSaisie
from senacs.campagnes.services import campagne_changer_phase, prorogation_accorder
from senacs.territoires.models import Departement
from tests.factories import CampagneFactory, UtilisateurFactory

NATIONAL = Perimetre.depuis_mandats([MandatActif(Role.NATIONAL, Niveau.NATION, "FR", "national")])
CORRESPONDANT_69 = Perimetre.depuis_mandats([MandatActif(Role.CORRESPONDANT, Niveau.DEPARTEMENT, "69", "caf")])
COPIL_69 = Perimetre.depuis_mandats([MandatActif(Role.COPIL, Niveau.DEPARTEMENT, "69", "caf")])


@pytest.fixture
def campagne(db):
    return CampagneFactory(annee=2026, phase="saisie")


@pytest.fixture
def utilisateur(db):
    return UtilisateurFactory()


# --- campagne_changer_phase ---


def test_it_advances_one_phase_and_logs_who_and_when(campagne, utilisateur):
    campagne = campagne_changer_phase(
        campagne=campagne, nouvelle_phase="controle", par=utilisateur, perimetre=NATIONAL
    )
    assert campagne.phase == "controle"
    changement = ChangementPhase.objects.get()
    assert (changement.ancienne_phase, changement.nouvelle_phase) == ("saisie", "controle")
    assert changement.par == utilisateur and changement.le is not None


@pytest.mark.parametrize("perimetre", [CORRESPONDANT_69, COPIL_69, Perimetre.vide()])
def test_it_refuses_the_phase_change_to_anyone_but_national(campagne, utilisateur, perimetre):
    with pytest.raises(PermissionDenied):
        campagne_changer_phase(campagne=campagne, nouvelle_phase="controle", par=utilisateur, perimetre=perimetre)
    campagne.refresh_from_db()
    assert campagne.phase == "saisie"


@pytest.mark.parametrize("phase", ["analyse", "archivee", "saisie", "inconnue"])
def test_it_never_skips_or_repeats_a_phase(campagne, utilisateur, phase):
    with pytest.raises(ValidationError):
        campagne_changer_phase(campagne=campagne, nouvelle_phase=phase, par=utilisateur, perimetre=NATIONAL, motif="x")
    assert not ChangementPhase.objects.exists()


def test_it_requires_a_reason_to_go_back(campagne, utilisateur):
    with pytest.raises(ValidationError, match="motivé"):
        campagne_changer_phase(
            campagne=campagne, nouvelle_phase="preparation", par=utilisateur, perimetre=NATIONAL, motif="   "
        )
    campagne_changer_phase(
        campagne=campagne, nouvelle_phase="preparation", par=utilisateur, perimetre=NATIONAL, motif=" Erreur "
    )
    assert ChangementPhase.objects.get().motif == "Erreur"


def test_it_goes_through_every_phase_in_order(campagne, utilisateur):
    for phase in ("controle", "analyse", "publication", "archivee"):
        campagne = campagne_changer_phase(campagne=campagne, nouvelle_phase=phase, par=utilisateur, perimetre=NATIONAL)
    assert campagne.phase_suivante() is None
    assert ChangementPhase.objects.count() == 4


# --- prorogation_accorder ---


def _accorder(campagne, code, jour, perimetre, par, **kwargs):
    return prorogation_accorder(
        campagne=campagne,
        departement=Departement.objects.get(code=code),
        date_fin_saisie=jour,
        par=par,
        perimetre=perimetre,
        **kwargs,
    )


def test_it_extends_the_deadline_of_a_department_of_the_perimeter(campagne, utilisateur):
    _accorder(campagne, "69", datetime.date(2026, 5, 15), CORRESPONDANT_69, utilisateur, motif=" Retards ")
    campagne.refresh_from_db()
    assert campagne.fin_saisie_pour("69") == datetime.date(2026, 5, 15)
    assert campagne.fin_saisie_pour("01") == datetime.date(2026, 4, 30)
    assert ProrogationSaisie.objects.get().motif == "Retards"


def test_it_refuses_a_department_outside_the_perimeter(campagne, utilisateur):
    with pytest.raises(PermissionDenied):
        _accorder(campagne, "01", datetime.date(2026, 5, 15), CORRESPONDANT_69, utilisateur)
    with pytest.raises(PermissionDenied):
        _accorder(campagne, "69", datetime.date(2026, 5, 15), COPIL_69, utilisateur)
    assert not ProrogationSaisie.objects.exists()


def test_it_lets_national_extend_any_department(campagne, utilisateur):
    _accorder(campagne, "35", datetime.date(2026, 5, 15), NATIONAL, utilisateur)
    assert ProrogationSaisie.objects.get().departement_id == "35"


@pytest.mark.parametrize("jour", [datetime.date(2026, 4, 29), datetime.date(2026, 6, 16)])
def test_it_keeps_the_extension_between_the_national_deadline_and_the_end_of_checks(campagne, utilisateur, jour):
    with pytest.raises(ValidationError):
        _accorder(campagne, "69", jour, CORRESPONDANT_69, utilisateur)


def test_it_updates_an_existing_extension_instead_of_adding_one(campagne, utilisateur):
    _accorder(campagne, "69", datetime.date(2026, 5, 15), CORRESPONDANT_69, utilisateur)
    _accorder(campagne, "69", datetime.date(2026, 5, 31), CORRESPONDANT_69, utilisateur)
    assert ProrogationSaisie.objects.get().date_fin_saisie == datetime.date(2026, 5, 31)


@pytest.mark.parametrize("phase", ["controle", "analyse", "publication", "archivee"])
def test_it_refuses_an_extension_once_entry_is_closed(utilisateur, phase):
    campagne = CampagneFactory(annee=2026, phase=phase)
    with pytest.raises(ValidationError, match="close"):
        _accorder(campagne, "69", datetime.date(2026, 5, 15), CORRESPONDANT_69, utilisateur)
