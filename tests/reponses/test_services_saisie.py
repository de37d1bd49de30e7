"""Saisie en ligne : ouverture avec reprise de l'an dernier, enregistrement, restauration, dépôts
numérotés avec leurs différences, règles de phase, chargement des questionnaires."""

import datetime
import hashlib
import json

import pytest
from django.conf import settings
from django.utils import timezone

from senacs.campagnes.models import Phase
from senacs.questionnaires.models import Questionnaire
from senacs.questionnaires.services import questionnaire_charger_fichier, questionnaires_charger
from senacs.reponses import selectors
from senacs.reponses.models import Depot, Reponse, ReponseHistorique, RevueSaisie, Statut
from senacs.reponses.services import (
    EcritureRefusee,
    refus_ecriture,
    reponse_ouvrir,
    reponse_restaurer,
    reponse_rouvrir,
    reponse_saisir,
    reponse_soumettre,
)
from senacs.structures.models import Gestionnaire
from tests.factories import CampagneFactory
from tests.reponses.donnees import VALEURS_COMPLETES
from tests.reponses.donnees import campagne_ouverte as _campagne_ouverte
from tests.reponses.donnees import remplir as _remplir

DOSSIER = settings.BASE_DIR / "questionnaires"


@pytest.fixture
def q2026(db):
    return questionnaire_charger_fichier(DOSSIER / "2026.yaml")


@pytest.fixture
def q2025(db):
    return questionnaire_charger_fichier(DOSSIER / "2025.yaml")


@pytest.fixture
def campagne(q2026):
    return _campagne_ouverte(q2026)


# --------------------------------------------------------------------------- chargement des questionnaires


def test_it_loads_a_questionnaire_file_once_and_idempotently(db):
    premier = questionnaire_charger_fichier(DOSSIER / "2026.yaml")
    second = questionnaire_charger_fichier(DOSSIER / "2026.yaml")
    assert premier.pk == second.pk
    assert Questionnaire.objects.filter(version="2026").count() == 1
    assert premier.source == "questionnaires/2026.yaml"
    assert "E01" in premier.modele


def test_it_loads_every_year_and_attaches_each_to_its_campaign(db):
    campagnes = [CampagneFactory(annee=annee) for annee in (2021, 2024, 2026)]
    lignes = questionnaires_charger(DOSSIER)
    assert [q.version for q in lignes] == ["2021", "2022", "2023", "2024", "2025", "2026"]
    for campagne in campagnes:
        campagne.refresh_from_db()
        assert campagne.questionnaire.version == str(campagne.annee)
        assert campagne.version_questionnaire == str(campagne.annee)
    questionnaires_charger(DOSSIER)  # une seconde fois : rien ne change
    assert Questionnaire.objects.count() == 6


# --------------------------------------------------------------------------- ouverture et reprise


def test_it_prefills_identity_answers_from_last_years_deposit_and_records_them_as_reprise(
    q2025, campagne, structure_69, usager_structure_69
):
    precedente = _campagne_ouverte(q2025, annee=2025)
    precedente.phase = Phase.ARCHIVEE
    precedente.save()
    Reponse.objects.create(
        campagne=precedente,
        structure=structure_69,
        statut=Statut.SOUMISE,
        valeurs={"A01": "Centre social de la Croix-Rousse", "A12": 29000, "A19": True, "E01": 12},
    )

    reponse, creee = reponse_ouvrir(campagne=campagne, structure=structure_69, par=usager_structure_69)

    assert creee
    assert reponse.valeurs == {"A01": "Centre social de la Croix-Rousse", "A12": 29000, "A19": True}  # pas E01
    assert reponse.provenance["A12"]["origine"] == "reprise"
    assert set(
        ReponseHistorique.objects.filter(reponse=reponse, origine="reprise").values_list("code", flat=True)
    ) == {"A01", "A12", "A19"}
    assert not RevueSaisie.objects.exists()  # une reprise n'est pas une saisie pour le compte
    # Une seconde ouverture ne reprend rien de plus.
    again, creee = reponse_ouvrir(campagne=campagne, structure=structure_69, par=usager_structure_69)
    assert (again.pk, creee) == (reponse.pk, False)
    assert ReponseHistorique.objects.filter(reponse=reponse).count() == 3


