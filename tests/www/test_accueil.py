import datetime

import pytest
from django.urls import reverse

from senacs.campagnes.models import ProrogationSaisie
from senacs.reponses.models import Reponse
from senacs.territoires.models import Departement
from tests.factories import CampagneFactory, MandatFactory, StructureFactory

MESSAGE_SANS_MANDAT = (
    "Vous n'avez aucun mandat en cours : aucune donnée n'est accessible. Contactez votre Caf ou votre fédération."
)


@pytest.fixture
def en_saisie(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def campagne(db, en_saisie):
    return CampagneFactory(annee=2026, phase="saisie")


def _reponse(structure, campagne, statut):
    return Reponse.objects.create(structure=structure, campagne=campagne, statut=statut)


def _accueil(client, utilisateur):
    client.force_login(utilisateur)
    reponse = client.get(reverse("accueil"))
    assert reponse.status_code == 200
    return reponse.content.decode()


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    reponse = client.get(reverse("accueil"))
    assert reponse.status_code == 302
    assert reponse.url.startswith(reverse("comptes:connexion"))


@pytest.mark.parametrize("persona", ["sans_mandat", "correspondant_expire_69"])
def test_it_shows_only_the_no_mandate_message_to_users_without_a_valid_mandate(
    client, request, persona, campagne, structure_69
):
    html = _accueil(client, request.getfixturevalue(persona))
    assert MESSAGE_SANS_MANDAT in html
    assert "Campagne 2026" not in html
    assert "Navigation principale" not in html
    assert "Croix-Rousse" not in html


def test_it_shows_the_current_campaign_timeline_and_dates(client, copil_69, campagne):
    CampagneFactory(annee=2025, phase="archivee")
    html = _accueil(client, copil_69)
    assert "Campagne 2026" in html and "(données de l'année 2025)" in html
    assert '<li aria-current="step">' in html
    assert "du 15/01/2026 au 30/04/2026" in html
    assert "Votre date limite de saisie (69 – Rhône)" in html


def test_it_takes_the_latest_non_archived_campaign_as_current(client, copil_69, en_saisie):
    CampagneFactory(annee=2027, phase="archivee")  # cas limite : une campagne récente déjà archivée
    CampagneFactory(annee=2026, phase="analyse")
    assert "Campagne 2026" in _accueil(client, copil_69)


def test_it_falls_back_to_the_latest_campaign_when_all_are_archived(client, copil_69, en_saisie):
    CampagneFactory(annee=2024, phase="archivee")
    CampagneFactory(annee=2025, phase="archivee")
    html = _accueil(client, copil_69)
    assert "Campagne 2025" in html and "Campagne 2024" not in html


def test_it_says_when_there_is_no_campaign_yet(client, correspondant_69):
    html = _accueil(client, correspondant_69)
    assert "Aucune campagne n'a encore été créée" in html


def test_it_shows_a_structure_its_status_and_effective_deadline(
    client, usager_structure_69, structure_69, campagne, national
):
    _reponse(structure_69, campagne, "brouillon")
    ProrogationSaisie.objects.create(
        campagne=campagne,
        departement=Departement.objects.get(code="69"),
        date_fin_saisie=datetime.date(2026, 5, 15),
        par=national,
    )
    html = _accueil(client, usager_structure_69)
    assert "Votre structure" in html
    assert "Centre social de la Croix-Rousse" in html
    assert "Brouillon" in html
    assert "15/05/2026" in html and "prorogée" in html
    assert "au plus tard le 15/05/2026" in html
    assert reverse("structures:detail", args=[structure_69.pk]) in html
    # Pas de suivi ni de comptes de territoire pour une structure.
    assert "Taux de réponse" not in html
    assert reverse("campagnes:suivi") not in html


def test_it_shows_a_structure_that_has_not_started(client, usager_structure_69, structure_69, campagne):
    html = _accueil(client, usager_structure_69)
    assert "Non commencée" in html


def test_it_warns_a_structure_once_its_deadline_is_over(client, usager_structure_69, structure_69, time_machine):
    campagne = CampagneFactory(annee=2026, phase="saisie")
    time_machine.move_to(datetime.datetime(2026, 5, 10, 10, 0, tzinfo=datetime.UTC), tick=False)
    html = _accueil(client, usager_structure_69)
    assert "La date limite de saisie est dépassée" in html
    assert campagne.date_fin_saisie.strftime("%d/%m/%Y") in html


def test_it_shows_a_correspondent_the_counts_of_its_department(
    client, correspondant_69, structure_69, structure_01, campagne
):
    for statut in ("brouillon", "soumise", "validee", "validee"):
        _reponse(StructureFactory(), campagne, statut)
    StructureFactory(agrement=False)  # pas d'agrément en 2025 : non attendue
    _reponse(structure_01, campagne, "soumise")  # un autre département
    html = _accueil(client, correspondant_69)
    assert "Suivi de la collecte (correspondant SENACS)" in html
    assert "Département 69 – Rhône" in html
    cellules = [
        '<td class="nombre">5</td>',  # attendues
        '<td class="nombre">1</td>',  # non commencées (structure_69)
        '<td class="nombre">2</td>',  # validées
        '<td class="nombre">60&nbsp;%</td>',  # (1 soumise + 2 validées) / 5
    ]
    for cellule in cellules:
        assert cellule in html
    assert "01 – Ain" not in html
    assert f"{reverse('campagnes:suivi')}?departement=69" in html


def test_it_shows_a_regional_correspondent_every_department_with_few_queries(
    client, correspondant_region_84, structure_35, campagne, django_assert_max_num_queries
):
    isere = Departement.objects.get(code="38")
    for i in range(30):
        s = StructureFactory(departement=isere if i % 2 else Departement.objects.get(code="69"))
        if i % 3 == 0:
            _reponse(s, campagne, "soumise")
    client.force_login(correspondant_region_84)
    with django_assert_max_num_queries(
        10
    ):  # session, compte, second facteur, charte, mandats, compteur « À faire » du menu, puis la page
        html = client.get(reverse("accueil")).content.decode()
    assert "Région Auvergne-Rhône-Alpes" in html
    for departement in ("01 – Ain", "38 – Isère", "63 – Puy-de-Dôme", "69 – Rhône", "74 – Haute-Savoie"):
        assert departement in html
    assert html.count("?departement=") == 12
    assert '<th scope="row">Total</th>' in html
    assert '<td class="nombre">30</td>' in html
    assert "35 – Ille-et-Vilaine" not in html


@pytest.mark.parametrize("persona", ["copil_69", "invite_69"])
def test_it_shows_copil_members_and_guests_their_territory_without_figures(client, request, persona, campagne):
    StructureFactory()
    html = _accueil(client, request.getfixturevalue(persona))
    assert "Comité de pilotage" in html
    assert "Département 69 – Rhône" in html
    assert "Taux de réponse" not in html
    assert "Attendues" not in html
    assert f'href="{reverse("structures:liste")}"' not in html
    assert "Aucun tableau agrégé n'est encore diffusé" in html or "Aucun document n'est partagé pour l'instant" in html


def test_it_tells_a_preparer_how_many_structures_it_can_read(client, preparateur_69, structure_69, structure_01):
    StructureFactory()
    html = _accueil(client, preparateur_69)
    assert "Préparateur des données du COPIL — Département 69 – Rhône" in html
    assert '<span class="chiffre__valeur">2</span>' in html
    assert "structures dont vous pouvez consulter les réponses" in html
    assert reverse("structures:liste") in html


def test_it_shows_national_counts_by_region_and_the_campaign_management_buttons(
    client, national, structure_69, structure_01, structure_35, campagne
):
    _reponse(structure_35, campagne, "validee")
    html = _accueil(client, national)
    assert "Avancement national de la campagne 2026, par région" in html
    assert '<th scope="row">Auvergne-Rhône-Alpes</th>' in html
    assert '<th scope="row">Bretagne</th>' in html
    assert '<th scope="row">France entière</th>' in html
    assert '<td class="nombre">3</td>' in html
    assert "33,3&nbsp;%" in html
    assert f'href="{reverse("campagnes:detail", args=[2026])}">Gérer la campagne 2026' in html
    assert reverse("campagnes:suivi") in html


def test_it_links_admins_to_the_administration(client, campagne):
    admin = MandatFactory(role="admin", niveau="nation", departement=None, organisme="national").utilisateur
    admin.is_staff = True
    admin.save()
    html = _accueil(client, admin)
    assert "Administration de la plateforme" in html
    for nom in ("comptes_utilisateur", "comptes_mandat", "structures_structure"):
        assert reverse(f"admin:{nom}_changelist") in html


def test_it_hides_other_territories(client, correspondant_69, structure_01, structure_35, campagne):
    _reponse(structure_01, campagne, "soumise")
    html = _accueil(client, correspondant_69)
    assert "Bourg" not in html and "Rennes" not in html
    assert "01 – Ain" not in html and "Bretagne" not in html
    assert "Administration de la plateforme" not in html


def test_it_shows_one_block_per_role_for_a_user_with_several_mandates(client, usager_structure_69, campagne):
    MandatFactory(utilisateur=usager_structure_69, role="copil", niveau="departement")
    html = _accueil(client, usager_structure_69)
    assert "Votre structure" in html and "Comité de pilotage" in html
    assert "Structure (centre social ou EVS), Membre du comité de pilotage" in html


def test_it_marks_the_current_page_in_the_navigation(client, correspondant_69, campagne):
    html = _accueil(client, correspondant_69)
    assert f'<a href="{reverse("accueil")}" aria-current="page">Accueil</a>' in html
    html = client.get(reverse("campagnes:suivi")).content.decode()
    assert f'<a href="{reverse("campagnes:suivi")}" aria-current="page">Suivi de la collecte</a>' in html
    assert f'<a href="{reverse("accueil")}">Accueil</a>' in html


def test_it_offers_each_role_only_the_links_it_may_follow(client, usager_structure_69, copil_69, national, campagne):
    html = _accueil(client, usager_structure_69)
    assert ">Ma structure</a>" in html and ">Suivi de la collecte</a>" not in html
    html = _accueil(client, copil_69)
    assert ">Structures</a>" not in html and ">Ma structure</a>" not in html
    assert ">Suivi de la collecte</a>" not in html
    html = _accueil(client, national)
    assert ">Suivi de la collecte</a>" in html and ">Structures</a>" not in html
    assert "Le passage à la phase « Contrôle de cohérence » se fait depuis la page de la campagne." in html


def test_it_refuses_any_write_during_a_read_only_get(rf, correspondant_69):
    from django.db import transaction

    from senacs.www.decorators import EcritureInterdite, lecture_get_atomique_post

    @lecture_get_atomique_post
    def vue(request):
        correspondant_69.nom = "Modifié"
        correspondant_69.save(update_fields=["nom"])

    with pytest.raises(EcritureInterdite), transaction.atomic():
        vue(rf.get("/"))
    correspondant_69.refresh_from_db()
    assert correspondant_69.nom != "Modifié"
    vue(rf.post("/"))  # les POST écrivent, dans une transaction
    correspondant_69.refresh_from_db()
    assert correspondant_69.nom == "Modifié"


def test_a_read_only_get_may_write_the_access_journal_and_nothing_else(rf, correspondant_69, structure_69):
    from django.db import transaction

    from senacs.journal.ecriture import ecriture_journal
    from senacs.journal.models import AccesDonnees, Nature
    from senacs.journal.services import journaliser_acces
    from senacs.www.decorators import EcritureInterdite, lecture_get_atomique_post

    @lecture_get_atomique_post
    def consulter(request):
        journaliser_acces(correspondant_69, structures=[structure_69], nature=Nature.SAISIE)

    consulter(rf.get("/"))
    assert AccesDonnees.objects.filter(utilisateur=correspondant_69).count() == 1

    @lecture_get_atomique_post
    def profiter_de_l_exemption(request):
        with ecriture_journal():
            correspondant_69.nom = "Modifié"
            correspondant_69.save(update_fields=["nom"])

    with pytest.raises(EcritureInterdite), transaction.atomic():
        profiter_de_l_exemption(rf.get("/"))
    correspondant_69.refresh_from_db()
    assert correspondant_69.nom != "Modifié"
