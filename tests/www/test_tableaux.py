import csv
import io
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse
from python_calamine import CalamineWorkbook

from core.formats import ESPACE_INSECABLE
from senacs.journal.models import AccesDonnees, Nature
from senacs.statistiques.models import DemandeTableaux, StatutDemande
from senacs.statistiques.services import diffusion_publier
from tests.factories import MandatFactory
from tests.statistiques.fabriques import campagne_statistiques, var_dir  # noqa: F401

pytestmark = pytest.mark.usefixtures("var_dir")


@pytest.fixture
def jeu(db):
    return campagne_statistiques()


@pytest.fixture
def diffusion(jeu):
    return diffusion_publier(campagne=jeu.campagne)


def url_tableaux(territoire="D69", annee=2025):
    return reverse("tableaux:tableaux", args=[annee, territoire])


class CasesDesTableaux(HTMLParser):
    """Le texte des cellules de valeurs (td) de chaque ligne des tableaux par question."""

    def __init__(self):
        super().__init__()
        self.lignes, self._ligne, self._td, self._dans_tableau, self._corps = [], None, None, False, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "tableau-agrege" in (attrs.get("class") or ""):
            self._dans_tableau = True
        elif tag == "tbody":
            self._corps = True
        elif self._dans_tableau and self._corps and tag == "tr":
            self._ligne = []
        elif self._ligne is not None and tag == "td":
            self._td = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._dans_tableau = False
        elif tag == "tbody":
            self._corps = False
        elif tag == "tr" and self._ligne is not None:
            if self._ligne:
                self.lignes.append(self._ligne)
            self._ligne = None
        elif tag == "td" and self._td is not None:
            self._ligne.append(self._td.strip())
            self._td = None

    def handle_data(self, data):
        if self._td is not None:
            self._td += data


def cases_a_l_ecran(client, territoire, sections):
    lignes = []
    for section in sections:
        analyse = CasesDesTableaux()
        analyse.feed(client.get(url_tableaux(territoire), {"section": section}).content.decode())
        lignes += analyse.lignes
    return lignes


# --- Qui voit quels tableaux ---


def test_a_correspondent_sees_its_department_beside_the_region_and_the_nation(client, correspondant_69, diffusion):
    client.force_login(correspondant_69)

    reponse = client.get(url_tableaux("D69"), {"section": "F"})

    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Rhône (69)" in page and "Auvergne-Rhône-Alpes" in page and "France" in page
    assert "Total des produits" in page
    assert "secret statistique" in page  # la légende du symbole s
    assert "Taux de réponse" in page


def test_it_hides_other_territories(client, correspondant_69, diffusion):
    client.force_login(correspondant_69)

    assert client.get(url_tableaux("D01")).status_code == 404
    assert client.get(url_tableaux("R84")).status_code == 404
    assert client.get(url_tableaux("FR")).status_code == 404
    assert client.get(reverse("tableaux:telecharger", args=[2025, "D01", "csv"])).status_code == 404


def test_the_territory_never_comes_from_the_query_string(client, correspondant_69, diffusion):
    client.force_login(correspondant_69)

    reponse = client.get(url_tableaux("D69"), {"territoire": "D:01", "departement": "01"})

    assert reponse.status_code == 200
    assert "Ain (01)" not in reponse.content.decode()


def test_a_copil_member_and_the_preparer_see_their_territory(client, copil_69, preparateur_69, diffusion):
    for utilisateur in (copil_69, preparateur_69):
        client.force_login(utilisateur)
        assert client.get(url_tableaux("D69")).status_code == 200
        assert client.get(url_tableaux("D01")).status_code == 404


def test_a_regional_correspondent_sees_the_region_but_not_its_departments(client, correspondant_region_84, diffusion):
    client.force_login(correspondant_region_84)

    assert client.get(url_tableaux("R84")).status_code == 200
    assert client.get(url_tableaux("D69")).status_code == 404


def test_the_national_role_sees_the_nation_only(client, national, diffusion):
    client.force_login(national)

    assert client.get(url_tableaux("FR")).status_code == 200
    assert client.get(url_tableaux("R84")).status_code == 404
    assert client.get(url_tableaux("D69")).status_code == 404


