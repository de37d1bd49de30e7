import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from senacs.structures.models import Structure
from tests import bombes
from tests.factories import MandatFactory, StructureFactory
from tests.structures.fichiers import fichier_csv, fichier_xlsx, ligne, ligne_01

# Marque explicite (et pas seulement celle qu'ajoute tests/conftest.py) : pytest-django ordonne les
# tests avant que le conftest n'ajoute sa marque ; sans elle, ces tests passeraient après les tests
# navigateur transactionnels, qui vident la base (référentiel des territoires compris).
pytestmark = pytest.mark.django_db

URL = reverse("registre:importer")
URL_CONFIRMER = reverse("registre:confirmer")


@pytest.fixture(autouse=True)
def _dossier_imports(settings, tmp_path):
    settings.SENACS_DOSSIER_IMPORTS = tmp_path / "imports"
    return settings.SENACS_DOSSIER_IMPORTS


@pytest.fixture
def admin(db):
    return MandatFactory(role="admin", niveau="nation", departement=None, organisme="national").utilisateur


def deposer(client, contenu, nom="registre.csv"):
    return client.post(URL, {"fichier": SimpleUploadedFile(nom, contenu)})


def confirmer(client, reponse):
    return client.post(URL_CONFIRMER, {"jeton": reponse.context["jeton"]}, follow=True)


def test_a_correspondent_simulates_then_confirms_the_import_of_its_department(client, correspondant_69, tmp_path):
    client.force_login(correspondant_69)
    assert client.get(URL).status_code == 200

    reponse = deposer(client, fichier_csv([ligne()]))

    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Résultat de la simulation" in page
    assert "Confirmer l'import" in page
    assert "CS69001" in page
    assert not Structure.objects.exists()  # la simulation n'écrit rien
    assert len(list((tmp_path / "imports").iterdir())) == 1

    reponse = confirmer(client, reponse)

    assert reponse.redirect_chain == [(URL, 302)]
    assert "Import enregistré (registre.csv) : 1 création, 0 modification" in reponse.content.decode()
    assert Structure.objects.get().identifiant == "CS69001"
    assert list((tmp_path / "imports").iterdir()) == []  # le dépôt est effacé après l'import
    assert "registre_import" not in client.session


def test_the_simulation_shows_updates_with_their_differences(client, correspondant_69, structure_69):
    client.force_login(correspondant_69)
    contenu = fichier_xlsx([ligne(identifiant=structure_69.identifiant, nom="Nouveau nom")])

    reponse = deposer(client, contenu, nom="Registre 2025.xlsx")

    page = reponse.content.decode()
    assert "Résultat de la simulation : Registre 2025.xlsx" in page
    assert "<del>Centre social de la Croix-Rousse</del> → <ins>Nouveau nom</ins>" in page
    structure_69.refresh_from_db()
    assert structure_69.nom == "Centre social de la Croix-Rousse"
    confirmer(client, reponse)
    structure_69.refresh_from_db()
    assert structure_69.nom == "Nouveau nom"


def test_a_correspondent_cannot_import_a_structure_of_another_department(client, correspondant_69):
    client.force_login(correspondant_69)

    reponse = deposer(client, fichier_csv([ligne(), ligne_01()]))

    page = reponse.content.decode()
    assert "Le fichier comporte 1 erreur : rien ne sera enregistré." in page
    assert (
        '<td class="nombre">3</td>\n          <td><code>departement</code></td>\n'
        "          <td>Le département 01 (Ain) est hors de votre périmètre (69) : vous ne pouvez pas y importer "
        "de structure.</td>"
    ) in page
    assert "Confirmer l'import" not in page
    assert reponse.context["jeton"] == ""

    # Sans dépôt en attente, la confirmation n'applique rien.
    reponse = client.post(URL_CONFIRMER, {"jeton": "0" * 32}, follow=True)
    assert "Aucun fichier n&#x27;attend de confirmation" in reponse.content.decode()
    assert not Structure.objects.exists()


def test_a_national_member_imports_any_department(client, national):
    client.force_login(national)
    reponse = deposer(client, fichier_csv([ligne(), ligne_01()]))
    assert reponse.context["rapport"].erreurs == []
    confirmer(client, reponse)
    assert Structure.objects.count() == 2


def test_an_administrator_imports_any_department(client, admin):
    client.force_login(admin)
    reponse = deposer(client, fichier_csv([ligne_01()]))
    confirmer(client, reponse)
    assert Structure.objects.get().departement_id == "01"


