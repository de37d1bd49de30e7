import datetime

import pytest
from django.urls import reverse

from core.questions_identite import formater_valeur, reponses_identite
from senacs.reponses.models import Reponse
from senacs.structures.models import Agrement
from senacs.territoires.models import Departement
from tests.factories import CampagneFactory, MandatFactory, StructureFactory


def url_fiche(structure):
    return reverse("structures:detail", args=[structure.pk])


@pytest.fixture
def campagne(db):
    return CampagneFactory(annee=2026)


# --- Fiche d'une structure : 404 (jamais 403) hors du périmètre des données brutes ---


def test_it_shows_its_department_structures_to_a_correspondent(client, correspondant_69, structure_69):
    client.force_login(correspondant_69)
    reponse = client.get(url_fiche(structure_69))
    assert reponse.status_code == 200
    assert "Centre social de la Croix-Rousse" in reponse.content.decode()


def test_it_hides_other_territories(client, correspondant_69, structure_69, structure_01):
    client.force_login(correspondant_69)
    reponse = client.get(url_fiche(structure_01))
    assert reponse.status_code == 404
    assert "Page introuvable" in reponse.content.decode()
    assert "Espace de vie sociale de Bourg" not in reponse.content.decode()


def test_it_shows_the_whole_region_to_a_regional_correspondent_and_nothing_outside(
    client, correspondant_region_84, structure_69, structure_01, structure_35
):
    client.force_login(correspondant_region_84)
    assert client.get(url_fiche(structure_69)).status_code == 200
    assert client.get(url_fiche(structure_01)).status_code == 200
    assert client.get(url_fiche(structure_35)).status_code == 404


def test_it_shows_a_structure_user_only_its_own_structure(client, usager_structure_69, structure_69):
    voisine = StructureFactory(nom="Centre social voisin")  # même département (69)
    client.force_login(usager_structure_69)
    assert client.get(url_fiche(structure_69)).status_code == 200
    assert client.get(url_fiche(voisine)).status_code == 404


def test_it_shows_the_preparer_its_territory_only(client, preparateur_69, structure_69, structure_01):
    client.force_login(preparateur_69)
    assert client.get(url_fiche(structure_69)).status_code == 200
    assert client.get(url_fiche(structure_01)).status_code == 404


@pytest.mark.parametrize("persona", ["copil_69", "invite_69", "national", "sans_mandat", "correspondant_expire_69"])
def test_it_never_shows_raw_data_to_roles_without_raw_access(client, request, persona, structure_69):
    client.force_login(request.getfixturevalue(persona))
    reponse = client.get(url_fiche(structure_69))
    assert reponse.status_code == 404
    assert "Croix-Rousse" not in reponse.content.decode()


def test_it_returns_404_for_a_structure_that_does_not_exist(client, correspondant_69):
    client.force_login(correspondant_69)
    assert client.get("/structures/999999/").status_code == 404


def test_it_redirects_anonymous_visitors_to_the_login_page(client, structure_69):
    reponse = client.get(url_fiche(structure_69))
    assert reponse.status_code == 302
    assert reponse.url.startswith(reverse("comptes:connexion"))


def test_it_shows_the_register_identity_and_the_agrement_history(client, correspondant_69, structure_69):
    structure_69.siret = "12345678900011"
    structure_69.population_zone = 12345
    structure_69.save()
    Agrement.objects.create(
        structure=structure_69, date_debut=datetime.date(2018, 1, 1), date_fin=datetime.date(2021, 12, 31)
    )
    client.force_login(correspondant_69)
    html = client.get(url_fiche(structure_69)).content.decode()
    assert "12345678900011" in html
    assert "12\xa0345 habitants" in html
    assert "Associatif" in html
    assert '<th scope="row">01/01/2018</th>' in html
    assert "31/12/2025" in html
    assert "Historique des agréments" in html


def test_it_shows_the_identity_answers_with_their_codes_per_campaign(client, correspondant_69, structure_69, campagne):
    Reponse.objects.create(
        campagne=campagne,
        structure=structure_69,
        statut="soumise",
        valeurs={"A01": "Centre social de la Croix-Rousse", "A09": "1998-09-01", "A12": 24500, "A15": "associatif"},
    )
    ancienne = CampagneFactory(annee=2025, phase="archivee")
    Reponse.objects.create(campagne=ancienne, structure=structure_69, statut="validee", valeurs={"A19": True})
    client.force_login(correspondant_69)
    html = client.get(url_fiche(structure_69)).content.decode()
    assert "Campagne 2026" in html and "Campagne 2025" in html
    assert '<span class="code-question">A09</span> Date du premier agrément' in html
    assert "01/09/1998" in html
    assert "24\xa0500" in html
    assert "Soumise" in html and "Validée" in html
    assert '<span class="code-question">A19</span>' in html
    assert "Non renseigné" in html


def test_it_says_when_a_structure_has_not_started_the_campaign(client, usager_structure_69, structure_69, campagne):
    client.force_login(usager_structure_69)
    html = client.get(url_fiche(structure_69)).content.decode()
    assert "Non commencée" in html
    assert "Aucune réponse n'a encore été commencée" in html


