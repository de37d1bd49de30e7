import pytest
from django.core import mail
from python_calamine import CalamineWorkbook

from senacs.statistiques.automatises import ErreurTableaux, demande_creer, dossier_media
from senacs.statistiques.models import DemandeTableaux, StatutDemande
from senacs.statistiques.services import diffusion_publier
from tests.factories import UtilisateurFactory
from tests.statistiques.fabriques import campagne_statistiques, var_dir  # noqa: F401

pytestmark = pytest.mark.usefixtures("var_dir")


@pytest.fixture
def jeu(db):
    return campagne_statistiques()


def test_the_background_task_produces_both_files_and_notifies_the_structure(jeu, django_capture_on_commit_callbacks):
    diffusion_publier(campagne=jeu.campagne)
    structure = jeu.repondantes[0]
    demandeur = UtilisateurFactory(email="direction@centre.fr")

    with django_capture_on_commit_callbacks(execute=True):
        demande = demande_creer(structure=structure, campagne=jeu.campagne, par=demandeur)

    demande.refresh_from_db()
    assert demande.statut == StatutDemande.PRETE, demande.erreur
    pdf = (dossier_media() / demande.fichier_pdf).read_bytes()
    assert pdf.startswith(b"%PDF")
    xlsx = dossier_media() / demande.fichier_xlsx
    lignes = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name("Tableaux").to_python()
    assert structure.nom in lignes[0][0]
    entetes = next(ligne for ligne in lignes if ligne and ligne[0] == "Question")
    assert entetes[3:] == ["Votre réponse", "Rhône (69)", "Auvergne-Rhône-Alpes", "France"]
    assert any(ligne[0] == "F04" for ligne in lignes)
    assert "s" in {c for ligne in lignes for c in ligne}  # des cellules protégées, jamais leur valeur
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["direction@centre.fr"]
    assert "/tableaux/ma-structure/" in mail.outbox[0].body


def test_no_automated_tables_before_the_campaign_aggregates_are_released(jeu):
    with pytest.raises(ErreurTableaux, match="pas encore diffusés"):
        demande_creer(structure=jeu.repondantes[0], campagne=jeu.campagne, par=UtilisateurFactory())
    assert not DemandeTableaux.objects.exists()


def test_a_diffusion_can_run_as_a_background_task(jeu):
    from senacs.statistiques.tasks import diffuser_agregats

    resultat = diffuser_agregats.enqueue(jeu.campagne.annee, "Démonstration")

    assert resultat.return_value == 1
    assert jeu.campagne.diffusions.get().motif == "Démonstration"
