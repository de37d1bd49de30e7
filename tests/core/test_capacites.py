"""Capacités (core.capacites) : la matrice persona × capacité, mandats combinés compris."""

import pytest

from core import capacites
from core.perimetre import MandatActif, Perimetre
from core.roles import Niveau, Role


def m(role, niveau=Niveau.DEPARTEMENT, code="69"):
    return MandatActif(role=Role(role), niveau=Niveau(niveau), code=code)


PERSONAS = {
    "aucun": [],
    "structure": [m("structure", Niveau.STRUCTURE, "7")],
    "correspondant": [m("correspondant")],
    "correspondant_region": [m("correspondant", Niveau.REGION, "84")],
    "copil": [m("copil")],
    "preparateur": [m("preparateur")],
    "invite": [m("invite")],
    "national": [m("national", Niveau.NATION, "FR")],
    "admin": [m("admin", Niveau.NATION, "FR")],
    "national+preparateur": [m("national", Niveau.NATION, "FR"), m("preparateur")],
    "national+correspondant": [m("national", Niveau.NATION, "FR"), m("correspondant")],
    "structure+correspondant_ailleurs": [m("structure", Niveau.STRUCTURE, "7"), m("correspondant", code="01")],
    "copil+preparateur": [m("copil"), m("preparateur")],
}

# Capacités ouvertes, persona par persona (toute autre capacité est fermée).
ATTENDU = {
    "aucun": set(),
    "structure": {
        "avoir_un_mandat",
        "voir_reponses_structures",
        "repondre_pour_sa_structure",
        "saisir",
        "suivre_une_interpellation",
        "revoir_les_saisies",
        "ouvre_des_reponses_brutes",
        "signaler_une_question",
        "traiter_les_alertes",
        "consulter_le_journal_de_sa_structure",
    },
    "correspondant": {
        "avoir_un_mandat",
        "voir_reponses_structures",
        "saisir_pour_le_compte",
        "saisir",
        "controler",
        "suivre_une_interpellation",
        "revoir_les_saisies",
        "ouvre_des_reponses_brutes",
        "suivre_la_collecte",
        "proroger",
        "voir_des_agregats",
        "voir_les_tableaux",
        "ouvrir_les_analyses",
        "traiter_les_alertes",
        "gerer_le_registre",
        "gerer_des_mandats",
        "exige_un_second_facteur",
    },
    "copil": {
        "avoir_un_mandat",
        "voir_des_agregats",
        "voir_les_tableaux",
        "ouvrir_les_analyses",
        "gerer_des_mandats",
        "inviter_au_copil",
    },
    "preparateur": {
        "avoir_un_mandat",
        "voir_reponses_structures",
        "preparer",
        "ouvre_des_reponses_brutes",
        "voir_des_agregats",
        "voir_les_tableaux",
        "ouvrir_les_analyses",
        "exige_un_second_facteur",
    },
    "invite": {"avoir_un_mandat", "ouvrir_les_analyses"},
    "national": {
        "avoir_un_mandat",
        "suivre_la_collecte",
        "proroger",
        "voir_des_agregats",
        "voir_les_tableaux",
        "ouvrir_les_analyses",
        "traiter_les_alertes",
        "piloter_au_national",
        "gerer_le_registre",
        "rechercher_dans_le_journal",
        "gerer_des_mandats",
        "exige_un_second_facteur",
    },
    "admin": {
        "avoir_un_mandat",
        "administrer",
        "gerer_le_registre",
        "rechercher_dans_le_journal",
        "exige_un_second_facteur",
    },
}
ATTENDU["correspondant_region"] = ATTENDU["correspondant"]
ATTENDU["national+preparateur"] = ATTENDU["national"] | ATTENDU["preparateur"]  # mais pas « controler »
ATTENDU["national+correspondant"] = ATTENDU["national"] | ATTENDU["correspondant"]
ATTENDU["structure+correspondant_ailleurs"] = ATTENDU["structure"] | ATTENDU["correspondant"]
ATTENDU["copil+preparateur"] = ATTENDU["copil"] | ATTENDU["preparateur"]


def perimetre(persona: str) -> Perimetre:
    return Perimetre.depuis_mandats(PERSONAS[persona])


def test_the_matrix_covers_every_persona_and_every_capability_is_named_once():
    assert ATTENDU.keys() == PERSONAS.keys()
    assert len(capacites.CAPACITES) == len({f.__name__ for f in capacites.CAPACITES.values()})
    assert set().union(*ATTENDU.values()) <= capacites.CAPACITES.keys()


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_capabilities_of_each_persona(persona):
    assert capacites.capacites(perimetre(persona)) == ATTENDU[persona]


def test_a_national_member_who_also_prepares_a_department_does_not_control_it():
    p = perimetre("national+preparateur")
    assert p.departements_suivi >= {"69", "01"} and "69" in p.departements_donnees
    assert capacites.departements_correspondant(p) == frozenset()
    assert capacites.departements_controle(p) == frozenset()
    assert not capacites.controler(p) and not capacites.saisir_pour_le_compte(p)


def test_combined_mandates_add_up_on_their_own_territories():
    p = perimetre("national+correspondant")
    assert capacites.departements_controle(p) == {"69"}
    p = perimetre("structure+correspondant_ailleurs")
    assert capacites.departements_correspondant(p) == {"01"}
    assert capacites.departements_controle(p) == {"01"}
    assert len(capacites.departements_correspondant(perimetre("correspondant_region"))) == 12


def test_copil_members_invite_only_in_the_committees_they_sit_on():
    assert capacites.inviter_au_copil(perimetre("copil")) == {"D:69"}
    assert capacites.inviter_au_copil(perimetre("copil+preparateur")) == {"D:69"}
    membre_de_deux = Perimetre.depuis_mandats([m("copil", Niveau.REGION, "84"), m("copil", Niveau.NATION, "FR")])
    assert capacites.inviter_au_copil(membre_de_deux) == {"R:84", "FR"}
    for persona in ("invite", "preparateur", "national", "admin", "correspondant", "structure"):
        assert capacites.inviter_au_copil(perimetre(persona)) == frozenset(), persona
