"""Registre des structures : import et export d'un tableur (commande d'exploitation).

Objet
  Tenir le registre des centres sociaux et EVS à partir d'un fichier XLSX, ODS ou CSV dont le format
  est décrit dans docs/registre.md, et en produire l'export dans le même format.

Usage
  senacs structures import registre.xlsx --dry-run   # simulation : le rapport, rien n'est écrit
  senacs structures import registre.xlsx             # import, tout ou rien
  senacs structures export registre.xlsx             # ou registre.csv ; --departement 69 pour filtrer

La commande agit avec les droits de l'administrateur de la plateforme (France entière) : elle est
réservée à l'exploitant. Les correspondants importent depuis la page « Registre » du site, limitée
à leurs départements. Code de sortie non nul (CommandError) dès qu'une ligne est en erreur.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import registre
from core.perimetre import MandatActif, Perimetre
from core.roles import Niveau, Role
from core.territoires import departements_par_code
from senacs.exploitation.fichiers import ecrire_atomiquement
from senacs.structures.importation import registre_exporter, registre_importer
from senacs.structures.models import Structure

MESSAGE_SIMULATION = "Simulation : aucune modification n'a été enregistrée."


def perimetre_exploitant() -> Perimetre:
    """Périmètre de la commande : administrateur, France entière."""
    return Perimetre.depuis_mandats([MandatActif(Role.ADMIN, Niveau.NATION, "FR", "national")])


class Command(BaseCommand):
    help = "Importe ou exporte le registre des structures (XLSX, ODS ou CSV). Voir docs/registre.md."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,export}")
        importer = actions.add_parser(
            "import", help="Importe un registre (création ou mise à jour par identifiant, tout ou rien)."
        )
        importer.add_argument("fichier", help="Fichier .xlsx, .ods, .xls ou .csv (UTF-8, « ; » ou « , »).")
        importer.add_argument(
            "--dry-run", action="store_true", help="Simulation : affiche le rapport sans rien enregistrer."
        )
        exporter = actions.add_parser("export", help="Exporte le registre au format d'import.")
        exporter.add_argument("fichier", help="Fichier à écrire : .xlsx ou .csv (« ; », UTF-8 avec BOM).")
        exporter.add_argument(
            "--departement",
            action="append",
            default=[],
            metavar="CODE",
            help="Limite l'export à un département (option répétable).",
        )

    def handle(self, *args, **options):
        if options["action"] == "import":
            self.importer(Path(options["fichier"]), simulation=options["dry_run"])
        else:
            self.exporter(Path(options["fichier"]), options["departement"])

    def importer(self, chemin: Path, *, simulation: bool) -> None:
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {chemin}")
        rapport = registre_importer(
            contenu=chemin.read_bytes(),
            nom_fichier=chemin.name,
            perimetre=perimetre_exploitant(),
            simulation=simulation,
        )
        for ligne in rapport.texte():
            self.stdout.write(ligne)
        self.stdout.write("")
        if rapport.a_erreurs:
            if simulation:
                self.stdout.write(MESSAGE_SIMULATION)
            n = len(rapport.erreurs)
            raise CommandError(
                f"Import refusé : {registre.nombre_fr(n)} erreur{'s' if n > 1 else ''} ; "
                "aucune modification n'a été enregistrée. Corrigez le fichier puis relancez."
            )
        if simulation:
            self.stdout.write(MESSAGE_SIMULATION)
        else:
            self.stdout.write(self.style.SUCCESS(f"Import enregistré : {rapport.resume()}."))

    def exporter(self, chemin: Path, codes: list[str]) -> None:
        format = chemin.suffix.lower().lstrip(".")
        if format not in ("xlsx", "csv"):
            raise CommandError("L'export s'écrit en .xlsx ou en .csv.")
        codes = [c.strip().upper().zfill(2) for c in codes]
        inconnus = [c for c in codes if c not in departements_par_code()]
        if inconnus:
            raise CommandError(f"Département inconnu : {', '.join(inconnus)}.")
        structures = Structure.objects.all()
        if codes:
            structures = structures.filter(departement_id__in=codes)
        if not chemin.parent.is_dir():
            raise CommandError(f"Dossier introuvable : {chemin.parent}")
        ecrire_atomiquement(chemin, registre_exporter(structures=structures, format=format))
        nb = structures.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Registre exporté : {registre.nombre_fr(nb)} structure{'s' if nb > 1 else ''} → {chemin}"
            )
        )