def test_structures_guests_and_accounts_without_mandate_get_403(
    client, usager_structure_69, invite_69, sans_mandat, diffusion
):
    for utilisateur in (usager_structure_69, invite_69, sans_mandat):
        client.force_login(utilisateur)
        assert client.get(reverse("tableaux:index")).status_code == 403
        assert client.get(url_tableaux("D69")).status_code == 403
        assert client.get(reverse("tableaux:telecharger", args=[2025, "D69", "xlsx"])).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, diffusion):
    assert client.get(url_tableaux("D69")).status_code == 302


def test_no_table_for_a_campaign_without_an_audited_diffusion(client, correspondant_69, jeu):
    client.force_login(correspondant_69)

    assert client.get(url_tableaux("D69")).status_code == 404
    assert "Aucune campagne n'a encore de diffusion" in client.get(reverse("tableaux:index")).content.decode()


def test_no_table_once_the_frozen_file_was_tampered_with(client, correspondant_69, diffusion):
    with open(diffusion.chemin, "ab") as f:
        f.write(b"\0")
    client.force_login(correspondant_69)

    assert client.get(url_tableaux("D69")).status_code == 404


# --- Téléchargements identiques à l'écran ---


def test_the_csv_download_is_identical_to_the_screen(client, correspondant_69, diffusion):
    client.force_login(correspondant_69)
    sections = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"]

    reponse = client.get(reverse("tableaux:telecharger", args=[2025, "D69", "csv"]))

    assert reponse.status_code == 200
    assert reponse["Content-Disposition"] == 'attachment; filename="tableaux-2025-D69.csv"'
    contenu = reponse.content
    assert contenu.startswith(b"\xef\xbb\xbf")
    lignes = list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0][:5] == ["Section", "Question", "Intitulé", "Ligne", "Mesure"]
    assert lignes[0][5] == "Rhône (69) — Centres sociaux"
    ecran = [[c.replace(ESPACE_INSECABLE, "") for c in ligne] for ligne in cases_a_l_ecran(client, "D69", sections)]
    assert [ligne[5:] for ligne in lignes[1:]] == ecran
    assert any("," in c for ligne in lignes[1:] for c in ligne[5:])  # virgule décimale
    assert "s" in {c for ligne in lignes[1:] for c in ligne[5:]}


@pytest.mark.parametrize("format_", ["xlsx", "ods"])
def test_the_spreadsheet_downloads_hold_the_same_cells_as_the_csv(
    client, correspondant_69, diffusion, format_, tmp_path
):
    client.force_login(correspondant_69)
    csv_lignes = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("tableaux:telecharger", args=[2025, "D69", "csv"])).content.decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )

    reponse = client.get(reverse("tableaux:telecharger", args=[2025, "D69", format_]))

    assert reponse.status_code == 200
    chemin = tmp_path / f"t.{format_}"
    chemin.write_bytes(reponse.content)
    classeur = CalamineWorkbook.from_path(str(chemin))
    assert classeur.sheet_names == ["Tableaux", "Méthode"]
    lignes = classeur.get_sheet_by_name("Tableaux").to_python()
    assert lignes[0] == csv_lignes[0]

    def texte(v):
        if isinstance(v, float):
            entier = v == int(v)
            return str(int(v)) if entier else repr(v).replace(".", ",")
        return v

    for feuille, reference in zip(lignes[1:], csv_lignes[1:], strict=True):
        valeurs = [texte(v) for v in feuille[5:]]
        attendues = [c if c in ("s", "–") else c.rstrip("0").rstrip(",") if "," in c else c for c in reference[5:]]
        assert valeurs == attendues
    methode = classeur.get_sheet_by_name("Méthode").to_python()
    assert any("secret statistique" in str(c) for ligne in methode for c in ligne)


def test_an_unknown_format_is_not_found(client, correspondant_69, diffusion):
    client.force_login(correspondant_69)

    assert client.get(reverse("tableaux:telecharger", args=[2025, "D69", "pdf"])).status_code == 404


# --- Réponses brutes : le préparateur désigné seulement ---


