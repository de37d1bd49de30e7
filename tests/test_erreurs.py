"""Une seule base pour les refus des services, montrée de la même façon par toutes les vues."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import path

from core.erreurs import ErreurMetier
from senacs.analyses.services import ErreurAnalyse
from senacs.controles.services import ErreurControle
from senacs.copil.services import ErreurCopil
from senacs.publications.services import ErreurPlaquette
from senacs.questionnaires.importation import ErreurQuestionnaire
from senacs.reponses.services import EcritureRefusee
from senacs.statistiques.automatises import ErreurTableaux
from senacs.statistiques.services import ErreurPublication
from senacs.www.decorators import lecture_get_atomique_post
from senacs.www.urls import urlpatterns as urls_du_site


@pytest.mark.parametrize(
    "classe",
    [ErreurPlaquette, ErreurCopil, ErreurAnalyse, ErreurControle, EcritureRefusee, ErreurPublication, ErreurTableaux],
)
def test_every_service_refusal_is_a_domain_error_with_its_french_message(classe):
    erreur = classe("La campagne n'est pas en phase de saisie.")
    assert isinstance(erreur, ErreurMetier)
    assert erreur.message == str(erreur) == "La campagne n'est pas en phase de saisie."


def test_validation_errors_keep_their_list_of_messages():
    erreur = ErreurPlaquette(["Premier motif.", "Second motif."])
    assert isinstance(erreur, ValidationError)
    assert erreur.messages == ["Premier motif.", "Second motif."]
    assert erreur.message == "Premier motif. Second motif."
    assert ErreurQuestionnaire(["Ligne 3 : type inconnu."]).message == "Ligne 3 : type inconnu."


@lecture_get_atomique_post
def _vue_qui_refuse(request):
    national = request.user
    national.nom = "Écrit avant le refus"
    national.save(update_fields=["nom"])
    raise ErreurControle("La réponse est verrouillée : déverrouillez-la d'abord.")


urlpatterns = [path("refus/", _vue_qui_refuse), *urls_du_site]


@pytest.mark.urls("tests.test_erreurs")
def test_an_uncaught_refusal_is_a_400_page_in_french_and_nothing_is_written(national):
    client = Client()
    client.force_login(national)
    reponse = client.post("/refus/")
    assert reponse.status_code == 400
    html = reponse.content.decode()
    assert "Action refusée" in html and "La réponse est verrouillée : déverrouillez-la d&#x27;abord." in html
    national.refresh_from_db()
    assert national.nom != "Écrit avant le refus"
