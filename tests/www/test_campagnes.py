import datetime

import pytest
from django.urls import reverse

from senacs.campagnes.models import ChangementPhase, ProrogationSaisie
from senacs.reponses.models import Reponse
from senacs.territoires.models import Departement
from tests.factories import CampagneFactory, StructureFactory


@pytest.fixture
def campagne(db):
    return CampagneFactory(annee=2026, phase="saisie")


def url_detail(campagne):
    return reverse("campagnes:detail", args=[campagne.annee])


def url_phase(campagne):
    return reverse("campagnes:changer_phase", args=[campagne.annee])


def url_proroger(campagne):
    return reverse("campagnes:proroger", args=[campagne.annee])


# --- Liste et détail ---


@pytest.mark.parametrize(
    "persona", ["usager_structure_69", "correspondant_69", "copil_69", "invite_69", "preparateur_69", "national"]
)
def test_it_lists_campaigns_to_anyone_with_a_mandate(client, request, persona, campagne):
    CampagneFactory(annee=2025, phase="archivee")
    client.force_login(request.getfixturevalue(persona))
    html = client.get(reverse("campagnes:liste")).content.decode()
    assert "Campagne 2026" in html and "Campagne 2025" in html
    assert "Archivée" in html and "Saisie" in html
    assert "du 15/01/2026 au 30/04/2026" in html
    assert "campagne courante" in html


@pytest.mark.parametrize("persona", ["sans_mandat", "correspondant_expire_69"])
def test_it_refuses_campaigns_to_users_without_a_valid_mandate(client, request, persona, campagne):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("campagnes:liste")).status_code == 403
    assert client.get(url_detail(campagne)).status_code == 403


def test_it_shows_the_timeline_with_the_current_phase(client, copil_69, campagne):
    client.force_login(copil_69)
    html = client.get(url_detail(campagne)).content.decode()
    assert '<li aria-current="step">' in html
    assert "phase en cours" in html
    assert "du 15/01/2026 au 30/04/2026" in html
    # Ni changement de phase ni prorogation pour un membre de COPIL.
    assert "Changer de phase" not in html
    assert "Accorder une prorogation" not in html


def test_it_returns_404_for_an_unknown_campaign(client, national):
    client.force_login(national)
    assert client.get("/campagnes/1999/").status_code == 404


def test_it_shows_the_extensions_of_the_perimeter_only(client, correspondant_69, national, campagne):
    for code, jour in (("69", 15), ("01", 20)):
        ProrogationSaisie.objects.create(
            campagne=campagne,
            departement=Departement.objects.get(code=code),
            date_fin_saisie=datetime.date(2026, 5, jour),
            par=national,
        )
    client.force_login(correspondant_69)
    html = client.get(url_detail(campagne)).content.decode()
    assert "69 – Rhône" in html and "15/05/2026" in html
    assert "01 – Ain" not in html and "20/05/2026" not in html
    client.force_login(national)
    html = client.get(url_detail(campagne)).content.decode()
    assert "69 – Rhône" in html and "20/05/2026" in html


# --- Changement de phase : national seulement, journalisé ---


@pytest.mark.parametrize("persona", ["correspondant_69", "copil_69", "usager_structure_69", "preparateur_69"])
def test_it_refuses_the_phase_change_to_anyone_but_national(client, request, persona, campagne):
    client.force_login(request.getfixturevalue(persona))
    reponse = client.post(url_phase(campagne), {"sens": "avancer", "phase_actuelle": "saisie"})
    assert reponse.status_code == 403
    assert "Accès refusé" in reponse.content.decode()
    campagne.refresh_from_db()
    assert campagne.phase == "saisie"
    assert not ChangementPhase.objects.exists()


