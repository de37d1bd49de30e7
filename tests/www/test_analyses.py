"""Analyses thématiques (``/analyses/``) : accès par rôle, constructeur, erreurs en français,
enregistrement, partage avec le COPIL et ses invités, ouverture par un invité, exports."""

import csv
import io
import re

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from senacs.analyses.models import Analyse, CelluleLiberee
from senacs.copil.models import Cote, PartageDocument
from senacs.copil.services import copil_pour, invite_ajouter, membre_ajouter
from senacs.statistiques.services import diffusion_publier
from senacs.territoires.models import Departement
from tests.factories import MandatFactory, UtilisateurFactory
from tests.statistiques.fabriques import campagne_statistiques, var_dir  # noqa: F401

pytestmark = pytest.mark.usefixtures("var_dir")

URL = "analyses:index"
CALCUL = {"indicateur": "budget_moyen", "territoire": "D:69", "dimension1": "type", "campagne": "2025"}


@pytest.fixture
def diffusion(db):
    jeu = campagne_statistiques()
    return diffusion_publier(campagne=jeu.campagne)


@pytest.fixture
def copil(db):
    return copil_pour("departement", "69")


@pytest.fixture
def membre(copil):
    return membre_ajouter(copil=copil, utilisateur=UtilisateurFactory(charte=True), cote=Cote.CAF).utilisateur


@pytest.fixture
def autre_membre(copil):
    return membre_ajouter(copil=copil, utilisateur=UtilisateurFactory(charte=True), cote=Cote.FEDERATION).utilisateur


@pytest.fixture
def invite(copil):
    return invite_ajouter(
        copil=copil, utilisateur=UtilisateurFactory(charte=True), qualite="Centre invité"
    ).utilisateur


@pytest.fixture
def correspondant_01(db):
    return MandatFactory(departement=Departement.objects.get(code="01")).utilisateur


def calculer(client, **params):
    return client.get(reverse(URL), {**CALCUL, **params})


def enregistrer(client, copil=None, nom="Budget moyen par type"):
    donnees = {
        "nom": nom,
        "indicateur": "budget_moyen",
        "territoire": "D:69",
        "dimension": ["type"],
        "campagne": ["2025"],
        "copil": str(copil.pk) if copil else "",
    }
    return client.post(reverse("analyses:enregistrer"), donnees)


# --- Qui accède au constructeur ---


def test_the_builder_is_open_to_copil_members_the_preparer_correspondents_and_the_national_role(
    client, membre, preparateur_69, correspondant_69, correspondant_region_84, national, diffusion
):
    for utilisateur in (membre, preparateur_69, correspondant_69, correspondant_region_84, national):
        client.force_login(utilisateur)
        page = client.get(reverse(URL))
        assert page.status_code == 200, utilisateur
        assert "<fieldset" in page.content.decode() and "<legend>Campagnes" in page.content.decode()
        assert calculer(client).status_code == 200, utilisateur


def test_a_correspondent_of_another_department_gets_404_on_the_rhone(client, correspondant_01, diffusion):
    client.force_login(correspondant_01)

    assert calculer(client).status_code == 404
    assert calculer(client, territoire="D:01").status_code == 200
    assert client.get(reverse("analyses:exporter", args=["csv"]), CALCUL).status_code == 404


def test_structures_guests_and_accounts_without_mandate_cannot_build(
    client, usager_structure_69, invite, sans_mandat, diffusion
):
    for utilisateur in (usager_structure_69, invite, sans_mandat):
        client.force_login(utilisateur)
        assert client.get(reverse(URL)).status_code == 403
        assert calculer(client).status_code == 403
        assert client.get(reverse("analyses:exporter", args=["csv"]), CALCUL).status_code == 403
    for utilisateur in (usager_structure_69, sans_mandat):
        client.force_login(utilisateur)
        assert client.get(reverse("analyses:liste")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, diffusion):
    for url in (reverse(URL), reverse("analyses:liste"), reverse("analyses:detail", args=[1])):
        reponse = client.get(url)
        assert reponse.status_code == 302 and "connexion" in reponse["Location"]


# --- Le résultat : tableau, graphique, note, registre ---


