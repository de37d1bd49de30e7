import datetime
import html
import re

import pytest
from django.urls import reverse

from senacs.reponses.models import Reponse
from senacs.structures.models import Agrement
from senacs.territoires.models import Departement
from tests.factories import CampagneFactory, StructureFactory

# Marque explicite (et pas seulement celle qu'ajoute tests/conftest.py) : pytest-django ordonne les
# tests avant que le conftest n'ajoute sa marque ; sans elle, ces tests passeraient après les tests
# navigateur transactionnels, qui vident la base (référentiel des territoires compris).
pytestmark = pytest.mark.django_db


def texte(reponse) -> str:
    """Contenu de la page sans balises ni espaces multiples (espaces insécables comprises)."""
    sans_balises = html.unescape(re.sub(r"<[^>]+>", " ", reponse.content.decode()))
    return " ".join(sans_balises.replace("\u202f", " ").replace("\u00a0", " ").split())


@pytest.fixture
def registre_demo(structure_69, structure_01):
    ain = Departement.objects.get(code="01")
    StructureFactory(nom="Centre social Gerland", commune_nom="Lyon 7e")
    StructureFactory(nom="EVS des Pentes", type="EVS")
    StructureFactory(nom="Centre social fermé", active=False)
    StructureFactory(nom="Centre social d'Oyonnax", departement=ain, commune_insee="01283", code_postal="01100")
    return structure_69


def test_the_directory_lists_regions_and_departments_with_active_cs_and_evs(client, registre_demo):
    reponse = client.get(reverse("annuaire:departements"))

    assert reponse.status_code == 200
    page = texte(reponse)
    assert "Auvergne-Rhône-Alpes" in page and "Bretagne" in page
    assert "01 – Ain 1 1 2" in page  # CS, EVS, total
    assert "69 – Rhône 2 1 3" in page  # la structure fermée n'est pas comptée
    assert "Ensemble de la région 3 2 5" in page
    assert "Structures en activité par département, région Auvergne-Rhône-Alpes" in page
    source = reponse.content.decode()
    assert '<th scope="col" class="nombre">Centres sociaux</th>' in source
    assert f'href="{reverse("annuaire:departement", args=["69"])}"' in source


def test_the_directory_counts_with_one_aggregate_query(client, registre_demo, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(reverse("annuaire:departements")).status_code == 200


def test_large_counts_use_french_thousands_separators(client):
    StructureFactory.create_batch(1001, agrement=False)
    page = client.get(reverse("annuaire:departements")).content.decode()
    assert "1\u202f001" in page or "1\u00a0001" in page


def test_a_department_page_lists_its_active_structures_with_a_type_filter(client, registre_demo):
    url = reverse("annuaire:departement", args=["69"])

    reponse = client.get(url)

    assert reponse.status_code == 200
    page = texte(reponse)
    assert "Rhône (69)" in page
    assert "Centre social de la Croix-Rousse CS Lyon Associatif" in page
    assert "Centre social Gerland" in page and "EVS des Pentes" in page
    assert "Centre social fermé" not in page
    assert "Centre social d'Oyonnax" not in page
    assert "Structures en activité — Rhône (3)" in page
    source = reponse.content.decode()
    assert f'href="{reverse("annuaire:structure", args=[registre_demo.identifiant])}"' in source
    assert '<th scope="col">Mode de gestion</th>' in source

    page = texte(client.get(url, {"type": "EVS"}))
    assert "EVS des Pentes" in page
    assert "Gerland" not in page
    assert "Espaces de vie sociale en activité — Rhône (1)" in page

    assert "Gerland" in texte(client.get(url, {"type": "n'importe quoi"}))


def test_unknown_departments_and_structures_are_404(client, db):
    assert client.get(reverse("annuaire:departement", args=["99"])).status_code == 404
    assert client.get(reverse("annuaire:structure", args=["INCONNU"])).status_code == 404


def test_department_codes_are_case_insensitive(client, db):
    assert client.get(reverse("annuaire:departement", args=["2a"])).status_code == 200


def test_the_identity_sheet_shows_the_public_fields(client, structure_69):
    structure_69.siret = "73282932000074"
    structure_69.adresse = "12 rue d'Austerlitz"
    structure_69.email = "contact@cs-croixrousse.fr"
    structure_69.site_web = "https://cs-croixrousse.fr"
    structure_69.date_premier_agrement = datetime.date(1979, 9, 15)
    structure_69.population_zone = 12500
    structure_69.geographie_prioritaire = "qpv"
    structure_69.adherent_fcsf = True
    structure_69.save()
    Agrement.objects.create(
        structure=structure_69, date_debut=datetime.date(2018, 1, 1), date_fin=datetime.date(2021, 12, 31)
    )

    reponse = client.get(reverse("annuaire:structure", args=[structure_69.identifiant]))

    assert reponse.status_code == 200
    page = texte(reponse)
    assert "<h1>Centre social de la Croix-Rousse</h1>" in reponse.content.decode()
    for attendu in (
        "Centre social à Lyon (Rhône)",
        "12 rue d'Austerlitz 69001 Lyon",
        "Adresse électronique contact@cs-croixrousse.fr",
        "Site internet https://cs-croixrousse.fr",
        "Numéro SIRET 732 829 320 00074",
        "Date du premier agrément 15/09/1979",
        "du 01/01/2022 au 31/12/2025",
        "Mode de gestion Associatif",
        "Type de territoire d'intervention Un espace à dominante urbaine",
        "Géographie prioritaire Située sur un quartier prioritaire de la politique de la ville (QPV)",
        "Adhérente à la Fédération des centres sociaux Oui",
        "Population de la zone de compétence 12 500 habitants",
    ):
        assert attendu in page, attendu
    assert "du 01/01/2018" not in page  # seul l'agrément courant est montré


def test_the_identity_sheet_never_shows_questionnaire_answers(client, structure_69):
    Reponse.objects.create(
        campagne=CampagneFactory(),
        structure=structure_69,
        valeurs={"B01": "Réponse brute confidentielle", "F01": 987654321},
    )
    page = client.get(reverse("annuaire:structure", args=[structure_69.identifiant])).content.decode()
    assert "Réponse brute confidentielle" not in page
    assert "987" not in page


def test_a_closed_structure_sheet_says_so(client, structure_69):
    structure_69.active = False
    structure_69.date_fermeture = datetime.date(2024, 6, 30)
    structure_69.save()
    page = texte(client.get(reverse("annuaire:structure", args=[structure_69.identifiant])))
    assert "Cette structure n'est plus en activité depuis le 30/06/2024." in page


def test_public_pages_need_neither_login_nor_charter(client, structure_69, sans_charte):
    urls = [
        reverse("annuaire:departements"),
        reverse("annuaire:departement", args=["69"]),
        reverse("annuaire:structure", args=[structure_69.identifiant]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
    client.force_login(sans_charte)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_public_pages_are_read_only(client, structure_69):
    assert client.post(reverse("annuaire:departements")).status_code == 405


def test_a_department_list_is_in_french_alphabetical_order_for_anonymous_visitors(client, db):
    for nom in (
        "Centre social Lucie Aubrac",
        "Centre social Léo Lagrange",
        "centre social Éole",
        "Centre social Zola",
    ):
        StructureFactory(nom=nom)
    page = texte(client.get(reverse("annuaire:departement", args=["69"])))
    positions = [page.index(n) for n in ("Léo Lagrange", "Lucie Aubrac", "Zola")]
    assert positions == sorted(positions)  # « Léo » avant « Lucie », quelle que soit la base
    assert page.index("centre social Éole") < page.index("Léo Lagrange")  # accent et casse ignorés