def test_it_lets_national_advance_one_phase_and_logs_it(client, national, campagne):
    client.force_login(national)
    html = client.get(url_detail(campagne)).content.decode()
    assert "Passer à la phase « Contrôle de cohérence »" in html
    assert "Revenir à la phase « Préparation »" in html
    reponse = client.post(url_phase(campagne), {"sens": "avancer", "phase_actuelle": "saisie"}, follow=True)
    assert reponse.redirect_chain[-1][0] == url_detail(campagne)
    campagne.refresh_from_db()
    assert campagne.phase == "controle"
    changement = ChangementPhase.objects.get()
    assert (changement.ancienne_phase, changement.nouvelle_phase, changement.par) == ("saisie", "controle", national)
    html = reponse.content.decode()
    assert "est passée en phase « Contrôle de cohérence »" in html
    assert changement.le.astimezone().strftime("%d/%m/%Y") in html
    assert str(national) in html


def test_it_refuses_to_go_back_without_a_reason(client, national, campagne):
    client.force_login(national)
    reponse = client.post(url_phase(campagne), {"sens": "reculer", "phase_actuelle": "saisie", "motif": "  "})
    assert reponse.status_code == 400
    assert "Indiquez le motif du retour à la phase précédente : il est obligatoire." in reponse.content.decode()
    campagne.refresh_from_db()
    assert campagne.phase == "saisie"
    assert not ChangementPhase.objects.exists()


def test_it_goes_back_one_phase_with_a_reason(client, national, campagne):
    client.force_login(national)
    client.post(
        url_phase(campagne),
        {"sens": "reculer", "phase_actuelle": "saisie", "motif": "Questionnaire à corriger"},
    )
    campagne.refresh_from_db()
    assert campagne.phase == "preparation"
    assert ChangementPhase.objects.get().motif == "Questionnaire à corriger"
    assert "Questionnaire à corriger" in client.get(url_detail(campagne)).content.decode()


def test_it_does_not_skip_a_phase_on_a_double_submission(client, national, campagne):
    client.force_login(national)
    donnees = {"sens": "avancer", "phase_actuelle": "saisie"}
    client.post(url_phase(campagne), donnees)
    reponse = client.post(url_phase(campagne), donnees)
    assert reponse.status_code == 400
    assert "La phase de la campagne a changé entre-temps" in reponse.content.decode()
    campagne.refresh_from_db()
    assert campagne.phase == "controle"
    assert ChangementPhase.objects.count() == 1


def test_it_refuses_the_phase_change_on_get(client, national, campagne):
    client.force_login(national)
    assert client.get(url_phase(campagne)).status_code == 405


# --- Prorogation de la date limite de saisie ---


def test_it_lets_a_correspondent_extend_its_own_department(client, correspondant_69, campagne):
    client.force_login(correspondant_69)
    assert "Accorder une prorogation" in client.get(url_detail(campagne)).content.decode()
    reponse = client.post(
        url_proroger(campagne), {"departement": "69", "date_fin_saisie": "15/05/2026", "motif": "Retards"}, follow=True
    )
    prorogation = ProrogationSaisie.objects.get()
    assert (prorogation.departement_id, prorogation.date_fin_saisie) == ("69", datetime.date(2026, 5, 15))
    assert prorogation.par == correspondant_69
    assert "est reportée au 15/05/2026" in reponse.content.decode()


def test_it_refuses_a_crafted_extension_outside_the_perimeter(client, correspondant_69, campagne):
    client.force_login(correspondant_69)
    html = client.get(url_detail(campagne)).content.decode()
    assert '<option value="01"' not in html
    reponse = client.post(url_proroger(campagne), {"departement": "01", "date_fin_saisie": "2026-05-15"})
    assert reponse.status_code == 400
    assert "Ce département n&#x27;est pas dans votre périmètre." in reponse.content.decode()
    assert not ProrogationSaisie.objects.exists()


