"""Import des réponses par un correspondant : simulation, confirmation, tout ou rien, périmètre."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from senacs.campagnes.models import Phase
from senacs.reponses.models import Reponse, RevueSaisie
from tests import bombes
from tests.factories import CampagneFactory
from tests.reponses.donnees import ENTETE, csv_, ligne_69, xlsx

pytestmark = pytest.mark.django_db

URL = reverse("imports:reponses")
URL_CONFIRMER = reverse("imports:confirmer")


@pytest.fixture(autouse=True)
def _dossier_imports(settings, tmp_path):
    settings.SENACS_DOSSIER_IMPORTS_REPONSES = tmp_path / "imports"
    return settings.SENACS_DOSSIER_IMPORTS_REPONSES


@pytest.fixture
def campagne(db):
    return CampagneFactory(annee=2026, phase=Phase.SAISIE)


def deposer(client, contenu, nom="reponses.csv", annee="2026"):
    return client.post(URL, {"campagne": annee, "fichier": SimpleUploadedFile(nom, contenu)})


def test_a_correspondent_simulates_then_confirms_an_import(
    client, campagne, structure_69, usager_structure_69, correspondant_69, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(correspondant_69)
    page = client.get(URL).content.decode()
    assert "Votre périmètre : le département 69 (Rhône)." in page

    reponse = deposer(client, xlsx([ENTETE, ligne_69(structure_69)]), nom="Collecte papier.xlsx")

    page = reponse.content.decode()
    assert "Résultat de la simulation : Collecte papier.xlsx (campagne 2026)" in page
    assert "Confirmer l'import" in page
    assert not Reponse.objects.exists()
    assert len(list((tmp_path / "imports").iterdir())) == 1

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(URL_CONFIRMER, {"jeton": reponse.context["jeton"]}, follow=True)

    assert reponse.redirect_chain == [(URL, 302)]
    assert (
        "Import enregistré (Collecte papier.xlsx) : 1 structure, 8 réponses à enregistrer" in reponse.content.decode()
    )
    enregistree = Reponse.objects.get(structure=structure_69)
    assert enregistree.provenance["E01"]["pour_le_compte"] is True
    assert enregistree.provenance["E01"]["par"] == correspondant_69.pk
    assert RevueSaisie.objects.filter(reponse=enregistree).count() == 8
    assert [m.to for m in mail.outbox] == [[usager_structure_69.email]]
    assert list((tmp_path / "imports").iterdir()) == []


def test_the_simulation_lists_every_error_with_row_and_column_and_nothing_is_kept(
    client, campagne, structure_69, structure_35, correspondant_69, tmp_path
):
    client.force_login(correspondant_69)
    contenu = csv_([ENTETE, ligne_69(structure_69, E01="douze", B06="peut-être"), ligne_69(structure_35)])

    page = deposer(client, contenu).content.decode()

    assert "Le fichier comporte 3 erreurs : rien ne sera enregistré." in page
    assert "Confirmer l&#x27;import" not in page and "Confirmer l'import" not in page
    assert "<td><code>E01</code></td>" in page and "n&#x27;est pas un nombre" in page
    assert "<td><code>B06</code></td>" in page and "Répondez « Oui » ou « Non »." in page
    assert "(département 35) n&#x27;est pas dans votre périmètre" in page
    assert not Reponse.objects.exists()
    assert not (tmp_path / "imports").exists() or list((tmp_path / "imports").iterdir()) == []


def test_only_campaigns_in_entry_or_check_are_offered(client, campagne, correspondant_69, structure_69):
    campagne.phase = Phase.ANALYSE
    campagne.save()
    client.force_login(correspondant_69)

    assert "les réponses ne s'importent pas en ce moment" in client.get(URL).content.decode()
    reponse = deposer(client, csv_([ENTETE, ligne_69(structure_69)]))
    assert reponse.status_code == 400
    assert not Reponse.objects.exists()


def test_a_confirmation_without_simulation_is_refused(client, campagne, correspondant_69):
    client.force_login(correspondant_69)
    reponse = client.post(URL_CONFIRMER, {"jeton": "0" * 32}, follow=True)
    assert "Aucun fichier n&#x27;attend de confirmation" in reponse.content.decode()


@pytest.mark.parametrize("persona", ["usager_structure_69", "copil_69", "invite_69", "national", "preparateur_69"])
def test_only_correspondents_import_answers(client, request, persona, campagne, structure_69):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert deposer(client, csv_([ENTETE, ligne_69(structure_69)])).status_code == 403
    assert client.post(URL_CONFIRMER, {"jeton": "0" * 32}).status_code == 403
    assert client.get(reverse("imports:modele", args=[2026])).status_code == 403
    assert not Reponse.objects.exists()


def test_a_correspondent_downloads_a_blank_template_of_its_perimeter(
    client, campagne, structure_69, structure_35, correspondant_69
):
    client.force_login(correspondant_69)
    assert reverse("imports:modele", args=[2026]) in client.get(URL).content.decode()

    reponse = client.get(reverse("imports:modele", args=[2026]))

    assert reponse["Content-Disposition"] == 'attachment; filename="modele-reponses-2026.xlsx"'
    feuille = CalamineWorkbook.from_filelike(io.BytesIO(reponse.content)).get_sheet_by_index(0).to_python()
    assert feuille[0][:3] == ["structure", "A01", "A02"]
    assert [ligne[0] for ligne in feuille[1:]] == [structure_69.identifiant]
    assert all(cellule == "" for cellule in feuille[1][1:])
    assert client.get(reverse("imports:modele", args=[2031])).status_code == 404


@pytest.mark.parametrize("nom", sorted(bombes.BOMBES))
def test_a_spreadsheet_bomb_is_refused_in_french_before_being_read(client, correspondant_69, campagne, nom):
    fabrique, extension = bombes.BOMBES[nom]
    client.force_login(correspondant_69)
    reponse = deposer(client, fabrique(), nom=f"reponses.{extension}")
    assert reponse.status_code == 200
    (erreur,) = [str(e) for e in reponse.context["rapport"].erreurs]
    assert erreur.startswith("Fichier : la feuille « ")
    assert not Reponse.objects.exists()
