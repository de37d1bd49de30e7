from core.perimetre import MandatActif, Perimetre
from core.roles import Niveau, Role
from core.territoires import departement_depuis_code_postal, departement_depuis_commune, departements, regions


def test_the_reference_has_18_regions_and_101_departments():
    assert len(regions()) == 18
    assert len(departements()) == 101
    assert {d.code_region for d in departements()} == {r.code for r in regions()}


def test_it_maps_postcodes_and_communes_to_departments():
    assert departement_depuis_code_postal("69001") == "69"
    assert departement_depuis_code_postal("20000") == "2A"
    assert departement_depuis_code_postal("20200") == "2B"
    assert departement_depuis_code_postal("97400") == "974"
    assert departement_depuis_code_postal("9740") is None
    assert departement_depuis_commune("2A004") == "2A"
    assert departement_depuis_commune("97611") == "976"
    assert departement_depuis_commune("99999") is None


def test_an_empty_perimeter_grants_nothing():
    p = Perimetre.depuis_mandats([])
    assert p.est_vide
    assert not p.peut_voir_donnees_structure(1, "69")
    assert not p.departements_suivi and not p.territoires_agregats


def test_a_regional_correspondent_follows_every_department_of_its_region():
    p = Perimetre.depuis_mandats([MandatActif(Role.CORRESPONDANT, Niveau.REGION, "84", "caf")])
    assert {"01", "69", "38", "63"} <= p.departements_donnees
    assert "35" not in p.departements_donnees
    assert p.peut_suivre_departement("69")
    assert "R:84" in p.territoires_agregats


def test_the_national_role_follows_everything_but_sees_no_raw_data():
    p = Perimetre.depuis_mandats([MandatActif(Role.NATIONAL, Niveau.NATION, "FR", "national")])
    assert len(p.departements_suivi) == 101
    assert not p.departements_donnees
    assert not p.peut_voir_donnees_structure(42, "69")
    assert p.est_national


def test_copil_members_and_guests_see_no_raw_data():
    for role in (Role.COPIL, Role.INVITE):
        p = Perimetre.depuis_mandats([MandatActif(role, Niveau.DEPARTEMENT, "69", "caf")])
        assert not p.peut_voir_donnees_structure(42, "69")
        assert not p.departements_suivi
    assert "D:69" in Perimetre.depuis_mandats([MandatActif(Role.COPIL, Niveau.DEPARTEMENT, "69")]).territoires_agregats
    assert not Perimetre.depuis_mandats([MandatActif(Role.INVITE, Niveau.DEPARTEMENT, "69")]).territoires_agregats


def test_a_structure_sees_only_its_own_answers():
    p = Perimetre.depuis_mandats([MandatActif(Role.STRUCTURE, Niveau.STRUCTURE, "42", "structure")])
    assert p.peut_voir_donnees_structure(42, "69")
    assert not p.peut_voir_donnees_structure(43, "69")