def test_it_checks_the_extension_dates_in_french(client, correspondant_69, campagne):
    client.force_login(correspondant_69)
    html = client.post(url_proroger(campagne), {"departement": "69", "date_fin_saisie": "2026-04-01"}).content.decode()
    assert "ne peut pas précéder la date nationale de fin de saisie (30/04/2026)" in html
    html = client.post(url_proroger(campagne), {"departement": "69", "date_fin_saisie": "2026-07-01"}).content.decode()
    assert "doit rester avant la fin du contrôle de cohérence (15/06/2026)" in html
    html = client.post(url_proroger(campagne), {"departement": "69", "date_fin_saisie": "demain"}).content.decode()
    assert "Saisissez une date valide au format JJ/MM/AAAA." in html
    assert not ProrogationSaisie.objects.exists()


def test_it_lets_national_extend_any_department(client, national, campagne):
    client.force_login(national)
    client.post(url_proroger(campagne), {"departement": "35", "date_fin_saisie": "2026-05-31"})
    assert ProrogationSaisie.objects.get().departement_id == "35"


@pytest.mark.parametrize("persona", ["copil_69", "preparateur_69", "usager_structure_69"])
def test_it_refuses_extensions_to_roles_that_do_not_follow_the_collection(client, request, persona, campagne):
    client.force_login(request.getfixturevalue(persona))
    reponse = client.post(url_proroger(campagne), {"departement": "69", "date_fin_saisie": "2026-05-15"})
    assert reponse.status_code == 403
    assert not ProrogationSaisie.objects.exists()


def test_it_refuses_an_extension_once_entry_is_over(client, correspondant_69):
    campagne = CampagneFactory(annee=2026, phase="analyse")
    client.force_login(correspondant_69)
    assert "Accorder une prorogation" not in client.get(url_detail(campagne)).content.decode()
    reponse = client.post(url_proroger(campagne), {"departement": "69", "date_fin_saisie": "2026-05-15"})
    assert "ne peut plus être prorogée" in reponse.content.decode()
    assert not ProrogationSaisie.objects.exists()


# --- Suivi de la collecte ---


def _reponse(structure, campagne, statut):
    return Reponse.objects.create(structure=structure, campagne=campagne, statut=statut)


def test_it_lists_the_expected_structures_with_their_status(client, correspondant_69, structure_69, campagne):
    sans_agrement = StructureFactory(nom="Centre social sans agrément", agrement=False)
    brouillon = StructureFactory(nom="Centre social en brouillon")
    _reponse(brouillon, campagne, "brouillon")
    client.force_login(correspondant_69)
    html = client.get(reverse("campagnes:suivi")).content.decode()
    assert "Croix-Rousse" in html and "Centre social en brouillon" in html
    assert sans_agrement.nom not in html
    assert "Non commencée" in html and "Brouillon" in html
    assert f'href="{reverse("structures:detail", args=[structure_69.pk])}"' in html
    assert "2 résultats" in html


def test_it_never_lists_structures_outside_the_perimeter_even_when_asked(
    client, correspondant_69, structure_69, structure_01, campagne
):
    client.force_login(correspondant_69)
    for requete in ({}, {"departement": "01"}, {"departement": "01", "etat": "non_commencee"}, {"page": "2"}):
        reponse = client.get(reverse("campagnes:suivi"), requete)
        assert reponse.status_code == 200
        html = reponse.content.decode()
        assert "Bourg" not in html
        assert "Croix-Rousse" in html
        if requete.get("departement") == "01":
            assert "Ce département n&#x27;est pas dans votre périmètre." in html


def test_it_filters_by_department_within_the_perimeter_and_by_status(
    client, correspondant_region_84, structure_69, structure_01, structure_35, campagne
):
    _reponse(structure_01, campagne, "soumise")
    client.force_login(correspondant_region_84)
    html = client.get(reverse("campagnes:suivi"), {"departement": "01"}).content.decode()
    assert "Bourg" in html and "Croix-Rousse" not in html
    assert "<h2>01 – Ain</h2>" in html
    html = client.get(reverse("campagnes:suivi"), {"etat": "non_commencee"}).content.decode()
    assert "Croix-Rousse" in html and "Bourg" not in html and "Rennes" not in html
    html = client.get(reverse("campagnes:suivi"), {"etat": "soumise"}).content.decode()
    assert "Bourg" in html and "Croix-Rousse" not in html


