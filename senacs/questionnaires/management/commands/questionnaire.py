"""Questionnaire d'une campagne : export et import au format XLSForm (commande d'exploitation).

Objet
  Échanger le questionnaire avec les outils d'enquête (ODK, KoboToolbox, Excel) au format XLSForm
  (feuilles survey / choices / settings, plus senacs_regles et senacs_correspondances) décrit dans
  docs/questionnaire.md. Le questionnaire appartient au comité technique national.

Usage
  senacs questionnaire export --campagne 2026 questionnaire-2026.xlsx
  senacs questionnaire import questionnaire-2027.xlsx --campagne 2027 --dry-run   # simulation
  senacs questionnaire import questionnaire-2027.xlsx --campagne 2027

L'export prend la version enregistrée pour la campagne, à défaut le fichier questionnaires/<année>.yaml.
L'import n'est accepté que pour une campagne en préparation (créée si elle n'existe pas, avec un
calendrier par défaut à ajuster) : une fois la saisie ouverte, le questionnaire ne change plus. Un
classeur mal formé est refusé en entier, avec chaque erreur située (feuille, ligne, colonne), et rien
n'est modifié. Code de sortie non nul en cas de refus.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from senacs.questionnaires.importation import (
    ErreurQuestionnaire,
    questionnaire_exporter_xlsform,
    questionnaire_importer_xlsform,
)

MESSAGE_SIMULATION = "Simulation : aucune modification n'a été enregistrée."


class Command(BaseCommand):
    help = "Exporte ou importe le questionnaire d'une campagne au format XLSForm (voir docs/questionnaire.md)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{export,import}")
        exporter = actions.add_parser("export", help="Écrit le questionnaire d'une campagne dans un classeur XLSForm.")
        exporter.add_argument("--campagne", type=int, required=True, metavar="ANNEE", help="Année de la campagne.")
        exporter.add_argument("fichier", help="Classeur à écrire (.xlsx).")
        importer = actions.add_parser(
            "import", help="Enregistre un classeur XLSForm comme questionnaire d'une campagne en préparation."
        )
        importer.add_argument("fichier", help="Classeur XLSForm (.xlsx, .xls ou .ods).")
        importer.add_argument(
            "--campagne", type=int, required=True, metavar="ANNEE", help="Année de la campagne (créée si besoin)."
        )
        importer.add_argument(
            "--dry-run", action="store_true", help="Simulation : contrôle le classeur et dit ce qui serait fait."
        )

    def handle(self, *args, **options):
        chemin = Path(options["fichier"])
        if options["action"] == "export":
            self.exporter(chemin, options["campagne"])
        else:
            self.importer(chemin, options["campagne"], simulation=options["dry_run"])

    def exporter(self, chemin: Path, annee: int) -> None:
        if chemin.suffix.lower() != ".xlsx":
            raise CommandError("Le questionnaire s'exporte dans un classeur .xlsx.")
        if not chemin.parent.is_dir():
            raise CommandError(f"Dossier introuvable : {chemin.parent}")
        try:
            provenance = questionnaire_exporter_xlsform(annee=annee, chemin=chemin)
        except ErreurQuestionnaire as exc:
            raise CommandError("\n".join(exc.erreurs)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Questionnaire de la campagne {annee} ({provenance}) exporté → {chemin}")
        )

    def importer(self, chemin: Path, annee: int, *, simulation: bool) -> None:
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {chemin}")
        try:
            rapport = questionnaire_importer_xlsform(chemin=chemin, annee=annee, simulation=simulation)
        except ErreurQuestionnaire as exc:
            n = len(exc.erreurs)
            raise CommandError(
                f"Import refusé ({n} erreur{'s' if n > 1 else ''}), aucune modification n'a été enregistrée :\n- "
                + "\n- ".join(exc.erreurs)
            ) from exc
        for ligne in rapport.texte():
            self.stdout.write(ligne)
        if simulation:
            self.stdout.write(MESSAGE_SIMULATION)
        else:
            self.stdout.write(self.style.SUCCESS("Import enregistré."))