def test_it_does_not_prefill_from_a_draft_that_was_never_deposited(q2025, campagne, structure_69, usager_structure_69):
    precedente = _campagne_ouverte(q2025, annee=2025)
    Reponse.objects.create(campagne=precedente, structure=structure_69, valeurs={"A01": "Brouillon"})
    reponse, _ = reponse_ouvrir(campagne=campagne, structure=structure_69, par=usager_structure_69)
    assert reponse.valeurs == {}


# --------------------------------------------------------------------------- enregistrement


def test_it_keeps_an_answer_changed_elsewhere_when_the_form_sends_it_back_unchanged(
    campagne, structure_69, usager_structure_69, correspondant_69
):
    reponse, _ = reponse_ouvrir(campagne=campagne, structure=structure_69, par=usager_structure_69)
    reponse_saisir(
        reponse=reponse, saisies={"E01": (12, 0)}, par=usager_structure_69, organisme="x", pour_le_compte=False
    )
    # Le correspondant change E01 ; l'onglet de la structure, chargé à la version 1, renvoie E01 inchangé avec E02.
    reponse_saisir(
        reponse=Reponse.objects.get(pk=reponse.pk),
        saisies={"E01": (14, 1)},
        par=correspondant_69,
        organisme="Caf – Rhône",
        pour_le_compte=True,
    )
    resultat = reponse_saisir(
        reponse=Reponse.objects.get(pk=reponse.pk),
        saisies={"E01": (12, 1), "E02": (10.5, 0)},
        par=usager_structure_69,
        organisme="x",
        pour_le_compte=False,
    )
    assert resultat.ok
    reponse.refresh_from_db()
    assert reponse.valeurs == {"E01": 14, "E02": 10.5}


def test_it_restores_an_old_value_as_a_new_save(campagne, structure_69, usager_structure_69):
    reponse, _ = reponse_ouvrir(campagne=campagne, structure=structure_69, par=usager_structure_69)
    for version, valeur in enumerate((10, 12, 15)):
        reponse_saisir(
            reponse=reponse,
            saisies={"E01": (valeur, version)},
            par=usager_structure_69,
            organisme="x",
            pour_le_compte=False,
        )
    ancienne = ReponseHistorique.objects.get(reponse=reponse, code="E01", version=1)

    resultat = reponse_restaurer(
        reponse=reponse,
        historique=ancienne,
        version_chargee=3,
        par=usager_structure_69,
        organisme="x",
        pour_le_compte=False,
    )

    assert resultat.ok
    reponse.refresh_from_db()
    assert (reponse.valeurs["E01"], reponse.versions["E01"]) == (10, 4)
    derniere = ReponseHistorique.objects.filter(reponse=reponse, code="E01").first()
    assert (derniere.origine, derniere.valeur, derniere.ancienne_valeur) == ("restauration", 10, 15)


def test_it_refuses_a_restore_over_a_newer_value(campagne, structure_69, usager_structure_69):
    reponse, _ = reponse_ouvrir(campagne=campagne, structure=structure_69, par=usager_structure_69)
    reponse_saisir(
        reponse=reponse, saisies={"E01": (10, 0)}, par=usager_structure_69, organisme="x", pour_le_compte=False
    )
    reponse_saisir(
        reponse=reponse, saisies={"E01": (12, 1)}, par=usager_structure_69, organisme="x", pour_le_compte=False
    )
    ancienne = ReponseHistorique.objects.get(reponse=reponse, code="E01", version=1)
    resultat = reponse_restaurer(
        reponse=reponse,
        historique=ancienne,
        version_chargee=1,
        par=usager_structure_69,
        organisme="x",
        pour_le_compte=False,
    )
    assert not resultat.ok
    reponse.refresh_from_db()
    assert reponse.valeurs["E01"] == 12


# --------------------------------------------------------------------------- règles de phase


def test_it_opens_entry_to_the_structure_only_during_its_entry_window(campagne, structure_69):
    jour = timezone.localdate()
    assert refus_ecriture(campagne, structure_69, pour_le_compte=False, jour=jour) is None
    apres = campagne.date_fin_saisie + datetime.timedelta(days=1)
    assert "date limite de saisie" in refus_ecriture(campagne, structure_69, pour_le_compte=False, jour=apres)
    campagne.phase = Phase.CONTROLE
    assert "close" in refus_ecriture(campagne, structure_69, pour_le_compte=False, jour=jour)
    assert refus_ecriture(campagne, structure_69, pour_le_compte=True, jour=jour) is None
    campagne.phase = Phase.ANALYSE
    assert "contrôle de cohérence" in refus_ecriture(campagne, structure_69, pour_le_compte=True, jour=jour)
    campagne.phase = Phase.PREPARATION
    assert "pas encore ouverte" in refus_ecriture(campagne, structure_69, pour_le_compte=False, jour=jour)