def test_it_shows_national_everything_without_links_to_raw_data(
    client, national, structure_69, structure_35, campagne
):
    client.force_login(national)
    html = client.get(reverse("campagnes:suivi")).content.decode()
    assert "Croix-Rousse" in html and "Rennes" in html
    assert reverse("structures:detail", args=[structure_69.pk]) not in html


@pytest.mark.parametrize("persona", ["copil_69", "invite_69", "preparateur_69", "usager_structure_69", "sans_mandat"])
def test_it_refuses_the_follow_up_list_to_roles_that_do_not_follow_the_collection(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("campagnes:suivi")).status_code == 403


def test_it_paginates_the_follow_up_list_with_a_bounded_number_of_queries(
    client, correspondant_69, campagne, django_assert_max_num_queries
):
    structures = [StructureFactory(nom=f"Centre {i:03d}") for i in range(120)]
    for s in structures[:30]:
        _reponse(s, campagne, "soumise")
    for s in structures[30:40]:
        _reponse(s, campagne, "validee")
    client.force_login(correspondant_69)
    with django_assert_max_num_queries(
        10
    ):  # session, compte, second facteur, charte, mandats, compteur « À faire » du menu, puis la page
        reponse = client.get(reverse("campagnes:suivi"))
    html = reponse.content.decode()
    assert html.count('<th scope="row">') == 50
    assert "120 résultats, page 1 sur 3" in html
    assert "33,3&nbsp;%" in html  # 40 réponses sur 120 attendues
    with django_assert_max_num_queries(10):
        html = client.get(reverse("campagnes:suivi"), {"etat": "soumise", "page": "1"}).content.decode()
    assert "30 résultats" in html and html.count('<th scope="row">') == 30
    html = client.get(reverse("campagnes:suivi"), {"page": "3"}).content.decode()
    assert html.count('<th scope="row">') == 20
    assert "etat=" not in html or "page=2" in html


def test_it_keeps_the_filters_in_the_pagination_links(client, correspondant_69, campagne):
    for i in range(60):
        StructureFactory(nom=f"Centre {i:03d}")
    client.force_login(correspondant_69)
    html = client.get(reverse("campagnes:suivi"), {"departement": "69", "etat": "non_commencee"}).content.decode()
    assert "?departement=69&amp;etat=non_commencee&amp;page=2" in html


def test_it_shows_the_effective_deadline_per_structure(client, correspondant_region_84, national, campagne):
    StructureFactory(nom="Centre du Rhône")
    StructureFactory(nom="Centre de l'Ain", departement=Departement.objects.get(code="01"))
    ProrogationSaisie.objects.create(
        campagne=campagne,
        departement=Departement.objects.get(code="01"),
        date_fin_saisie=datetime.date(2026, 5, 20),
        par=national,
    )
    client.force_login(correspondant_region_84)
    html = client.get(reverse("campagnes:suivi")).content.decode()
    assert "20/05/2026" in html and "30/04/2026" in html


def test_it_drops_only_the_invalid_filter(client, correspondant_69, structure_69, structure_01, campagne):
    _reponse(StructureFactory(nom="Centre social en brouillon"), campagne, "brouillon")
    _reponse(structure_01, campagne, "brouillon")
    client.force_login(correspondant_69)
    html = client.get(reverse("campagnes:suivi"), {"departement": "01", "etat": "brouillon"}).content.decode()
    assert "Ce filtre a été ignoré" in html
    assert "Centre social en brouillon" in html
    assert "Croix-Rousse" not in html and "Bourg" not in html
