"""Une structure remplit tout le questionnaire 2026 dans un vrai navigateur : enregistrement
automatique de chaque réponse, erreur bloquante (R01) vue puis corrigée, avertissements justifiés,
dépôt, accusé de dépôt ; axe-core ne relève aucune violation grave sur les pages traversées."""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from senacs.campagnes.models import Phase
from senacs.questionnaires.services import questionnaire_charger_fichier
from senacs.reponses.models import Depot, Reponse, Statut
from tests.factories import CampagneFactory, MandatFactory, StructureFactory, UtilisateurFactory
from tests.navigateur.outils import se_connecter, violations_graves

pytestmark = pytest.mark.django_db(transaction=True)

# Réponses réalistes, telles qu'on les tape (nombres à la française). Les questions absentes reçoivent
# une valeur par défaut selon leur type (voir _valeur_par_defaut).
SAISIES = {
    "A01": "Centre social des Pentes",
    "A02": "12 rue d'Austerlitz",
    "A03": "69004",
    "A04": "69384",
    "A05": "69 – Rhône",
    "A06": "accueil@cs-pentes.fr",
    "A07": "https://www.cs-pentes.fr",
    "A08": "73282932000074",
    "A09": "01/09/1998",
    "A10": "01/01/2023",
    "A11": "31/12/2026",
    "A12": "30 000",
    "A15": "Associatif",
    "A16": "Un espace à dominante urbaine",
    "A17": "Plusieurs quartiers",
    "A18": "Non concernée",
    "A19": "Oui",
    "A20": "Non",
    "A22": "Non",
    "A25": "1985",
    "B03": ["Isolement", "Parentalité", "Accès aux droits"],
    "B05": "Oui",
    "B06": "Oui",
    "B07": "15",
    "B08": "120",  # R27 : peu de jours d'ouverture pour un centre social, avertissement à justifier
    "B09": "45",
    "C01": "450",
    "C02": "210",
    "C03": "12",
    "C04": "12",
    "C05": "5",
    "C06": "2",
    "C07": "7",
    "C08": "6",
    "C11": "8",
    "C12": "4",
    "C13": "2",
    "D01": "40",
    "D02": "12",
    "D03": "48",
    "D04": "3 000",
    "D06": "36 000",
    "D07": "5",
    "D08": "4",
    "E01": "14",
    "E02": "20",  # R01 : plus d'ETP que de salariés, corrigé ensuite en 10,5
    "E03": "10",
    "E04": "3",
    "E05": "1",
    "E06": "1",
    "E07": "1",
    "E08": "2",
    "E09": "0",
    "E10": "1",
    "E12": "Oui",
    "E13": "1",
    "E14": "2",
    "E15": "5",
    "E16": "1,5",
    "E17": "0",
    "E18": "6",
    "E19": "0",
    "F01": "31/12/2025",
    "F02": "600 000",
    "F03": "400 000",
    "F04": "610 000",
    "F06": "75 000",
    "F07": "25 000",
    "F11": "300 000",
    "F13": "60 000",
    "F15": "50 000",
    "F18": "50 000",
    "F19": "10 000",
    "F20": "40 000",
    "F22": "120 000",
    "F23": "80 000",
    "F24": "620 000",
    "G04": "15",
    "H01": "2 500",
    "H02A": "10",
    "H02B": "20",
    "H02C": "15",
    "H02D": "10",
    "H02E": "30",
    "H02F": "15",
    "H06": "300",
    "H08": "200",
    "H09": "25",
    "H11": "80",
    "H12": "40",
    "H14": "400",
    "H15": "150",
    "H24": "Oui",
    "H26": "35",
    "H27": "12",
    "I08": "60",
    "J01": "Oui",
    "J02": "20",
}


def _valeur_par_defaut(classes: str):
    if "question--nombre" in classes:
        return "0"
    if "question--date" in classes:
        return "15/06/2025"
    if "question--zone" in classes:
        return "Un quartier jeune, beaucoup de familles monoparentales ; un projet social centré sur l'accueil."
    if "question--cases" in classes:
        return 2  # cocher les deux premières cases
    return "Texte saisi"