def test_it_refuses_a_save_outside_the_entry_phase_with_a_french_message(campagne, structure_69, usager_structure_69):
    reponse, _ = reponse_ouvrir(campagne=campagne, structure=structure_69, par=usager_structure_69)
    campagne.phase = Phase.ANALYSE
    campagne.save()
    reponse = Reponse.objects.select_related("campagne", "structure").get(pk=reponse.pk)
    with pytest.raises(EcritureRefusee, match="est close"):
        reponse_saisir(
            reponse=reponse, saisies={"E01": (12, 0)}, par=usager_structure_69, organisme="x", pour_le_compte=False
        )
    assert Reponse.objects.get(pk=reponse.pk).valeurs == {}


# --------------------------------------------------------------------------- dépôt


def test_it_refuses_submission_while_a_blocking_anomaly_remains(campagne, structure_69, usager_structure_69):
    reponse, _ = reponse_ouvrir(campagne=campagne, structure=structure_69, par=usager_structure_69)
    _remplir(reponse, {**VALEURS_COMPLETES, "E02": 20}, usager_structure_69)  # R01 : ETP > salariés

    resultat = reponse_soumettre(
        reponse=reponse, justifications={}, par=usager_structure_69, organisme="x", pour_le_compte=False
    )

    assert not resultat.ok
    assert "R01" in [a.code_regle for a in resultat.bloquantes]
    assert not Depot.objects.exists()
    assert Reponse.objects.get(pk=reponse.pk).statut == Statut.BROUILLON


def test_it_requires_a_short_justification_for_each_warning_and_keeps_the_ones_given(
    campagne, structure_69, usager_structure_69
):
    reponse, _ = reponse_ouvrir(campagne=campagne, structure=structure_69, par=usager_structure_69)
    _remplir(reponse, {**VALEURS_COMPLETES, "E10": 0.4, "E15": 5.6, "B08": 120}, usager_structure_69)  # R23, R27

    resultat = reponse_soumettre(
        reponse=reponse,
        justifications={"R23": "Direction partagée avec un autre centre.", "R27": "x" * 1001},
        par=usager_structure_69,
        organisme="x",
        pour_le_compte=False,
    )

    assert not resultat.ok and not resultat.bloquantes
    assert list(resultat.justifications_invalides) == ["R27"]
    assert "1 000 caractères au plus" in resultat.justifications_invalides["R27"]
    assert Reponse.objects.get(pk=reponse.pk).justifications == {"R23": "Direction partagée avec un autre centre."}

    resultat = reponse_soumettre(
        reponse=reponse,
        justifications={"R27": "Fermeture pour travaux de mars à juillet."},
        par=usager_structure_69,
        organisme="x",
        pour_le_compte=False,
    )
    assert resultat.ok
    assert [(a["code"], a["justification"]) for a in resultat.depot.avertissements] == [
        ("R23", "Direction partagée avec un autre centre."),
        ("R27", "Fermeture pour travaux de mars à juillet."),
    ]


