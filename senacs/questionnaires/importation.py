"""Questionnaire d'une campagne : lecture, import d'un XLSForm en base, export.

- ``questionnaire_de_campagne(campagne)`` : le questionnaire pur (``core.questionnaire``) d'une
  campagne — sa ligne ``Questionnaire`` si elle en a une, sinon le fichier du dépôt
  ``questionnaires/<annee>.yaml`` (les campagnes de démonstration n'ont pas encore de ligne).
- ``questionnaire_importer_xlsform(...)`` : lit un classeur XLSForm, le valide (toutes les erreurs,
  feuille, ligne et colonne, en français) et l'enregistre comme nouvelle version du questionnaire
  d'une campagne encore **en préparation** ; la campagne est créée si elle n'existe pas. Tout ou
  rien : au moindre refus, ni campagne ni questionnaire ne sont créés.
- ``questionnaire_exporter_xlsform(...)`` : écrit le questionnaire d'une campagne en XLSForm.

La définition est enregistrée telle que le classeur la décrit (``vers_dict``) : exporter puis
réimporter redonne exactement la même définition.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from core.erreurs import ErreurMetier
from core.questionnaire import definition, xlsform
from core.questionnaire.modele import Questionnaire as ModeleQuestionnaire
from senacs.campagnes.models import Campagne, Phase
from senacs.questionnaires.models import Questionnaire

_FICHIERS: dict[tuple[str, float], ModeleQuestionnaire] = {}


class ErreurQuestionnaire(ErreurMetier):
    """Import ou export refusé ; ``erreurs`` liste les motifs, en français."""

    def __init__(self, erreurs: list[str]):
        self.erreurs = list(erreurs)
        super().__init__("\n".join(self.erreurs))


def dossier_questionnaires() -> Path:
    return Path(getattr(settings, "SENACS_DOSSIER_QUESTIONNAIRES", settings.BASE_DIR / "questionnaires"))


def questionnaire_du_depot(annee: int) -> ModeleQuestionnaire | None:
    """Le questionnaire ``questionnaires/<annee>.yaml`` du dépôt (None s'il n'existe pas), mis en cache."""
    chemin = dossier_questionnaires() / f"{int(annee)}.yaml"
    try:
        cle = (str(chemin), chemin.stat().st_mtime)
    except OSError:
        return None
    modele = _FICHIERS.get(cle)
    if modele is None:
        modele = definition.charger(chemin)
        _FICHIERS[cle] = modele
    return modele


def questionnaire_de_campagne(campagne: Campagne) -> ModeleQuestionnaire | None:
    """Le questionnaire d'une campagne : sa version en base, à défaut le fichier de son année."""
    if campagne.questionnaire_id:
        return campagne.questionnaire.modele
    return questionnaire_du_depot(campagne.annee)


def dates_par_defaut(annee: int) -> dict[str, datetime.date]:
    """Calendrier par défaut d'une campagne créée à l'import (modifiable ensuite par le national)."""
    return {
        "date_ouverture_saisie": datetime.date(annee, 2, 1),
        "date_fin_saisie": datetime.date(annee, 4, 30),
        "date_fin_controle": datetime.date(annee, 6, 15),
        "date_fin_analyse": datetime.date(annee, 9, 30),
        "date_publication": datetime.date(annee, 11, 15),
    }


def version_libre(annee: int) -> str:
    """Prochaine version disponible pour une campagne : « 2027 », puis « 2027-2 », « 2027-3 »…"""
    existantes = set(Questionnaire.objects.filter(version__startswith=str(annee)).values_list("version", flat=True))
    if str(annee) not in existantes:
        return str(annee)
    rang = 2
    while f"{annee}-{rang}" in existantes:
        rang += 1
    return f"{annee}-{rang}"


@dataclass
class RapportImportQuestionnaire:
    simulation: bool
    annee: int
    nom_fichier: str
    version: str = ""
    campagne_creee: bool = False
    remplace: str = ""  # version du questionnaire remplacé, le cas échéant
    titre: str = ""
    nb_sections: int = 0
    nb_questions: int = 0
    nb_regles: int = 0
    avertissements: list[str] = field(default_factory=list)
    detail: list[str] = field(default_factory=list)  # en simulation : ce qui serait créé

    def texte(self) -> list[str]:
        lignes = [
            f"Classeur « {self.nom_fichier} » : {self.titre}",
            f"  {_nombre(self.nb_sections, 'section')}, {_nombre(self.nb_questions, 'question')}, "
            f"{_nombre(self.nb_regles, 'règle')} de cohérence.",
        ]
        futur = "sera" if self.simulation else "a été"
        if self.campagne_creee:
            dates = dates_par_defaut(self.annee)
            lignes.append(
                f"La campagne {self.annee} (données {self.annee - 1}) {futur} créée en phase « Préparation » "
                f"(ouverture de la saisie le {dates['date_ouverture_saisie']:%d/%m/%Y}, dates à ajuster)."
            )
        lignes.append(
            f"Le questionnaire {futur} enregistré en version « {self.version} » pour la campagne {self.annee}."
        )
        if self.remplace:
            lignes.append(f"Il remplace la version « {self.remplace} », qui reste archivée.")
        lignes.extend(f"Attention : {a}" for a in self.avertissements)
        lignes.extend(self.detail)
        return lignes


