"""Pages de saisie : accès par rôle, enregistrement automatique (fragment htmx), aucune saisie perdue
entre deux sessions, saisies invalides, dépôt, accusé HTML et PDF."""

import datetime
import html as html_
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from senacs.campagnes.models import Phase
from senacs.reponses.models import Depot, Reponse, ReponseHistorique, RevueSaisie, Statut
from senacs.reponses.services import reponse_enregistrer
from tests.factories import CampagneFactory, UtilisateurFactory
from tests.reponses.donnees import VALEURS_COMPLETES

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(nom, structure, *args, annee=2026):
    return reverse(f"saisie:{nom}", args=[annee, structure.pk, *args])


def url_champ(structure, section, code):
    return url("champ", structure, section, code)


def _connecte(utilisateur) -> Client:
    client = Client()
    client.force_login(utilisateur)
    return client


def contenu(page) -> str:
    """Texte HTML de la page, entités décodées (« n'est » au lieu de « n&#x27;est »)."""
    return html_.unescape(page.content.decode())


def version_de(html: str, code: str) -> int:
    return int(re.search(rf'name="version_{code}" value="(\d+)"', html).group(1))


def autosave(client, structure, section, code, valeur, version):
    donnees = {f"version_{code}": str(version)}
    if isinstance(valeur, list):
        donnees[code] = valeur
    else:
        donnees[code] = valeur
    return client.post(url_champ(structure, section, code), donnees, **HTMX)


# --------------------------------------------------------------------------- accès


def test_it_shows_the_summary_and_sections_to_the_structure_user(client, usager_structure_69, structure_69, reponse):
    client.force_login(usager_structure_69)
    page = client.get(url("sommaire", structure_69))
    assert page.status_code == 200
    html = contenu(page)
    assert "Questionnaire 2026 — Centre social de la Croix-Rousse" in html
    assert url("section", structure_69, "E") in html
    section = client.get(url("section", structure_69, "E"))
    assert section.status_code == 200
    html = contenu(section)
    assert 'id="q-E01"' in html and 'inputmode="numeric"' in html and 'inputmode="decimal"' in html
    assert "Enregistrer la section" in html
    assert 'role="status"' in html


def test_it_lets_the_structure_start_its_entry(client, usager_structure_69, structure_69, campagne):
    client.force_login(usager_structure_69)
    assert client.get(url("section", structure_69, "A")).status_code == 302  # rien à saisir avant de commencer
    assert "Commencer la saisie" in contenu(client.get(url("sommaire", structure_69)))
    page = client.post(url("commencer", structure_69))
    assert page.status_code == 302 and page.url == url("section", structure_69, "A")
    assert Reponse.objects.get(structure=structure_69).statut == Statut.BROUILLON


def test_it_hides_other_territories(client, correspondant_69, structure_01, campagne):
    Reponse.objects.create(campagne=campagne, structure=structure_01)
    client.force_login(correspondant_69)
    assert client.get(url("sommaire", structure_01)).status_code == 404
    assert client.get(url("section", structure_01, "A")).status_code == 404
    assert client.post(url_champ(structure_01, "A", "A01"), {"A01": "x", "version_A01": "0"}).status_code == 404


def test_it_shows_a_structure_user_only_its_own_structure(client, usager_structure_69, campagne):
    from tests.factories import StructureFactory

    voisine = StructureFactory(nom="Centre social voisin")
    client.force_login(usager_structure_69)
    assert client.get(url("sommaire", voisine)).status_code == 404
    assert client.post(url("commencer", voisine)).status_code == 404


@pytest.mark.parametrize("persona", ["copil_69", "invite_69", "national", "preparateur_69"])
def test_it_keeps_other_roles_away_from_entry_pages(client, request, persona, structure_69, reponse):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("sommaire", structure_69)).status_code in (403, 404)
    assert client.get(url("section", structure_69, "E")).status_code in (403, 404)
    page = client.post(url_champ(structure_69, "E", "E01"), {"E01": "3", "version_E01": "0"}, **HTMX)
    assert page.status_code in (403, 404)
    assert Reponse.objects.get(pk=reponse.pk).valeurs == {}