@pytest.fixture
def contexte(db):
    questionnaire = questionnaire_charger_fichier(settings.BASE_DIR / "questionnaires" / "2026.yaml")
    jour = timezone.localdate()
    campagne = CampagneFactory(
        annee=2026,
        questionnaire=questionnaire,
        phase=Phase.SAISIE,
        date_ouverture_saisie=jour - datetime.timedelta(days=30),
        date_fin_saisie=jour + datetime.timedelta(days=30),
        date_fin_controle=jour + datetime.timedelta(days=60),
        date_fin_analyse=jour + datetime.timedelta(days=90),
        date_publication=jour + datetime.timedelta(days=120),
    )
    structure = StructureFactory(nom="Centre social des Pentes")
    utilisateur = UtilisateurFactory(email="direction@cs-pentes.fr", prenom="Inès", nom="Garnier", charte=True)
    MandatFactory(utilisateur=utilisateur, role="structure", niveau="structure", departement=None, structure=structure)
    return campagne, structure


def _attendre_enregistrement(page, code):
    expect(page.locator("#statut-enregistrement")).to_contain_text(f"Question {code} —")


def _remplir_question(page, question):
    code = question.get_attribute("data-senacs-question")
    classes = question.get_attribute("class")
    voulu = SAISIES.get(code, _valeur_par_defaut(classes))
    if "question--radio" in classes:
        if isinstance(voulu, int) or code not in SAISIES:
            question.locator("input[type=radio]").first.check()
        else:
            question.get_by_label(voulu, exact=True).check()
    elif "question--cases" in classes:
        cases = question.locator("input[type=checkbox]")
        if isinstance(voulu, list):
            for libelle in voulu:
                question.get_by_label(libelle, exact=True).check()
                _attendre_enregistrement(page, code)
            return code
        for i in range(min(voulu, cases.count())):
            cases.nth(i).check()
            _attendre_enregistrement(page, code)
        return code
    elif "question--liste" in classes:
        if code in SAISIES:
            question.locator("select").select_option(label=voulu)
        else:
            question.locator("select").select_option(index=1)
    else:
        champ = question.locator("input[type=text], textarea").first
        champ.fill(voulu)
        champ.press("Tab")  # quitter le champ au clavier déclenche l'enregistrement
    _attendre_enregistrement(page, code)
    return code


def _remplir_section(page):
    """Remplit toutes les questions visibles ; une question qui apparaît (pertinence) est remplie aussi."""
    faites = set()
    while True:
        a_faire = [
            q
            for q in page.locator(".question:not([hidden])").all()
            if q.get_attribute("data-senacs-question") not in faites
            and q.locator("input:not([type=hidden]), select, textarea").count()
        ]
        if not a_faire:
            return faites
        question = a_faire[0]
        code = question.get_attribute("data-senacs-question")
        faites.add(code)
        _remplir_question(page, page.locator(f"#q-{code}"))