def _nombre(n: int, mot: str) -> str:
    return f"{n} {mot}{'s' if n > 1 else ''}"


def questionnaire_importer_xlsform(
    *, chemin: Path, annee: int, simulation: bool, nom_fichier: str | None = None
) -> RapportImportQuestionnaire:
    """Importe un XLSForm comme questionnaire de la campagne ``annee`` ; lève ErreurQuestionnaire.

    La campagne doit être en préparation (créée si elle n'existe pas). En simulation, rien n'est écrit.
    """
    nom_fichier = nom_fichier or chemin.name
    if not 2000 <= annee <= 2100:
        raise ErreurQuestionnaire([f"Année de campagne « {annee} » invalide (ex. 2027)."])
    campagne = Campagne.objects.filter(annee=annee).first()
    if campagne is not None and campagne.phase != Phase.PREPARATION:
        raise ErreurQuestionnaire(
            [
                f"La campagne {annee} est en phase « {campagne.get_phase_display()} » : la saisie est ouverte "
                "(ou close), son questionnaire ne peut plus être remplacé. Seule une campagne en préparation "
                "reçoit un nouveau questionnaire."
            ]
        )
    try:
        modele = xlsform.importer(chemin, campagne=annee)
    except xlsform.ErreurXLSForm as exc:
        raise ErreurQuestionnaire(exc.erreurs) from exc

    rapport = RapportImportQuestionnaire(
        simulation=simulation,
        annee=annee,
        nom_fichier=nom_fichier,
        version=version_libre(annee),
        campagne_creee=campagne is None,
        remplace=(campagne.questionnaire.version if campagne and campagne.questionnaire_id else ""),
        titre=modele.titre,
        nb_sections=len(modele.sections),
        nb_questions=len(modele.questions()),
        nb_regles=len(modele.regles),
    )
    if modele.campagne != annee:
        rapport.avertissements.append(
            f"le classeur se déclare pour la campagne {modele.campagne} (feuille « settings ») ; "
            f"il est rattaché à la campagne {annee}."
        )
    if simulation:
        rapport.detail = xlsform.decrire(modele)
        return rapport
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            version=rapport.version,
            titre=modele.titre[:200],
            definition=definition.vers_dict(modele),
            source=f"import XLSForm {nom_fichier}"[:250],
        )
        if campagne is None:
            Campagne.objects.create(
                annee=annee,
                annee_donnees=annee - 1,
                version_questionnaire=questionnaire.version,
                questionnaire=questionnaire,
                phase=Phase.PREPARATION,
                **dates_par_defaut(annee),
            )
        else:
            campagne = Campagne.objects.select_for_update().get(pk=campagne.pk)
            if campagne.phase != Phase.PREPARATION:  # la phase a changé pendant la lecture du classeur
                raise ErreurQuestionnaire([f"La campagne {annee} n'est plus en préparation : rien n'a été importé."])
            campagne.questionnaire = questionnaire
            campagne.version_questionnaire = questionnaire.version
            campagne.save(update_fields=["questionnaire", "version_questionnaire"])
    return rapport


def questionnaire_exporter_xlsform(*, annee: int, chemin: Path) -> str:
    """Écrit en XLSForm le questionnaire de la campagne ``annee`` ; renvoie sa provenance (texte)."""
    campagne = Campagne.objects.select_related("questionnaire").filter(annee=annee).first()
    if campagne is not None and campagne.questionnaire_id:
        modele = campagne.questionnaire.modele
        provenance = f"version « {campagne.questionnaire.version} » enregistrée pour la campagne {annee}"
    else:
        try:
            modele = questionnaire_du_depot(annee)
        except definition.ErreurChargement as exc:
            raise ErreurQuestionnaire(exc.erreurs) from exc
        if modele is None:
            etat = "n'a pas encore de questionnaire" if campagne else "n'existe pas"
            raise ErreurQuestionnaire(
                [f"La campagne {annee} {etat} et le fichier questionnaires/{annee}.yaml est absent : rien à exporter."]
            )
        provenance = f"fichier questionnaires/{annee}.yaml du dépôt"
    try:
        xlsform.exporter(modele, chemin)
    except xlsform.ErreurXLSForm as exc:
        raise ErreurQuestionnaire(exc.erreurs) from exc
    return provenance