def test_the_result_has_a_table_with_margins_a_chart_and_a_methodology_note(client, membre, national, diffusion):
    client.force_login(membre)

    reponse = calculer(client, dimension2="gestion")

    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "<caption>Total des produits, moyenne par structure — Département Rhône (69), campagne 2025" in page
    assert '<th scope="col">Associative</th>' in page and '<th scope="row">Centre social</th>' in page
    assert page.count('<th scope="row">Ensemble</th>') == 1 and '<th scope="col">Ensemble</th>' in page
    assert "répondant" in page
    assert "Note méthodologique" in page and "Secret statistique" in page
    valeurs = re.findall(r'<td class="nombre( cellule-secrete)?"><span class="analyse-valeur">(.*?)</span>', page)
    assert len(valeurs) == 3 * 5  # (CS, EVS, Ensemble) × (4 modes de gestion + Ensemble)
    for secrete, texte in valeurs:
        assert re.fullmatch(r"s|–|[\d\u00a0]+(,\d+)?\u00a0€", texte), texte
        assert bool(secrete) == (texte == "s")  # une cellule masquée ne montre que « s »
    client.force_login(national)
    en_france = calculer(client, territoire="FR", dimension1="type").content.decode()
    assert 'role="img"' in en_france and "<desc>" in en_france  # graphique accessible
    # Un membre de COPIL n'a pas les réponses brutes : le calcul est inscrit au registre de son comité.
    assert CelluleLiberee.objects.filter(audience__startswith="copil:").exists()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"indicateur": ""}, "Choisissez un indicateur dans la liste."),
        ({"indicateur": "inconnu"}, "Choisissez un indicateur dans la liste."),
        ({"territoire": ""}, "Choisissez un territoire."),
        ({"territoire": "X:99"}, "Territoire inconnu"),
        ({"campagne": "deux-mille"}, "Campagne illisible"),
        ({"campagne": "1990"}, "Cochez uniquement des campagnes diffusées."),
        ({"campagne": ""}, "Cochez au moins une campagne."),
        ({"dimension1": "couleur"}, "Choisissez une ventilation dans la liste."),
        ({"dimension2": "type"}, "La seconde ventilation doit être différente de la première."),
        ({"filtre_gestion": "pirate"}, "Modalité inconnue pour « Mode de gestion »."),
    ],
)
def test_bad_input_gets_french_messages_linked_to_the_fields_never_a_500(
    client, correspondant_69, diffusion, params, message
):
    client.force_login(correspondant_69)

    reponse = calculer(client, **params)

    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert message in page
    assert 'role="alert"' in page
    assert re.search(r'aria-describedby="[^"]*-erreur"', page)  # le message est lié à son champ
    assert not CelluleLiberee.objects.exists()


