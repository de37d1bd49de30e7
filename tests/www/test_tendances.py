"""Cartes par département et tendances : accès par rôle, valeurs publiées seulement, erreurs en français."""

import re

import pytest
from django.urls import reverse

from core.formats import formater_nombre
from senacs.statistiques.services import cellules_publiques, diffusion_publier
from tests.statistiques.fabriques import campagne_statistiques, var_dir  # noqa: F401

pytestmark = pytest.mark.usefixtures("var_dir")

URL_CARTE = "tendances:carte"


@pytest.fixture
def diffusion(db):
    jeu = campagne_statistiques()
    return diffusion_publier(campagne=jeu.campagne)


def carte(client, **params):
    return client.get(reverse(URL_CARTE), params)


def lignes_du_tableau(page: str) -> dict[str, list[str]]:
    corps = page.split('id="tableau-carte"', 1)[1].split("</table>", 1)[0]
    lignes = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", corps, re.S):
        th = re.search(r"<th scope=\"row\">(.*?)</th>", tr)
        if th:
            lignes[th.group(1)] = [re.sub(r"<.*?>", "", td).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
    return lignes


# --- Accès ---


def test_the_map_is_open_to_roles_with_aggregates(
    client, national, copil_69, preparateur_69, correspondant_69, correspondant_region_84, diffusion
):
    for utilisateur in (national, copil_69, preparateur_69, correspondant_69, correspondant_region_84):
        client.force_login(utilisateur)
        reponse = carte(client, territoire="R:84")
        assert reponse.status_code == 200, utilisateur
        assert "Rhône (69)" in reponse.content.decode()


def test_a_department_account_only_gets_its_own_region(client, correspondant_69, diffusion):
    client.force_login(correspondant_69)

    assert carte(client, territoire="R:53").status_code == 404
    assert carte(client, territoire="FR").status_code == 404
    page = carte(client).content.decode()
    assert 'value="R:84"' in page and 'value="FR"' not in page


def test_the_national_role_maps_the_nation_with_the_overseas_departments(client, national, diffusion):
    client.force_login(national)

    reponse = carte(client, territoire="FR")

    assert reponse.status_code == 200
    lignes = lignes_du_tableau(reponse.content.decode())
    for nom in ("Guadeloupe (971)", "Martinique (972)", "Guyane (973)", "La Réunion (974)", "Mayotte (976)"):
        assert nom in lignes
    assert len(lignes) == 101
    assert carte(client, territoire="R:53").status_code == 200  # la France ouvre ses régions


def test_structures_guests_and_accounts_without_mandate_are_refused(
    client, usager_structure_69, invite_69, sans_mandat, diffusion
):
    for utilisateur in (usager_structure_69, invite_69, sans_mandat):
        client.force_login(utilisateur)
        assert carte(client).status_code == 403
        assert client.get(reverse("tendances:index")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, diffusion):
    reponse = carte(client)
    assert reponse.status_code == 302 and "connexion" in reponse["Location"]
    assert client.get(reverse("tendances:index")).status_code == 302


# --- Contenu : les cellules publiées de la diffusion, rien d'autre ---


def test_the_map_table_holds_the_published_department_cells(client, correspondant_region_84, diffusion):
    client.force_login(correspondant_region_84)
    cellules = cellules_publiques(diffusion, territoires=["69", "01"])
    attendues = {
        (t, s): (v, statut)
        for t, s, v, statut in cellules.filter(
            (cellules["niveau"] == "departement")
            & (cellules["public"] == "ensemble")
            & (cellules["question"] == "F04")
            & cellules["statistique"].is_in(["moyenne", "repondants"])
        )
        .select("territoire", "statistique", "valeur", "statut")
        .iter_rows()
    }

    reponse = carte(client, territoire="R:84", indicateur="F04|moyenne|", public="ensemble", campagne="2025")

    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "<svg" in page and 'role="img"' in page and "<desc>" in page
    assert 'href="#tableau-carte"' in page
    lignes = lignes_du_tableau(page)
    for code, nom in (("69", "Rhône (69)"), ("01", "Ain (01)")):
        valeur, statut = attendues[(code, "moyenne")]
        texte = "s" if statut == "secret" else formater_nombre(valeur, 0) + "\u00a0€"
        assert lignes[nom][0] == texte
        assert lignes[nom][1] == formater_nombre(attendues[(code, "repondants")][0], 0)
    assert lignes["Savoie (73)"][0] == "–"  # aucune structure dans le jeu de test
    # La liste des indicateurs dit le libellé de la question, le tableau est triable (script statique).
    assert "Total des produits" in page and "— moyenne (F04)</option>" in page
    assert "<table data-senacs-triable>" in page and "senacs/tri.js" in page


def test_suppressed_departments_are_hatched_and_labelled_s(client, national, diffusion):
    client.force_login(national)
    cellules = cellules_publiques(diffusion)
    secretes = cellules.filter(
        (cellules["niveau"] == "departement") & (cellules["statut"] == "secret") & (cellules["statistique"] == "part")
    )
    assert secretes.height, "le jeu de test doit masquer au moins une part départementale"
    territoire, public, question, modalite = secretes.select("territoire", "public", "question", "modalite").row(0)
    indicateur = f"{question}|part|{modalite}"

    page = carte(client, territoire="FR", indicateur=indicateur, public=public).content.decode()

    lignes = lignes_du_tableau(page)
    (nom,) = [n for n in lignes if n.endswith(f"({territoire})")]
    assert lignes[nom][0] == "s"
    assert 'aria-roledescription="rule mark"' in page  # hachures
    assert "secret statistique" in page


@pytest.mark.parametrize(
    "params, message",
    [
        ({"campagne": "1999"}, "Choisissez une campagne diffusée"),
        ({"territoire": "D:69"}, "Choisissez la France ou une région"),
        ({"territoire": "n'importe quoi"}, "Choisissez la France ou une région"),
        ({"public": "autre"}, "Choisissez un public"),
        ({"indicateur": "ZZZ|moyenne|"}, "Choisissez un indicateur"),
    ],
)
def test_bad_input_gets_a_french_message_never_a_500(client, national, diffusion, params, message):
    client.force_login(national)

    reponse = carte(client, **params)

    assert reponse.status_code == 400
    assert message in reponse.content.decode()
    assert 'aria-invalid="true"' in reponse.content.decode()


def test_no_map_before_any_diffusion(client, national, db):
    client.force_login(national)

    reponse = carte(client)

    assert reponse.status_code == 200
    assert "Aucune campagne n'a encore de diffusion" in reponse.content.decode()


# --- Tendances ---


@pytest.fixture
def deux_campagnes(db):
    """Une campagne 2022 au même questionnaire, sans deux structures du Rhône (hors panel constant)."""
    from senacs.reponses.models import Reponse
    from tests.factories import CampagneFactory

    jeu = campagne_statistiques()
    diffusion_publier(campagne=jeu.campagne)
    ancienne = CampagneFactory(
        annee=2022, phase="analyse", questionnaire=jeu.campagne.questionnaire, version_questionnaire="2025"
    )
    absentes = list(
        Reponse.objects.filter(campagne=jeu.campagne, structure__departement_id="69")
        .order_by("structure_id")
        .values_list("structure_id", flat=True)[:2]
    )
    for r in Reponse.objects.filter(campagne=jeu.campagne).exclude(structure_id__in=absentes):
        Reponse.objects.create(
            campagne=ancienne,
            structure_id=r.structure_id,
            statut="validee",
            valeurs=dict(r.valeurs),
            instantane=r.instantane,
            soumise_le=r.soumise_le,
            validee_le=r.soumise_le,
        )
    diffusion_publier(campagne=ancienne)
    return jeu


def tendance(client, **params):
    return client.get(reverse("tendances:index"), {"indicateur": "budget_total", "territoire": "R:84", **params})


def test_the_trend_shows_both_series_the_panel_size_and_a_chart(client, correspondant_region_84, deux_campagnes):
    client.force_login(correspondant_region_84)

    reponse = tendance(client)

    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Total des produits (budget) par campagne : tous les répondants et panel constant" in page
    assert '<th scope="row">2022</th>' in page and '<th scope="row">2025</th>' in page
    assert "Tous les répondants" in page and "Panel constant" in page
    assert re.search(r"Panel constant : <strong>\d+</strong> structures", page)
    assert 'role="img"' in page and "<desc>" in page
    assert "Méthode" in page and "Correspondances" in page or "Aucune correspondance" in page
    assert 'href="/tendances/carte/"' in page


def test_trends_by_role(
    client, national, copil_69, preparateur_69, correspondant_69, usager_structure_69, invite_69, deux_campagnes
):
    for utilisateur in (national, copil_69, preparateur_69, correspondant_69):
        client.force_login(utilisateur)
        assert tendance(client, territoire="D:69").status_code == 200, utilisateur
    client.force_login(correspondant_69)
    assert tendance(client, territoire="D:01").status_code == 404
    assert tendance(client, territoire="FR").status_code == 404
    for utilisateur in (usager_structure_69, invite_69):
        client.force_login(utilisateur)
        assert tendance(client, territoire="D:69").status_code == 403


@pytest.mark.parametrize(
    "params, message",
    [
        ({"indicateur": "inconnu"}, "Choisissez un indicateur dans la liste."),
        ({"territoire": ""}, "Choisissez un territoire."),
        ({"territoire": "Z:12"}, "Territoire inconnu."),
    ],
)
def test_trend_bad_input_gets_a_french_message(client, national, deux_campagnes, params, message):
    client.force_login(national)

    reponse = tendance(client, **params)

    assert reponse.status_code == 400
    assert message in reponse.content.decode()


def test_a_trend_needs_two_released_campaigns(client, national, diffusion):
    client.force_login(national)

    reponse = tendance(client)

    assert reponse.status_code == 200
    assert "au moins deux campagnes" in reponse.content.decode()
