"""Une petite campagne complète pour les tests des statistiques : structures de quatre départements
et deux régions (Rhône découpé en zones), réponses déposées complètes et cohérentes avec le
questionnaire 2025 (``core.controles.synthese``), instantanés figés au dépôt, gestionnaires partagés."""

import datetime
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.utils import timezone

from core.controles.synthese import StructureSynthetique, generer_pour
from senacs.questionnaires.services import questionnaire_charger_fichier
from senacs.reponses.models import Reponse
from senacs.reponses.services import instantane_structure
from senacs.structures.models import Gestionnaire
from senacs.territoires.models import Departement, Zone
from tests.factories import CampagneFactory, StructureFactory

# département → (centres sociaux, espaces de vie sociale) ; Rhône et Ain en Auvergne-Rhône-Alpes,
# Ille-et-Vilaine et Finistère en Bretagne.
REPARTITION = {"69": (9, 4), "01": (5, 3), "35": (7, 3), "29": (4, 2)}
COMMUNES = {
    "69": ("69123", "Lyon"),
    "01": ("01053", "Bourg-en-Bresse"),
    "35": ("35238", "Rennes"),
    "29": ("29019", "Brest"),
}


@dataclass
class CampagneTest:
    campagne: object
    structures: list = field(default_factory=list)
    repondantes: list = field(default_factory=list)
    non_repondantes: list = field(default_factory=list)


@pytest.fixture
def var_dir(settings, tmp_path):
    """Fichiers des diffusions et des tableaux automatisés dans un dossier propre au test."""
    settings.VAR_DIR = tmp_path
    return tmp_path


def campagne_statistiques(annee: int = 2025, phase: str = "analyse", graine: int = 11) -> CampagneTest:
    questionnaire = questionnaire_charger_fichier(settings.BASE_DIR / "questionnaires" / "2025.yaml")
    campagne = CampagneFactory(annee=annee, phase=phase, questionnaire=questionnaire, version_questionnaire="2025")
    z1 = Zone.objects.create(code="69-T1", nom="Lyon (test)", departement_id="69")
    Zone.objects.create(code="69-TR", nom="Reste du Rhône (test)", departement_id="69", est_reste=True)
    commune = Gestionnaire.objects.create(nom="Commune de Villeurbanne (test)", siren="216902647")
    jeu = CampagneTest(campagne)
    for dep, (n_cs, n_evs) in REPARTITION.items():
        insee, nom = COMMUNES[dep]
        for i, type_ in enumerate(["CS"] * n_cs + ["EVS"] * n_evs):
            s = StructureFactory(
                type=type_,
                departement=Departement.objects.get(code=dep),
                commune_insee=insee,
                commune_nom=nom,
                code_postal=insee[:2] + "000",
                zone=z1 if dep == "69" and i < 5 else None,
                gestionnaire=commune if dep == "69" and i in (1, 2, 3) else None,
            )
            jeu.structures.append(s)
    synthetiques = [
        StructureSynthetique(s.identifiant, s.type, s.departement_id, s.type_territoire, s.mode_gestion)
        for s in jeu.structures
    ]
    reponses = generer_pour(synthetiques, graine, annee_donnees=annee - 1, part_sans_an_dernier=1.0).reponses
    maintenant = timezone.now()
    for rang, (s, r) in enumerate(zip(jeu.structures, reponses, strict=True)):
        if rang % 9 == 8:  # une structure sur neuf ne répond pas
            jeu.non_repondantes.append(s)
            continue
        statut = "validee" if rang % 2 else "soumise"
        Reponse.objects.create(
            campagne=campagne,
            structure=s,
            statut=statut,
            valeurs=dict(r.valeurs),
            instantane=instantane_structure(s),
            soumise_le=maintenant - datetime.timedelta(days=10),
            validee_le=maintenant if statut == "validee" else None,
        )
        jeu.repondantes.append(s)
    # Un brouillon ne compte jamais.
    brouillon = StructureFactory(departement=Departement.objects.get(code="35"), commune_insee="35238")
    Reponse.objects.create(
        campagne=campagne, structure=brouillon, statut="brouillon", valeurs=dict(reponses[0].valeurs)
    )
    jeu.non_repondantes.append(brouillon)
    jeu.structures.append(brouillon)
    return jeu