def test_it_formats_identity_values_the_french_way():
    assert formater_valeur(True) == "Oui"
    assert formater_valeur(False) == "Non"
    assert formater_valeur(1234567) == "1\xa0234\xa0567"
    assert formater_valeur(12.5) == "12,5"
    assert formater_valeur(1998, code="A25") == "1998"
    assert formater_valeur("2024-03-05") == "05/03/2024"
    assert formater_valeur(["Axe 1", "Axe 2"]) == "Axe 1 ; Axe 2"
    assert formater_valeur(None) == "Non renseigné"
    assert formater_valeur("rural", libelles_choix={"rural": "Un espace à dominante rurale"}).startswith("Un espace")
    lignes = reponses_identite({"A01": "Nom"})
    assert [ligne.code for ligne in lignes][:2] == ["A01", "A02"] and len(lignes) == 26
    assert lignes[0].renseignee and not lignes[1].renseignee


def test_the_project_axes_asked_one_by_one_show_as_one_identity_answer():
    axes = {ligne.code: ligne for ligne in reponses_identite({"A14A": "Familles", "A14B": " ", "A14C": "Jeunesse"})}
    assert axes["A14"].valeur == "Familles ; Jeunesse" and axes["A14"].renseignee
    assert reponses_identite({"A14": ["Ancien axe"], "A14A": "Nouveau"})[13].valeur == "Ancien axe"
    assert not {ligne.code: ligne for ligne in reponses_identite({})}["A14"].renseignee


# --- Liste des structures ---


def test_it_lists_the_structures_of_the_correspondent_department_only(
    client, correspondant_69, structure_69, structure_01, campagne
):
    client.force_login(correspondant_69)
    html = client.get(reverse("structures:liste")).content.decode()
    assert "Centre social de la Croix-Rousse" in html
    assert "Espace de vie sociale de Bourg" not in html
    assert "Non commencée" in html


def test_it_lists_only_its_own_structure_to_a_structure_user(client, usager_structure_69, structure_69):
    StructureFactory(nom="Centre social voisin")
    client.force_login(usager_structure_69)
    html = client.get(reverse("structures:liste")).content.decode()
    assert "Centre social de la Croix-Rousse" in html
    assert "Centre social voisin" not in html


def test_it_ignores_a_department_filter_outside_the_perimeter(
    client, correspondant_region_84, structure_69, structure_01, structure_35
):
    client.force_login(correspondant_region_84)
    html = client.get(reverse("structures:liste"), {"departement": "35"}).content.decode()
    assert "Ce département n&#x27;est pas dans votre périmètre." in html
    assert "Rennes" not in html
    assert "Croix-Rousse" in html and "Bourg" in html
    html = client.get(reverse("structures:liste"), {"departement": "01"}).content.decode()
    assert "Bourg" in html and "Croix-Rousse" not in html


@pytest.mark.parametrize("persona", ["copil_69", "invite_69", "national", "sans_mandat"])
def test_it_refuses_the_list_to_roles_without_raw_access(client, request, persona, structure_69):
    client.force_login(request.getfixturevalue(persona))
    reponse = client.get(reverse("structures:liste"))
    assert reponse.status_code == 403
    assert "Accès refusé" in reponse.content.decode()


def test_it_paginates_the_list_by_fifty(client, correspondant_69, campagne, django_assert_max_num_queries):
    for i in range(55):
        StructureFactory(nom=f"Structure {i:02d}", agrement=False)
    client.force_login(correspondant_69)
    with django_assert_max_num_queries(
        10
    ):  # session, compte, second facteur, charte, mandats, compteur « À faire » du menu, puis la page
        html = client.get(reverse("structures:liste")).content.decode()
    assert "55 structures, page 1 sur 2" in html
    assert html.count('<th scope="row">') == 50
    html = client.get(reverse("structures:liste"), {"page": 2}).content.decode()
    assert html.count('<th scope="row">') == 5


def test_it_searches_structures_by_name_or_commune(client, correspondant_69, structure_69):
    StructureFactory(nom="Maison pour tous", commune_nom="Villeurbanne")
    client.force_login(correspondant_69)
    html = client.get(reverse("structures:liste"), {"q": "villeur"}).content.decode()
    assert "Maison pour tous" in html and "Croix-Rousse" not in html


def test_search_ignores_accents_and_case(client, correspondant_69, structure_69):
    StructureFactory(nom="Centre social Charles-Péguy", commune_nom="Vénissieux")
    client.force_login(correspondant_69)
    for recherche in ("peguy", "PÉGUY", "venissieux"):
        html = client.get(reverse("structures:liste"), {"q": recherche}).content.decode()
        assert "Charles-Péguy" in html and "Croix-Rousse" not in html, recherche
    assert "Charles-Péguy" not in client.get(reverse("structures:liste"), {"q": "pe.uy"}).content.decode()


def test_it_gives_the_preparer_of_another_department_nothing_here(client, structure_69):
    preparateur_01 = MandatFactory(role="preparateur", departement=Departement.objects.get(code="01")).utilisateur
    client.force_login(preparateur_01)
    assert client.get(url_fiche(structure_69)).status_code == 404
    assert "Croix-Rousse" not in client.get(reverse("structures:liste")).content.decode()