@pytest.mark.parametrize("persona", ["copil_69", "invite_69", "usager_structure_69", "preparateur_69", "sans_mandat"])
def test_other_roles_are_denied(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert deposer(client, fichier_csv([ligne()])).status_code == 403
    assert client.post(URL_CONFIRMER, {"jeton": "0" * 32}).status_code == 403
    assert client.get(reverse("registre:exporter", args=["xlsx"])).status_code == 403
    assert not Structure.objects.filter(identifiant="CS69001").exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for reponse in (
        client.get(URL),
        deposer(client, fichier_csv([ligne()])),
        client.get(reverse("registre:exporter", args=["csv"])),
    ):
        assert reponse.status_code == 302
        assert reponse["Location"].startswith(reverse("comptes:connexion"))
    assert not Structure.objects.exists()


def test_the_confirmation_needs_the_token_of_the_simulated_file(client, correspondant_69):
    client.force_login(correspondant_69)
    deposer(client, fichier_csv([ligne()]))
    reponse = client.post(URL_CONFIRMER, {"jeton": "f" * 32}, follow=True)
    assert "Aucun fichier n&#x27;attend de confirmation" in reponse.content.decode()
    assert not Structure.objects.exists()


def test_a_pending_file_is_not_usable_by_another_user(client, correspondant_69, national):
    client.force_login(correspondant_69)
    reponse = deposer(client, fichier_csv([ligne()]))
    jeton = reponse.context["jeton"]
    client.logout()
    client.force_login(national)
    client.post(URL_CONFIRMER, {"jeton": jeton})
    assert not Structure.objects.exists()


@pytest.mark.parametrize(
    ("nom", "contenu", "message"),
    [
        (
            "registre.pdf",
            b"%PDF-1.4",
            "Format de fichier non pris en charge (extensions admises : .csv, .xlsx, .xls, .ods).",
        ),
        ("registre.csv", b"", "Le fichier soumis est vide."),
        ("registre.csv", b"a" * (5 * 1024 * 1024 + 1), "Le fichier pèse 5,0 Mo : la limite est de 5 Mo."),
    ],
)
def test_the_upload_is_checked_before_anything_is_read(client, correspondant_69, nom, contenu, message):
    client.force_login(correspondant_69)
    reponse = deposer(client, contenu, nom=nom)
    assert reponse.status_code == 200
    assert reponse.context["form"].errors["fichier"] == [message]
    assert reponse.context["rapport"] is None


def test_an_unreadable_workbook_is_reported_in_the_error_table(client, correspondant_69):
    client.force_login(correspondant_69)
    reponse = deposer(client, b"ceci n'est pas un classeur", nom="registre.xlsx")
    assert [str(e) for e in reponse.context["rapport"].erreurs] == [
        "Fichier : le fichier n'est pas un classeur XLSX valide."
    ]


def test_the_export_hides_other_territories(client, correspondant_69, structure_69, structure_01):
    client.force_login(correspondant_69)

    reponse = client.get(reverse("registre:exporter", args=["xlsx"]))

    assert reponse.status_code == 200
    assert reponse["Content-Disposition"].startswith('attachment; filename="registre-senacs-')
    lignes = CalamineWorkbook.from_filelike(io.BytesIO(reponse.content)).get_sheet_by_index(0).to_python()
    assert [ligne[0] for ligne in lignes[1:]] == [structure_69.identifiant]

    reponse = client.get(reverse("registre:exporter", args=["csv"]))
    texte = reponse.content.decode("utf-8-sig")
    assert structure_69.identifiant in texte and structure_01.identifiant not in texte
    assert client.get(reverse("registre:exporter", args=["pdf"])).status_code == 404


def test_the_national_export_covers_every_department_and_round_trips(client, national, structure_69, structure_01):
    client.force_login(national)
    contenu = client.get(reverse("registre:exporter", args=["csv"])).content
    reponse = deposer(client, contenu)
    rapport = reponse.context["rapport"]
    assert rapport.erreurs == []
    assert rapport.resume() == "0 création, 0 modification, 2 lignes inchangées, 0 agrément ajouté"


def test_the_page_links_to_the_export_of_the_perimeter(client, correspondant_69):
    client.force_login(correspondant_69)
    page = client.get(URL).content.decode()
    assert reverse("registre:exporter", args=["xlsx"]) in page
    assert reverse("registre:exporter", args=["csv"]) in page
    assert "Votre périmètre : le département 69 (Rhône)." in page


# --- Durcissement (issue 12) ---


@pytest.mark.parametrize("nom", sorted(bombes.BOMBES))
def test_a_spreadsheet_bomb_is_refused_in_french_before_being_read(client, correspondant_69, nom):
    fabrique, extension = bombes.BOMBES[nom]
    client.force_login(correspondant_69)
    reponse = deposer(client, fabrique(), nom=f"registre.{extension}")
    assert reponse.status_code == 200
    (erreur,) = [str(e) for e in reponse.context["rapport"].erreurs]
    assert erreur.startswith("Fichier : la feuille « ")
    assert "limite" in erreur or "couvre plus de" in erreur
    assert not Structure.objects.exists()


def test_the_register_csv_export_neutralises_formulas_and_round_trips(client, national):
    StructureFactory(nom="=1+1 centre", adresse="@SUM(A1)")
    client.force_login(national)
    contenu = client.get(reverse("registre:exporter", args=["csv"])).content
    texte = contenu.decode("utf-8-sig")
    assert ";'=1+1 centre;" in texte and "'@SUM(A1)" in texte
    assert ";=1+1" not in texte
    # Réimporté tel quel : rien ne change (l'apostrophe ajoutée est retirée à la lecture).
    reponse = deposer(client, contenu, nom="registre.csv")
    assert reponse.context["rapport"].erreurs == []
    assert reponse.context["rapport"].modifications == [] and len(reponse.context["rapport"].inchangees) == 1