def test_exports_hold_the_protected_cells(client, correspondant_region_84, diffusion):
    client.force_login(correspondant_region_84)
    params = {**CALCUL, "territoire": "R:84"}

    en_csv = client.get(reverse("analyses:exporter", args=["csv"]), params)
    en_xlsx = client.get(reverse("analyses:exporter", args=["xlsx"]), params)

    assert en_csv.status_code == 200 and en_csv["Content-Type"].startswith("text/csv")
    assert "attachment" in en_csv["Content-Disposition"]
    lignes = list(csv.reader(io.StringIO(en_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert any("Centre social" in ligne for ligne in lignes)
    assert en_xlsx.status_code == 200
    feuille = CalamineWorkbook.from_filelike(io.BytesIO(en_xlsx.content)).get_sheet_by_index(0).to_python()
    assert any("Ensemble" in [str(c) for c in ligne] for ligne in feuille)
    assert client.get(reverse("analyses:exporter", args=["pdf"]), params).status_code == 404


# --- Enregistrer, partager, ouvrir ---


def test_a_member_saves_shares_with_the_copil_then_the_guests_who_open_it(
    client, copil, membre, autre_membre, invite, diffusion
):
    client.force_login(membre)
    assert str(copil) in calculer(client).content.decode()  # le comité est proposé à l'enregistrement

    reponse = enregistrer(client, copil)

    analyse = Analyse.objects.get()
    assert reponse.status_code == 302 and reponse["Location"] == reverse("analyses:detail", args=[analyse.pk])
    assert analyse.copil == copil and analyse.proprietaire == membre
    page = client.get(reponse["Location"]).content.decode()
    assert "Partager avec le COPIL" in page and "Partager avec les invités du COPIL" in page

    client.post(reverse("analyses:partager", args=[analyse.pk]), {"avec_invites": "0"})
    analyse.refresh_from_db()
    assert analyse.partagee_copil
    client.force_login(autre_membre)
    assert "Budget moyen par type" in client.get(reverse("analyses:liste")).content.decode()
    assert client.get(reverse("analyses:detail", args=[analyse.pk])).status_code == 200

    client.force_login(invite)
    assert client.get(reverse("analyses:detail", args=[analyse.pk])).status_code == 404  # pas encore partagée

    client.force_login(membre)
    client.post(reverse("analyses:partager", args=[analyse.pk]), {"avec_invites": "1"})
    assert PartageDocument.objects.actifs().filter(copil=copil, nature="analyse", reference=str(analyse.pk)).exists()

    client.force_login(invite)
    liste = client.get(reverse("analyses:liste")).content.decode()
    assert "Partagées avec les invités" in liste and "Budget moyen par type" in liste
    ouverte = client.get(reverse("analyses:detail", args=[analyse.pk]))
    assert ouverte.status_code == 200
    page = ouverte.content.decode()
    assert "Total des produits, moyenne par structure" in page and "Partager avec" not in page
    assert CelluleLiberee.objects.filter(audience=f"invites:{copil.pk}").exists()
    export = client.get(reverse("analyses:exporter_enregistree", args=[analyse.pk, "xlsx"]))
    assert export.status_code == 200
    assert client.post(reverse("analyses:partager", args=[analyse.pk]), {"avec_invites": "1"}).status_code == 403


def test_a_personal_analysis_stays_private(client, membre, autre_membre, invite, correspondant_69, diffusion):
    client.force_login(membre)
    enregistrer(client, None, nom="Brouillon personnel")
    analyse = Analyse.objects.get()
    assert "Brouillon personnel" in client.get(reverse("analyses:liste")).content.decode()
    assert "Partager avec" not in client.get(reverse("analyses:detail", args=[analyse.pk])).content.decode()

    for utilisateur in (autre_membre, invite, correspondant_69):
        client.force_login(utilisateur)
        assert client.get(reverse("analyses:detail", args=[analyse.pk])).status_code == 404
        assert "Brouillon personnel" not in client.get(reverse("analyses:liste")).content.decode()


def test_saving_needs_a_name_and_a_copil_of_ones_own(client, membre, correspondant_69, diffusion):
    client.force_login(membre)
    reponse = enregistrer(client, None, nom="  ")
    assert reponse.status_code == 302 and not Analyse.objects.exists()
    assert "Donnez un nom" in client.get(reponse["Location"]).content.decode()

    ain = copil_pour("departement", "01")
    assert enregistrer(client, ain).status_code == 404
    client.force_login(correspondant_69)  # correspondant, pas membre du COPIL du Rhône
    assert enregistrer(client, copil_pour("departement", "69")).status_code == 404
    assert not Analyse.objects.exists()


def test_nobody_opens_an_unknown_analysis(client, membre, diffusion):
    client.force_login(membre)
    assert client.get(reverse("analyses:detail", args=[9999])).status_code == 404
    assert client.post(reverse("analyses:partager", args=[9999]), {"avec_invites": "1"}).status_code == 404


def test_a_broken_saved_definition_gives_a_french_message_not_a_500(client, membre, diffusion):
    analyse = Analyse.objects.create(nom="Abîmée", proprietaire=membre, definition={"indicateur": "inconnu"})
    client.force_login(membre)

    reponse = client.get(reverse("analyses:detail", args=[analyse.pk]))

    assert reponse.status_code == 400
    assert "Indicateur inconnu" in reponse.content.decode() or "Territoire" in reponse.content.decode()
    export = client.get(reverse("analyses:exporter_enregistree", args=[analyse.pk, "csv"]))
    assert export.status_code == 302


def test_a_region_offers_a_department_filter(client, correspondant_region_84, diffusion):
    client.force_login(correspondant_region_84)

    page = calculer(client, territoire="R:84").content.decode()
    assert 'name="filtre_territoire" value="69"' in page and 'name="filtre_territoire" value="01"' in page

    filtree = calculer(client, territoire="R:84", filtre_territoire="69")
    assert filtree.status_code == 200
    assert 'name="filtre_territoire" value="69" checked' in filtree.content.decode()
    hors = calculer(client, territoire="R:84", filtre_territoire="35")
    assert hors.status_code == 400 and "Département hors du territoire analysé" in hors.content.decode()


def test_an_analysis_without_breakdown_shows_its_value_in_the_table(client, membre, diffusion):
    client.force_login(membre)
    page = calculer(client, dimension1="").content.decode()
    valeurs = re.findall(r'<td class="nombre( cellule-secrete)?"><span class="analyse-valeur">(.*?)</span>', page)
    assert valeurs, page[:2000]
    for _, texte in valeurs:
        assert texte != "–"  # la valeur du graphique et du CSV, pas un tiret
        assert re.fullmatch(r"s|[\d\u00a0]+(,\d+)?\u00a0€", texte), texte


def test_home_pages_agree_with_the_data_tables_diffused_and_an_analysis_shared(
    client, copil, membre, invite, diffusion
):
    from html import unescape

    client.force_login(membre)
    accueil = unescape(client.get(reverse("accueil")).content.decode())
    assert "pas encore disponibles" not in accueil
    assert "Tableaux agrégés (protégés par le secret statistique) disponibles pour la campagne 2025" in accueil

    client.force_login(invite)
    assert "Aucun document n'est partagé" in unescape(client.get(reverse("accueil")).content.decode())
    client.force_login(membre)
    enregistrer(client, copil)
    analyse = Analyse.objects.get()
    client.post(reverse("analyses:partager", args=[analyse.pk]), {"avec_invites": "1"})
    client.force_login(invite)
    accueil = unescape(client.get(reverse("accueil")).content.decode())
    assert "Aucun document n'est partagé" not in accueil
    assert "Budget moyen par type" in accueil and reverse("analyses:liste") in accueil
