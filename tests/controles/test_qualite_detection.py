"""Qualité de détection : ≈ 300 réponses propres (cohérentes avec le questionnaire 2025) et des
réponses portant chacune une erreur plantée connue ; le contrôle en lot (règles + détecteurs, le vrai
service, en base) doit attraper chaque genre d'erreur et laisser tranquilles la plupart des réponses
propres."""

import pytest

from core.controles.qualite import Signal, mesurer
from core.controles.synthese import GENRES, generer
from senacs.controles.models import Signalement
from senacs.controles.services import controle_lancer
from senacs.reponses.models import Reponse
from senacs.structures.models import Structure
from tests.controles.fabriques import campagne_controle
from tests.factories import CampagneFactory

PROPRES = 300
PAR_GENRE = 8


@pytest.fixture(scope="module")
def jeu():
    return generer(PROPRES, graine=2025, erreurs=dict.fromkeys(GENRES, PAR_GENRE))


@pytest.fixture
def controle(jeu):
    campagne = campagne_controle()
    precedente = CampagneFactory(annee=2024, phase="archivee")
    structures = Structure.objects.bulk_create(
        [
            Structure(
                identifiant=r.structure.identifiant,
                type=r.structure.type,
                nom=f"Structure {r.structure.identifiant}",
                commune_insee=r.valeurs["A04"],
                commune_nom="Commune",
                departement_id=r.structure.departement,
                mode_gestion=r.structure.mode_gestion,
                type_territoire=r.structure.territoire,
                geographie_prioritaire="non_concerne",
            )
            for r in jeu.reponses
        ]
    )
    par_identifiant = {s.identifiant: s for s in Structure.objects.filter(pk__in=[s.pk for s in structures])}
    Reponse.objects.bulk_create(
        [
            Reponse(
                campagne=campagne,
                structure=par_identifiant[r.structure.identifiant],
                statut="soumise",
                valeurs=r.valeurs,
            )
            for r in jeu.reponses
        ]
        + [
            Reponse(
                campagne=precedente,
                structure=par_identifiant[r.structure.identifiant],
                statut="validee",
                valeurs=r.precedentes,
            )
            for r in jeu.reponses
            if r.precedentes
        ]
    )
    rapport = controle_lancer(campagne=campagne)
    signaux: dict[str, list[Signal]] = {}
    for identifiant, questions, gravite, code in Signalement.objects.filter(present=True).values_list(
        "reponse__structure__identifiant", "questions", "gravite", "code"
    ):
        signaux.setdefault(identifiant, []).append(Signal(tuple(questions), gravite, code))
    return rapport, mesurer(jeu.plantees, signaux, [r.structure.identifiant for r in jeu.reponses]), signaux


def test_the_synthetic_set_has_every_kind_of_planted_error(jeu):
    assert len(jeu.reponses) == PROPRES + len(GENRES) * PAR_GENRE
    assert {e.genre for e in jeu.plantees} == set(GENRES)
    assert all(sum(1 for e in jeu.plantees if e.genre == g) == PAR_GENRE for g in GENRES)


CODES_ATTENDUS = {
    "etp_salaries_inverses": {"R01"},
    "budget_en_milliers": {"D-UNITE", "R06c"},
    "financements_incoherents": {"R04b"},
    "dates_agrement_inversees": {"R09b"},
    "saut_x10": {"D-UNITE", "R16a", "R16c", "R16d", "R04b", "R14b", "D-EVOL", "D-PAIRS"},
}


def test_each_kind_of_planted_error_is_flagged_and_clean_responses_are_mostly_left_alone(controle, jeu):
    rapport, qualite, signaux = controle
    assert rapport.reponses == PROPRES + len(GENRES) * PAR_GENRE
    for genre in GENRES:
        assert qualite.rappel_de(genre) >= 0.75, (genre, qualite.par_genre[genre], qualite.manquees)
    assert qualite.rappel >= 0.9
    # Chaque genre est attrapé par la règle ou le détecteur qui le décrit.
    for erreur in jeu.plantees:
        trouves = {s.code for s in signaux.get(erreur.identifiant, ())}
        assert trouves & CODES_ATTENDUS[erreur.genre], (erreur, trouves)
    # Fausses alertes (toutes gravités, information comprise) : moins de 10 % des réponses propres.
    assert qualite.propres == PROPRES
    assert qualite.taux_fausses_alertes < 0.10, qualite.fausses_alertes