def test_only_the_designated_preparer_downloads_the_raw_answers_of_its_territory(
    client, preparateur_69, copil_69, invite_69, correspondant_69, usager_structure_69, national, jeu
):
    url = reverse("tableaux:reponses_brutes", args=[2025, "D69"])
    for utilisateur in (copil_69, invite_69, correspondant_69, usager_structure_69, national):
        client.force_login(utilisateur)
        assert client.get(url).status_code == 403
    assert not AccesDonnees.objects.exists()

    client.force_login(preparateur_69)
    reponse = client.get(url)

    assert reponse.status_code == 200
    lignes = list(csv.DictReader(io.StringIO(reponse.content.decode("utf-8"))))
    assert {ligne["structure"] for ligne in lignes} == {
        s.identifiant for s in jeu.repondantes if s.departement_id == "69"
    }
    acces = AccesDonnees.objects.get()
    assert acces.nature == Nature.EXPORT_BRUT and acces.utilisateur == preparateur_69
    assert client.get(reverse("tableaux:reponses_brutes", args=[2025, "D01"])).status_code == 404
    assert client.get(reverse("tableaux:reponses_brutes", args=[2025, "FR"])).status_code == 404


def test_copil_members_guests_correspondents_and_structures_get_404_on_raw_answers_outside_their_rights(
    client, copil_69, invite_69, correspondant_69, usager_structure_69, jeu
):
    ailleurs = next(s for s in jeu.repondantes if s.departement_id == "01")
    dans_le_rhone = next(s for s in jeu.repondantes if s.departement_id == "69")
    for utilisateur in (copil_69, invite_69, correspondant_69, usager_structure_69):
        client.force_login(utilisateur)
        assert client.get(reverse("structures:detail", args=[ailleurs.pk])).status_code == 404
    for utilisateur in (copil_69, invite_69, usager_structure_69):
        client.force_login(utilisateur)
        assert client.get(reverse("structures:detail", args=[dans_le_rhone.pk])).status_code == 404


def test_the_index_lists_the_raw_downloads_for_the_preparer(client, preparateur_69, diffusion):
    client.force_login(preparateur_69)

    page = client.get(reverse("tableaux:index")).content.decode()

    assert reverse("tableaux:reponses_brutes", args=[2025, "D69"]) in page
    assert reverse("tableaux:tableaux", args=[2025, "D69"]) in page


# --- Tableaux automatisés d'une structure ---


@pytest.fixture
def direction(jeu):
    structure = jeu.repondantes[0]
    return MandatFactory(
        role="structure", niveau="structure", departement=None, structure=structure, organisme="structure", caf=None
    ).utilisateur, structure


def test_a_structure_requests_its_automated_tables_and_downloads_them(
    client, direction, diffusion, django_capture_on_commit_callbacks
):
    utilisateur, structure = direction
    client.force_login(utilisateur)
    page = client.get(reverse("tableaux:ma_structure"))
    assert "Demander mes tableaux 2025" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(reverse("tableaux:ma_structure"), {"structure": structure.pk, "campagne": "2025"})

    assert reponse.status_code == 302
    demande = DemandeTableaux.objects.get()
    assert demande.statut == StatutDemande.PRETE
    assert len(mail.outbox) == 1
    pdf = client.get(reverse("tableaux:fichier_automatise", args=[demande.pk, "pdf"]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    xlsx = client.get(reverse("tableaux:fichier_automatise", args=[demande.pk, "xlsx"]))
    assert xlsx.status_code == 200
    assert "attachment" in xlsx["Content-Disposition"]
    assert b"".join(xlsx.streaming_content).startswith(b"PK")


def test_another_structure_cannot_download_or_request_someone_elses_tables(
    client, direction, usager_structure_69, diffusion, django_capture_on_commit_callbacks
):
    utilisateur, structure = direction
    client.force_login(utilisateur)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("tableaux:ma_structure"), {"structure": structure.pk, "campagne": "2025"})
    demande = DemandeTableaux.objects.get()

    client.force_login(usager_structure_69)
    assert client.get(reverse("tableaux:fichier_automatise", args=[demande.pk, "pdf"])).status_code == 404
    assert (
        client.post(reverse("tableaux:ma_structure"), {"structure": structure.pk, "campagne": "2025"}).status_code
        == 404
    )


def test_automated_tables_are_for_structures_only(client, correspondant_69, diffusion):
    client.force_login(correspondant_69)

    assert client.get(reverse("tableaux:ma_structure")).status_code == 403