def test_it_keeps_an_admin_without_mandate_away(client, structure_69, reponse):
    admin = UtilisateurFactory(charte=True, is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(url("sommaire", structure_69)).status_code in (403, 404)


def test_it_sends_anonymous_visitors_to_the_login_page(client, structure_69, reponse):
    page = client.get(url("sommaire", structure_69))
    assert page.status_code == 302 and "/connexion/" in page.url


def test_it_returns_404_for_a_campaign_without_questionnaire_or_an_unknown_section(
    client, usager_structure_69, structure_69, reponse
):
    CampagneFactory(annee=2025)
    client.force_login(usager_structure_69)
    assert client.get(url("sommaire", structure_69, annee=2025)).status_code == 404
    assert client.get(url("section", structure_69, "Z")).status_code == 404
    assert client.post(url_champ(structure_69, "E", "A01"), {"A01": "x", "version_A01": "0"}).status_code == 404


# --------------------------------------------------------------------------- enregistrement automatique


def test_it_autosaves_one_answer_and_returns_the_field_with_its_new_version(
    client, usager_structure_69, structure_69, reponse
):
    client.force_login(usager_structure_69)
    page = autosave(client, structure_69, "F", "F02", "1 234 567,5", 0)
    assert page.status_code == 200
    html = contenu(page)
    assert version_de(html, "F02") == 1
    assert 'value="1\u00a0234\u00a0567,50"' in html
    assert 'hx-swap-oob="innerHTML:#statut-enregistrement"' in html and "Enregistré à" in html
    assert 'id="avancement-section" class="avancement" hx-swap-oob="outerHTML"' in html
    reponse.refresh_from_db()
    assert reponse.valeurs == {"F02": 1234567.5}
    assert reponse.provenance["F02"]["pour_le_compte"] is False


def test_it_updates_relevance_out_of_band_when_an_answer_changes(client, usager_structure_69, structure_69, reponse):
    client.force_login(usager_structure_69)
    html = contenu(client.get(url("section", structure_69, "E")))
    assert re.search(r'id="q-E13"[^>]*>', html).group(0).find("hidden") == -1  # condition inconnue : montrée
    html = contenu(autosave(client, structure_69, "E", "E12", "non", 0))
    # E13 (ETP de référent famille) n'est plus pertinente : elle est renvoyée masquée, hors bande.
    assert re.search(r'<div [^>]*id="q-E13"[^>]*hidden[^>]*hx-swap-oob="outerHTML"', html)
    html = contenu(autosave(client, structure_69, "E", "E12", "oui", 1))
    balise = re.search(r'<div [^>]*id="q-E13"[^>]*>', html).group(0)
    assert "hidden" not in balise and 'hx-swap-oob="outerHTML"' in balise


def test_it_shows_a_rule_anomaly_next_to_both_fields(client, usager_structure_69, structure_69, reponse):
    client.force_login(usager_structure_69)
    autosave(client, structure_69, "E", "E01", "10", 0)
    html = contenu(autosave(client, structure_69, "E", "E02", "12,5", 0))
    # R01 : ETP > salariés, à côté de E02 (champ enregistré) et, hors bande, de E01.
    assert "dépasse le nombre de salariés" in html
    assert re.search(r'<div id="erreurs-E01" hx-swap-oob="innerHTML">\s*<p class="champ__erreur">', html)
    section = contenu(client.get(url("section", structure_69, "E")))
    champ_e01 = re.search(r'<input type="text" id="champ-E01"[^>]*>', section).group(0)
    assert 'aria-invalid="true"' in champ_e01
    assert "erreurs-E01" in champ_e01  # aria-describedby


def test_it_shows_last_years_answer_beside_the_field(client, usager_structure_69, structure_69, reponse, campagne):
    from senacs.questionnaires.services import questionnaire_charger_fichier as charger

    precedente = CampagneFactory(
        annee=2025, phase=Phase.ARCHIVEE, questionnaire=charger(settings.BASE_DIR / "questionnaires" / "2025.yaml")
    )
    Reponse.objects.create(
        campagne=precedente, structure=structure_69, statut=Statut.SOUMISE, valeurs={"F02": 512345.5, "E12": True}
    )
    client.force_login(usager_structure_69)
    html = contenu(client.get(url("section", structure_69, "F")))
    assert "Réponse de l'an dernier (campagne 2025, données 2024) :" in html
    assert "512\u00a0345,50\u00a0€" in html
    assert 'aria-describedby="unite-F02 precedent-F02 aide-F02 erreurs-F02"' in html


# --------------------------------------------------------------------------- aucune saisie perdue


def test_two_sessions_editing_different_answers_keep_both(
    client, usager_structure_69, correspondant_69, structure_69, reponse
):
    structure = _connecte(usager_structure_69)
    caf = _connecte(correspondant_69)
    page_structure = contenu(structure.get(url("section", structure_69, "E")))
    page_caf = contenu(caf.get(url("section", structure_69, "E")))

    assert autosave(structure, structure_69, "E", "E01", "14", version_de(page_structure, "E01")).status_code == 200
    assert autosave(caf, structure_69, "E", "E02", "10,5", version_de(page_caf, "E02")).status_code == 200
    # Et sans JavaScript : chaque session renvoie toute la section qu'elle avait chargée.
    donnees = {f"version_{c}": "0" for c in ("E01", "E02", "E03")}
    sans_js = structure.post(url("section", structure_69, "E"), {**donnees, "E01": "14", "E02": "", "E03": "9"})
    assert sans_js.status_code == 302

    reponse.refresh_from_db()
    assert reponse.valeurs == {"E01": 14, "E02": 10.5, "E03": 9}
    assert reponse.provenance["E02"]["pour_le_compte"] is True
    assert reponse.provenance["E02"]["organisme"] == "Caf – Rhône"


def test_an_answer_changed_since_it_was_loaded_is_refused_with_both_values_and_resolved(
    client, usager_structure_69, correspondant_69, structure_69, reponse
):
    correspondant_69.prenom, correspondant_69.nom = "Claire", "Dupont"
    correspondant_69.save()
    structure = _connecte(usager_structure_69)
    caf = _connecte(correspondant_69)
    autosave(structure, structure_69, "E", "E01", "12", 0)
    page_structure = contenu(structure.get(url("section", structure_69, "E")))
    page_caf = contenu(caf.get(url("section", structure_69, "E")))

    autosave(caf, structure_69, "E", "E01", "14", version_de(page_caf, "E01"))
    conflit = autosave(structure, structure_69, "E", "E01", "13", version_de(page_structure, "E01"))

    html = contenu(conflit)
    quand = timezone.localtime(ReponseHistorique.objects.filter(code="E01").first().le)
    attendu = (
        f"Cette réponse a été modifiée par Claire Dupont (Caf – Rhône) le {quand:%d/%m/%Y à %H:%M} : "
        "valeur enregistrée 14\u00a0personnes ; votre saisie 13\u00a0personnes."
    )
    assert attendu in html
    assert (
        "Garder ma saisie (13\u00a0personnes)" in html and "Garder la valeur enregistrée (14\u00a0personnes)" in html
    )
    reponse.refresh_from_db()
    assert reponse.valeurs["E01"] == 14  # rien n'est écrasé en silence

    # « Garder ma saisie » : enregistrée contre la version montrée dans le conflit.
    donnees = {"choix": "mienne", "proposee_E01": "13", "version_conflit_E01": "2"}
    resolu = contenu(structure.post(url("resoudre", structure_69, "E", "E01"), donnees, **HTMX))
    assert "Votre saisie est gardée" in resolu and version_de(resolu, "E01") == 3
    reponse.refresh_from_db()
    assert reponse.valeurs["E01"] == 13

    # « Garder la valeur enregistrée » (sans JavaScript) : rien n'est écrit, retour au champ.
    autosave(caf, structure_69, "E", "E01", "15", 3)
    page = structure.post(url("resoudre", structure_69, "E", "E01"), {"choix": "enregistree"})
    assert page.status_code == 302 and page.url.endswith("#q-E01")
    reponse.refresh_from_db()
    assert reponse.valeurs["E01"] == 15


def test_the_no_javascript_section_save_shows_conflicts_and_type_errors_without_saving_them(
    client, usager_structure_69, correspondant_69, structure_69, reponse
):
    structure = _connecte(usager_structure_69)
    autosave(_connecte(correspondant_69), structure_69, "E", "E01", "14", 0)
    donnees = {"version_E01": "0", "E01": "13", "version_E02": "0", "E02": "abc", "version_E03": "0", "E03": "7"}
    page = structure.post(url("section", structure_69, "E"), donnees)
    assert page.status_code == 200
    html = contenu(page)
    assert "valeur enregistrée 14\u00a0personnes ; votre saisie 13\u00a0personnes" in html
    assert "« abc » n'est pas un nombre" in html
    assert 'value="abc"' in html  # la saisie refusée reste affichée
    assert 'form="form-conflits"' in html and 'formaction="' in html
    reponse.refresh_from_db()
    assert reponse.valeurs == {"E01": 14, "E03": 7}


# --------------------------------------------------------------------------- saisies invalides


@pytest.mark.parametrize(
    ("section", "code", "saisi", "message"),
    [
        ("E", "E01", "abc", "« abc » n'est pas un nombre"),
        ("E", "E01", "1e400", "n'est pas un nombre"),
        ("E", "E01", "12,5", "nombre entier"),
        ("F", "F02", "99999999999999999999", "Nombre trop long"),
        ("A", "A09", "31/02/2024", "n'est pas une date"),
        ("A", "A06", "pas-une-adresse", "adresse électronique valide"),
        ("A", "A15", "inconnu", "ne fait pas partie des choix proposés"),
        ("B", "B01", "x" * 10_000, "5\u00a0000 caractères au plus"),
    ],
)
def test_it_refuses_bad_input_with_a_french_message(
    client, usager_structure_69, structure_69, reponse, section, code, saisi, message
):
    client.force_login(usager_structure_69)
    page = autosave(client, structure_69, section, code, saisi, 0)
    assert page.status_code == 200
    html = contenu(page)
    assert message in html
    assert "Non enregistré" in html
    assert 'aria-invalid="true"' in html
    reponse.refresh_from_db()
    assert reponse.valeurs == {}


@pytest.mark.parametrize(
    ("section", "code", "saisi", "stocke", "lu"),
    [
        ("F", "F02", "12.000", 12000, "12\u00a0000\u00a0€"),
        ("F", "F02", "1.234,56", 1234.56, "1\u00a0234,56\u00a0€"),
        ("E", "E01", "1.200", 1200, "1\u00a0200\u00a0personnes"),
    ],
)
def test_it_reads_a_dot_thousands_separator_and_says_what_it_understood(
    client, usager_structure_69, structure_69, reponse, section, code, saisi, stocke, lu
):
    client.force_login(usager_structure_69)
    html = contenu(autosave(client, structure_69, section, code, saisi, 0))
    assert "Non enregistré" not in html
    assert f"lu : {lu}" in html  # dans le statut d'enregistrement
    assert f'id="lu-{code}"' in html and f"<strong>{lu}</strong>" in html  # et sous le champ
    assert f"lu-{code}" in re.search(rf'id="champ-{code}"[^>]*aria-describedby="([^"]*)"', html).group(1)
    reponse.refresh_from_db()
    assert reponse.valeurs == {code: stocke}


def test_a_plain_french_number_is_saved_without_a_reading_note(client, usager_structure_69, structure_69, reponse):
    client.force_login(usager_structure_69)
    html = contenu(autosave(client, structure_69, "F", "F02", "180 000,50", 0))
    assert "lu :" not in html and 'id="lu-F02"' not in html
    assert 'value="180\u00a0000,50"' in html
    assert 'class="statut statut--ok"' in html


def test_not_saved_is_shown_in_the_error_colour(client, usager_structure_69, structure_69, reponse):
    client.force_login(usager_structure_69)
    html = contenu(autosave(client, structure_69, "E", "E01", "abc", 0))
    assert re.search(r'class="statut statut--erreur">.*Non enregistré', html)


def test_it_stores_a_negative_headcount_and_flags_it_next_to_the_field(
    client, usager_structure_69, structure_69, reponse
):
    client.force_login(usager_structure_69)
    html = contenu(autosave(client, structure_69, "E", "E01", "-5", 0))
    assert "doit être supérieure ou égale à 0" in html
    reponse.refresh_from_db()
    assert reponse.valeurs == {"E01": -5}


def test_it_stores_markup_harmlessly_and_shows_it_escaped(client, usager_structure_69, structure_69, reponse):
    client.force_login(usager_structure_69)
    html = autosave(client, structure_69, "B", "B01", "<script>alert(1)</script>", 0).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    reponse.refresh_from_db()
    assert reponse.valeurs == {"B01": "<script>alert(1)</script>"}
    page = client.get(url("section", structure_69, "B")).content.decode()
    assert "<script>alert(1)" not in page


def test_it_drops_null_characters_instead_of_failing(client, usager_structure_69, structure_69, reponse):
    client.force_login(usager_structure_69)
    assert autosave(client, structure_69, "B", "B01", "Isolement\x00 des aînés", 0).status_code == 200
    reponse.refresh_from_db()
    assert reponse.valeurs == {"B01": "Isolement des aînés"}


def test_it_refuses_a_crafted_version_without_overwriting(client, usager_structure_69, structure_69, reponse):
    client.force_login(usager_structure_69)
    autosave(client, structure_69, "E", "E01", "12", 0)
    html = contenu(autosave(client, structure_69, "E", "E01", "99", "n'importe quoi"))
    assert "Cette réponse a été modifiée" in html
    reponse.refresh_from_db()
    assert reponse.valeurs == {"E01": 12}


# --------------------------------------------------------------------------- phases


def test_it_refuses_writes_outside_the_entry_phase_with_a_french_message(
    client, usager_structure_69, correspondant_69, structure_69, reponse, campagne
):
    campagne.phase = Phase.CONTROLE
    campagne.save()
    client.force_login(usager_structure_69)
    page = client.get(url("section", structure_69, "E"))
    assert page.status_code == 200 and "est close" in contenu(page)
    assert "Enregistrer la section" not in contenu(page)
    html = contenu(autosave(client, structure_69, "E", "E01", "12", 0))
    assert "Non enregistré" in html and "est close" in html
    refus = client.post(url("section", structure_69, "E"), {"E01": "12", "version_E01": "0"})
    assert refus.status_code == 403 and "est close" in contenu(refus)
    assert Reponse.objects.get(pk=reponse.pk).valeurs == {}
    # Le correspondant peut encore saisir pour le compte de la structure pendant le contrôle.
    caf = _connecte(correspondant_69)
    assert autosave(caf, structure_69, "E", "E01", "12", 0).status_code == 200
    assert Reponse.objects.get(pk=reponse.pk).valeurs == {"E01": 12}
    campagne.phase = Phase.ANALYSE
    campagne.save()
    assert "Non enregistré" in contenu(autosave(caf, structure_69, "E", "E01", "13", 1))
    assert Reponse.objects.get(pk=reponse.pk).valeurs == {"E01": 12}


def test_it_refuses_entry_after_the_departments_deadline(client, usager_structure_69, structure_69, reponse, campagne):
    campagne.date_fin_saisie = timezone.localdate() - datetime.timedelta(days=1)
    campagne.save()
    client.force_login(usager_structure_69)
    html = contenu(autosave(client, structure_69, "E", "E01", "12", 0))
    assert "date limite de saisie" in html
    assert Reponse.objects.get(pk=reponse.pk).valeurs == {}


# --------------------------------------------------------------------------- saisie pour le compte


def test_it_marks_answers_entered_on_behalf_of_the_structure(
    client, usager_structure_69, correspondant_69, structure_69, reponse
):
    correspondant_69.prenom, correspondant_69.nom = "Claire", "Dupont"
    correspondant_69.save()
    caf = _connecte(correspondant_69)
    page = contenu(caf.get(url("section", structure_69, "E")))
    assert "pour le compte de la structure" in page and "Caf – Rhône" in page
    autosave(caf, structure_69, "E", "E01", "14", 0)
    assert RevueSaisie.objects.filter(reponse=reponse, code="E01").count() == 1

    client.force_login(usager_structure_69)
    html = contenu(client.get(url("section", structure_69, "E")))
    assert f"Saisi par Claire Dupont (Caf – Rhône) le {timezone.localdate():%d/%m/%Y}" in html


def test_it_shows_the_history_of_an_answer_and_restores_an_old_value(
    client, usager_structure_69, correspondant_69, structure_69, reponse
):
    client.force_login(usager_structure_69)
    autosave(client, structure_69, "E", "E01", "10", 0)
    autosave(_connecte(correspondant_69), structure_69, "E", "E01", "12", 1)
    page = client.get(url("historique", structure_69, "E01"))
    html = contenu(page)
    assert page.status_code == 200
    assert "12\u00a0personnes" in html and "10\u00a0personnes" in html
    assert "pour le compte de la structure" in html
    ancienne = ReponseHistorique.objects.get(reponse=reponse, code="E01", version=1)
    restaure = client.post(url("restaurer", structure_69, "E01", ancienne.pk), {"version": "2"})
    assert restaure.status_code == 302
    reponse.refresh_from_db()
    assert (reponse.valeurs["E01"], reponse.versions["E01"]) == (10, 3)
    assert ReponseHistorique.objects.filter(reponse=reponse, code="E01").first().origine == "restauration"
    assert "Restauration d'une valeur précédente" in contenu(client.get(url("historique", structure_69, "E01")))


# --------------------------------------------------------------------------- dépôt et accusé


def _remplir(reponse, par, valeurs=VALEURS_COMPLETES):
    reponse_enregistrer(
        reponse=reponse, modifications={c: (v, None) for c, v in valeurs.items()}, par=par, organisme="x"
    )


def test_it_lists_blocking_faults_with_links_to_the_fields(client, usager_structure_69, structure_69, reponse):
    _remplir(reponse, usager_structure_69, {**VALEURS_COMPLETES, "E02": 20})
    client.force_login(usager_structure_69)
    page = client.post(url("soumettre", structure_69), {})
    html = contenu(page)
    assert page.status_code == 200 and "Le dépôt est refusé" in html
    assert f'href="{url("section", structure_69, "E")}#q-E02"' in html
    assert not Depot.objects.exists()


def test_it_submits_after_justification_and_shows_a_dated_receipt_in_html_and_pdf(
    client, usager_structure_69, structure_69, reponse, tmp_path
):
    _remplir(reponse, usager_structure_69, {**VALEURS_COMPLETES, "B08": 120})  # R27 : peu de jours d'ouverture
    client.force_login(usager_structure_69)
    formulaire = contenu(client.get(url("soumettre", structure_69)))
    assert 'name="justification_R27"' in formulaire
    refuse = client.post(url("soumettre", structure_69), {"justification_R27": ""})
    assert "Justifiez cet avertissement" in contenu(refuse)

    depose = client.post(url("soumettre", structure_69), {"justification_R27": "Travaux de mars à juillet."})

    assert depose.status_code == 302 and depose.url == url("recu", structure_69, 1)
    recu = contenu(client.get(depose.url))
    assert "Accusé de dépôt n° 1" in recu
    assert "Travaux de mars à juillet." in recu
    assert "600\u00a0000\u00a0€" in recu  # F02, à la française
    depot = Depot.objects.get()
    assert depot.empreinte in recu
    pdf = client.get(url("recu_pdf", structure_69, 1))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert structure_69.nom.encode() in pdf.content  # titre du document (métadonnées XMP)
    texte_pdf = _texte_pdf(pdf.content, tmp_path)
    # Les intitulés ne touchent pas leur valeur (« Empreinte SHA-256 4f89… », jamais « SHA-2564f89… »).
    assert re.search(r"Empreinte SHA-256\s+" + depot.empreinte[:8], texte_pdf), texte_pdf[:600]


def _texte_pdf(contenu: bytes, dossier) -> str:
    import io

    from pypdf import PdfReader

    lecteur = PdfReader(io.BytesIO(contenu))
    return "\n".join(p.extract_text(extraction_mode="layout") for p in lecteur.pages)


def test_a_corrected_resubmission_creates_a_new_deposit_with_a_visible_diff(
    client, usager_structure_69, structure_69, reponse
):
    _remplir(reponse, usager_structure_69)
    client.force_login(usager_structure_69)
    assert client.post(url("soumettre", structure_69), {}).status_code == 302
    html = contenu(autosave(client, structure_69, "E", "E01", "15", 1))
    assert "rouvrez-la" in html
    assert client.post(url("rouvrir", structure_69)).status_code == 302
    autosave(client, structure_69, "E", "E01", "15", 1)
    assert client.post(url("soumettre", structure_69), {}).status_code == 302

    assert list(Depot.objects.values_list("numero", flat=True)) == [1, 2]
    recu = contenu(client.get(url("recu", structure_69, 2)))
    assert "Changements depuis le dépôt n° 1" in recu
    assert "<del>14\u00a0personnes</del>" in recu and "<ins>15\u00a0personnes</ins>" in recu
    assert "Dépôt n° 1" in contenu(client.get(url("depots", structure_69)))


def test_it_refuses_the_receipt_of_another_structure(client, usager_structure_69, structure_01, campagne):
    Reponse.objects.create(campagne=campagne, structure=structure_01)
    client.force_login(usager_structure_69)
    assert client.get(url("recu", structure_01, 1)).status_code == 404
    assert client.get(url("recu_pdf", structure_01, 1)).status_code == 404