def test_a_structure_fills_the_whole_questionnaire_fixes_a_blocking_error_and_submits(page, axe, contexte):
    campagne, structure = contexte
    se_connecter(page, "direction@cs-pentes.fr")
    page.goto(f"/saisie/2026/{structure.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Questionnaire 2026 — Centre social des Pentes")
    assert violations_graves(axe.run(page)) == []
    page.get_by_role("button", name="Commencer la saisie").click()

    codes_sections = [s.code for s in campagne.questionnaire.modele.pour_public("CS", "69").sections]
    remplies = set()
    for code_section in codes_sections:
        page.goto(f"/saisie/2026/{structure.pk}/{code_section}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Section {code_section}")
        remplies |= _remplir_section(page)
        if code_section == "E":
            # R01 : l'erreur bloquante s'affiche à côté des deux champs, sans recharger la page.
            erreur = page.locator("#erreurs-E02 .champ__erreur")
            expect(erreur).to_contain_text("dépasse le nombre de salariés")
            expect(page.locator("#erreurs-E01 .champ__erreur")).to_contain_text("dépasse le nombre de salariés")
            expect(page.locator("#champ-E01")).to_have_attribute("aria-invalid", "true")
            assert violations_graves(axe.run(page)) == []
            page.locator("#champ-E02").fill("10,5")
            page.locator("#champ-E02").press("Tab")
            _attendre_enregistrement(page, "E02")
            expect(page.locator("#erreurs-E01 .champ__erreur")).to_have_count(0)
            expect(page.locator("#champ-E01")).not_to_have_attribute("aria-invalid", "true")
    assert {"A01", "E01", "F04", "H02F", "J02", "I08"} <= remplies

    reponse = Reponse.objects.get(structure=structure)
    assert reponse.valeurs["E02"] == 10.5 and reponse.valeurs["F02"] == 600000 and reponse.valeurs["A19"] is True

    page.goto(f"/saisie/2026/{structure.pk}/deposer/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier et déposer la réponse")
    assert page.locator(".saisie-bloquantes").count() == 0, page.locator(".saisie-bloquantes").inner_text()
    justifications = page.locator("textarea[name^=justification_]")
    expect(page.locator("textarea[name=justification_R27]")).to_be_visible()
    for i in range(justifications.count()):
        justifications.nth(i).fill("Situation particulière de l'année, vérifiée avec le conseil d'administration.")
    nombre_justifications = justifications.count()
    assert violations_graves(axe.run(page)) == []
    page.get_by_role("button", name="Déposer la réponse").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Accusé de dépôt n° 1 — campagne SENACS 2026")
    expect(page.locator("main")).to_contain_text("Centre social des Pentes")
    expect(page.locator("main")).to_contain_text("600\u00a0000\u00a0€")
    expect(page.locator("main")).to_contain_text("Situation particulière de l'année")
    assert re.search(r"[0-9a-f]{64}", page.locator(".empreinte").inner_text())
    assert violations_graves(axe.run(page)) == []
    depot = Depot.objects.get()
    assert depot.reponse.statut == Statut.SOUMISE and depot.numero == 1
    assert "R27" in [a["code"] for a in depot.avertissements]
    assert len(depot.avertissements) == nombre_justifications


def test_a_conflicting_change_shows_both_values_and_the_choice_resolves_it_without_reloading(page, axe, contexte):
    from senacs.reponses.services import reponse_ouvrir, reponse_saisir

    campagne, structure = contexte
    correspondante = UtilisateurFactory(email="claire.dupont@caf69.fr", prenom="Claire", nom="Dupont", charte=True)
    MandatFactory(utilisateur=correspondante, role="correspondant", niveau="departement")
    reponse, _ = reponse_ouvrir(campagne=campagne, structure=structure, par=correspondante)
    reponse_saisir(
        reponse=reponse, saisies={"E01": (12, 0)}, par=correspondante, organisme="Caf – Rhône", pour_le_compte=True
    )
    se_connecter(page, "direction@cs-pentes.fr")
    page.goto(f"/saisie/2026/{structure.pk}/E/")
    expect(page.locator("#q-E01")).to_contain_text("Saisi par Claire Dupont (Caf – Rhône)")

    # Pendant que la page est ouverte, la correspondante change E01 (autre session).
    reponse_saisir(
        reponse=Reponse.objects.get(pk=reponse.pk),
        saisies={"E01": (14, 1)},
        par=correspondante,
        organisme="Caf – Rhône",
        pour_le_compte=True,
    )
    page.locator("#champ-E01").fill("13")
    page.locator("#champ-E01").press("Tab")

    conflit = page.locator("#conflit-E01")
    expect(conflit).to_contain_text("Cette réponse a été modifiée par Claire Dupont (Caf – Rhône) le ")
    expect(conflit).to_contain_text("valeur enregistrée 14\u00a0personnes ; votre saisie 13\u00a0personnes.")
    assert Reponse.objects.get(pk=reponse.pk).valeurs["E01"] == 14
    assert violations_graves(axe.run(page)) == []

    conflit.get_by_role("button", name="Garder ma saisie (13\u00a0personnes)").click()
    expect(page.locator("#statut-enregistrement")).to_contain_text("Votre saisie est gardée")
    expect(page.locator("#conflit-E01")).to_have_count(0)
    expect(page.locator("#champ-E01")).to_have_value("13")
    assert Reponse.objects.get(pk=reponse.pk).valeurs["E01"] == 13
    assert Reponse.objects.get(pk=reponse.pk).provenance["E01"]["pour_le_compte"] is False