def test_it_submits_with_a_snapshot_a_numbered_deposit_and_a_sha256_fingerprint(
    campagne, structure_69, usager_structure_69
):
    structure_69.gestionnaire = Gestionnaire.objects.create(nom="Association des centres", siren="123456789")
    structure_69.save()
    reponse, _ = reponse_ouvrir(campagne=campagne, structure=structure_69, par=usager_structure_69)
    _remplir(reponse, {**VALEURS_COMPLETES, "J01": False, "J02": 3}, usager_structure_69)  # J02 : non pertinente
    instant = timezone.now()

    resultat = reponse_soumettre(
        reponse=reponse,
        justifications={},
        par=usager_structure_69,
        organisme=structure_69.nom,
        pour_le_compte=False,
        maintenant=instant,
    )

    assert resultat.ok, [a.message for a in resultat.bloquantes] + list(resultat.justifications_invalides.values())
    reponse.refresh_from_db()
    assert reponse.statut == Statut.SOUMISE and reponse.soumise_le == instant
    assert reponse.instantane == {
        "type": "CS",
        "departement": "69",
        "region": "84",
        "zone": None,
        "mode_gestion": "associatif",
        "type_territoire": "urbain",
        "geographie_prioritaire": "non_concerne",
        "gestionnaire": "123456789",
    }
    depot = resultat.depot
    assert depot.numero == 1
    assert depot.valeurs == {**VALEURS_COMPLETES, "J01": False}
    assert "J02" not in depot.valeurs  # réponse non pertinente : ignorée
    contenu = {
        "campagne": 2026,
        "questionnaire": "2026",
        "structure": structure_69.identifiant,
        "numero": 1,
        "depose_le": instant.isoformat(),
        "valeurs": depot.valeurs,
        "avertissements": depot.avertissements,
    }
    canon = json.dumps(contenu, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert depot.empreinte == hashlib.sha256(canon.encode()).hexdigest()


def test_it_refuses_edits_after_submission_until_reopened_then_numbers_the_new_deposit(
    campagne, structure_69, usager_structure_69
):
    reponse, _ = reponse_ouvrir(campagne=campagne, structure=structure_69, par=usager_structure_69)
    _remplir(reponse, VALEURS_COMPLETES, usager_structure_69)
    premier = reponse_soumettre(
        reponse=reponse, justifications={}, par=usager_structure_69, organisme="x", pour_le_compte=False
    ).depot
    with pytest.raises(EcritureRefusee, match="rouvrez-la"):
        reponse_saisir(
            reponse=reponse, saisies={"E01": (15, 1)}, par=usager_structure_69, organisme="x", pour_le_compte=False
        )

    reponse_rouvrir(reponse=reponse, pour_le_compte=False)
    assert Reponse.objects.get(pk=reponse.pk).statut == Statut.BROUILLON
    reponse_saisir(
        reponse=reponse, saisies={"E01": (15, 1)}, par=usager_structure_69, organisme="x", pour_le_compte=False
    )
    second = reponse_soumettre(
        reponse=reponse, justifications={}, par=usager_structure_69, organisme="x", pour_le_compte=False
    ).depot

    assert (premier.numero, second.numero) == (1, 2)
    assert Depot.objects.filter(reponse=reponse).count() == 2  # jamais de suppression
    assert Depot.objects.get(pk=premier.pk).valeurs["E01"] == 14
    modele = selectors.variante(campagne, structure_69)
    from core.questionnaire.saisie import differences

    changements = differences(modele, premier.valeurs, second.valeurs)
    assert [(d.code, d.avant, d.apres) for d in changements] == [("E01", "14\u00a0personnes", "15\u00a0personnes")]
    assert premier.empreinte != second.empreinte


def test_it_lets_the_correspondent_submit_on_behalf_during_the_check_phase(
    campagne, structure_69, usager_structure_69, correspondant_69
):
    reponse, _ = reponse_ouvrir(campagne=campagne, structure=structure_69, par=usager_structure_69)
    _remplir(reponse, VALEURS_COMPLETES, usager_structure_69)
    campagne.phase = Phase.CONTROLE
    campagne.save()
    reponse = Reponse.objects.get(pk=reponse.pk)
    with pytest.raises(EcritureRefusee):
        reponse_soumettre(
            reponse=reponse, justifications={}, par=usager_structure_69, organisme="x", pour_le_compte=False
        )
    depot = reponse_soumettre(
        reponse=reponse, justifications={}, par=correspondant_69, organisme="Caf – Rhône", pour_le_compte=True
    ).depot
    assert (depot.organisme, depot.par) == ("Caf – Rhône", correspondant_69)


def test_it_names_the_mandating_body_of_a_correspondent(structure_69, correspondant_69, correspondant_region_84):
    jour = timezone.localdate()
    assert selectors.organisme_saisie(correspondant_69, structure_69, pour_le_compte=True, jour=jour) == "Caf – Rhône"
    assert selectors.organisme_saisie(correspondant_69, structure_69, pour_le_compte=False, jour=jour) == (
        structure_69.nom
    )
    regional = selectors.organisme_saisie(correspondant_region_84, structure_69, pour_le_compte=True, jour=jour)
    assert regional.startswith("Caf – Région Auvergne-Rhône-Alpes")
