"""Aucune saisie perdue : fusion des réponses différentes, conflit sur une même réponse."""

from senacs.reponses.models import Reponse, ReponseHistorique, RevueSaisie
from senacs.reponses.services import reponse_enregistrer
from tests.factories import CampagneFactory


def _reponse(structure):
    return Reponse.objects.create(campagne=CampagneFactory(), structure=structure)


def test_edits_of_different_answers_merge(structure_69, usager_structure_69, correspondant_69):
    reponse = _reponse(structure_69)
    onglet_structure = Reponse.objects.get(pk=reponse.pk)
    onglet_correspondant = Reponse.objects.get(pk=reponse.pk)

    r1 = reponse_enregistrer(
        reponse=onglet_structure, modifications={"E01": (12, 0)}, par=usager_structure_69, organisme="la structure"
    )
    r2 = reponse_enregistrer(
        reponse=onglet_correspondant,
        modifications={"F04": (450000, 0)},
        par=correspondant_69,
        organisme="Caf – Rhône",
        pour_le_compte=True,
    )

    assert r1.ok and r2.ok
    reponse.refresh_from_db()
    assert reponse.valeurs == {"E01": 12, "F04": 450000}
    assert reponse.versions == {"E01": 1, "F04": 1}
    assert reponse.provenance["F04"]["pour_le_compte"] is True
    assert reponse.provenance["F04"]["organisme"] == "Caf – Rhône"
    assert RevueSaisie.objects.filter(reponse=reponse, code="F04", statut="a_examiner").count() == 1


def test_an_edit_of_an_answer_changed_since_it_was_loaded_is_refused_with_both_values(
    structure_69, usager_structure_69, correspondant_69
):
    reponse = _reponse(structure_69)
    reponse_enregistrer(reponse=reponse, modifications={"E01": (12, 0)}, par=usager_structure_69, organisme="x")
    # Deux onglets ont chargé la version 1 ; le correspondant enregistre d'abord.
    reponse_enregistrer(reponse=reponse, modifications={"E01": (14, 1)}, par=correspondant_69, organisme="Caf – Rhône")
    resultat = reponse_enregistrer(
        reponse=reponse, modifications={"E01": (13, 1)}, par=usager_structure_69, organisme="la structure"
    )

    assert not resultat.ok
    (conflit,) = resultat.conflits
    assert (conflit.valeur_proposee, conflit.valeur_enregistree, conflit.version_enregistree) == (13, 14, 2)
    assert conflit.enregistree_par == correspondant_69.nom_complet
    reponse.refresh_from_db()
    assert reponse.valeurs["E01"] == 14  # rien n'a été écrasé silencieusement

    # La personne choisit de garder sa valeur : elle renvoie avec la version enregistrée.
    assert reponse_enregistrer(
        reponse=reponse, modifications={"E01": (13, 2)}, par=usager_structure_69, organisme="la structure"
    ).ok
    reponse.refresh_from_db()
    assert reponse.valeurs["E01"] == 13
    assert list(ReponseHistorique.objects.filter(reponse=reponse, code="E01").values_list("valeur", flat=True)) == [
        13,
        14,
        12,
    ]


def test_saving_the_same_value_again_is_not_a_conflict(structure_69, usager_structure_69):
    reponse = _reponse(structure_69)
    reponse_enregistrer(reponse=reponse, modifications={"B08": (220, 0)}, par=usager_structure_69, organisme="x")
    resultat = reponse_enregistrer(
        reponse=reponse, modifications={"B08": (220, 0)}, par=usager_structure_69, organisme="x"
    )
    assert resultat.ok and resultat.inchangees == ["B08"]
    assert ReponseHistorique.objects.filter(reponse=reponse).count() == 1


def test_clearing_an_answer_removes_it_and_keeps_the_history(structure_69, usager_structure_69):
    reponse = _reponse(structure_69)
    reponse_enregistrer(reponse=reponse, modifications={"B08": (220, 0)}, par=usager_structure_69, organisme="x")
    reponse_enregistrer(reponse=reponse, modifications={"B08": ("", 1)}, par=usager_structure_69, organisme="x")
    reponse.refresh_from_db()
    assert "B08" not in reponse.valeurs
    assert ReponseHistorique.objects.filter(reponse=reponse, code="B08").first().ancienne_valeur == 220
