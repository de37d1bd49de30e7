import pytest

from senacs.comptes.selectors import perimetre_de
from senacs.copil.models import Cote
from senacs.copil.services import copil_pour, invite_ajouter, membre_ajouter
from senacs.reponses.models import Reponse
from senacs.statistiques.services import diffusion_publier
from tests.factories import UtilisateurFactory
from tests.statistiques.fabriques import campagne_statistiques, var_dir  # noqa: F401

ASSOCIATIVES_69 = 2


@pytest.fixture
def jeu(db, var_dir):  # noqa: F811 (fixture importée)
    """La petite campagne des statistiques, avec exactement deux structures associatives dans le Rhône
    (les autres municipales) : le cas d'école de l'attaque par traceur."""
    jeu = campagne_statistiques()
    rang = 0
    for r in Reponse.objects.filter(campagne=jeu.campagne, structure__departement_id="69").order_by("structure_id"):
        r.valeurs = {**r.valeurs, "A15": "associatif" if rang < ASSOCIATIVES_69 else "collectivite"}
        r.save(update_fields=["valeurs"])
        rang += 1
    jeu.diffusion = diffusion_publier(campagne=jeu.campagne)
    return jeu


@pytest.fixture
def copil(db):
    return copil_pour("departement", "69")


@pytest.fixture
def membre(copil):
    return membre_ajouter(copil=copil, utilisateur=UtilisateurFactory(charte=True), cote=Cote.CAF).utilisateur


@pytest.fixture
def invite(copil):
    return invite_ajouter(
        copil=copil, utilisateur=UtilisateurFactory(charte=True), qualite="Centre invité"
    ).utilisateur


@pytest.fixture
def perimetre():
    return perimetre_de
