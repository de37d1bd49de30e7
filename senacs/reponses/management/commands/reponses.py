"""Réponses d'une campagne : import en masse et export d'un tableur (commande d'exploitation).

Objet
  Importer les réponses qu'une fédération ou une Caf a recueillies sur papier ou dans un autre outil,
  et exporter les réponses d'un territoire dans le même format (une ligne par structure, colonne
  « structure » puis une colonne par code de question ; format détaillé en tête de
  senacs/reponses/importation.py).

Usage
  senacs reponses import --campagne 2026 reponses.xlsx --dry-run     # simulation : le rapport, rien n'est écrit
  senacs reponses import --campagne 2026 reponses.xlsx               # import, tout ou rien
  senacs reponses import --campagne 2026 reponses.csv --utilisateur correspondant@caf69.fr
  senacs reponses export --campagne 2026 --territoire 69 reponses-69.xlsx

Droits
  Sans --utilisateur, la commande agit pour l'exploitant avec une portée nationale (toutes les
  structures) ; les réponses importées sont marquées « saisies pour le compte de la structure » par
  l'exploitant. Avec --utilisateur, elle applique le périmètre des mandats de correspondant en cours
  de cette personne (ses départements seulement) et lui attribue les saisies. Les structures en sont
  prévenues par courriel et peuvent contester chaque réponse (droit de regard).

  L'export donne des données brutes : il est réservé à l'exploitant. Il n'est pas encore journalisé
  (le journal des accès aux données brutes arrive avec un prochain lot) : ne l'utilisez que pour
  l'exploitation.

Code de sortie non nul (CommandError) dès qu'une ligne est en erreur ; rien n'est alors enregistré.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import registre
from core.perimetre import departements_couverts
from core.roles import Niveau
from core.territoires import departements_par_code, regions
from senacs.campagnes.models import Campagne
from senacs.comptes.models import Utilisateur
from senacs.comptes.selectors import perimetre_de
from senacs.questionnaires.services_alertes import departements_correspondant
from senacs.reponses.importation import reponses_exporter, reponses_importer

MESSAGE_SIMULATION = "Simulation : aucune modification n'a été enregistrée."


def departements_du_territoire(codes: list[str]) -> frozenset[str] | None:
    """« 69 », « 2A » (département), « R84 » ou « R:84 » (région), « FR » (France entière → None)."""
    if not codes:
        return None
    resultat: set[str] = set()
    codes_regions = {r.code for r in regions()}
    for brut in codes:
        code = brut.strip().upper()
        if code == "FR":
            return None
        if code.startswith("R"):
            region = code[1:].lstrip(":")
            if region not in codes_regions:
                raise CommandError(f"Région inconnue : {brut} (ex. R84 pour Auvergne-Rhône-Alpes).")
            resultat |= departements_couverts(Niveau.REGION, region)
            continue
        code = code.zfill(2)
        if code not in departements_par_code():
            raise CommandError(f"Département inconnu : {brut} (ex. 69, 2A, 974 ; R84 pour une région, FR).")
        resultat.add(code)
    return frozenset(resultat)


class Command(BaseCommand):
    help = (
        "Importe ou exporte les réponses d'une campagne (XLSX, ODS ou CSV). Sans --utilisateur, portée "
        "nationale (exploitant). L'export de données brutes n'est pas encore journalisé."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,export}")
        importer = actions.add_parser(
            "import", help="Importe des réponses, saisies pour le compte des structures (tout ou rien)."
        )
        importer.add_argument("fichier", help="Fichier .xlsx, .ods, .xls ou .csv (UTF-8, « ; » ou « , »).")
        importer.add_argument("--campagne", type=int, required=True, metavar="ANNEE", help="Année de la campagne.")
        importer.add_argument(
            "--dry-run", action="store_true", help="Simulation : affiche le rapport sans rien enregistrer."
        )
        importer.add_argument(
            "--utilisateur",
            metavar="EMAIL",
            help="Importe au nom de ce correspondant, limité aux départements de ses mandats (sinon : national).",
        )
        exporter = actions.add_parser(
            "export", help="Exporte les réponses au format d'import (données brutes, pas encore journalisé)."
        )
        exporter.add_argument("fichier", help="Fichier à écrire : .xlsx ou .csv (« ; », UTF-8 avec BOM).")
        exporter.add_argument("--campagne", type=int, required=True, metavar="ANNEE", help="Année de la campagne.")
        exporter.add_argument(
            "--territoire",
            action="append",
            default=[],
            metavar="CODE",
            help="Département (69), région (R84) ou FR ; option répétable. Par défaut : France entière.",
        )

    def handle(self, *args, **options):
        campagne = Campagne.objects.filter(annee=options["campagne"]).first()
        if campagne is None:
            raise CommandError(f"La campagne {options['campagne']} n'existe pas.")
        chemin = Path(options["fichier"])
        if options["action"] == "import":
            self.importer(chemin, campagne, simulation=options["dry_run"], email=options["utilisateur"])
        else:
            self.exporter(chemin, campagne, options["territoire"])

    def importer(self, chemin: Path, campagne: Campagne, *, simulation: bool, email: str | None) -> None:
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {chemin}")
        par, departements = None, None
        if email:
            par = Utilisateur.objects.filter(email__iexact=email.strip(), is_active=True).first()
            if par is None:
                raise CommandError(f"Aucun compte actif pour l'adresse « {email} ».")
            departements = departements_correspondant(perimetre_de(par))
            if not departements:
                raise CommandError(f"{email} n'a aucun mandat de correspondant en cours : import refusé.")
        rapport = reponses_importer(
            contenu=chemin.read_bytes(),
            nom_fichier=chemin.name,
            campagne=campagne,
            par=par,
            departements=departements,
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
                f"Import refusé : {registre.nombre_fr(n)} erreur{'s' if n > 1 else ''} ; aucune modification "
                "n'a été enregistrée. Corrigez le fichier puis relancez."
            )
        if simulation:
            self.stdout.write(MESSAGE_SIMULATION)
        else:
            self.stdout.write(self.style.SUCCESS(f"Import enregistré : {rapport.resume()}."))

    def exporter(self, chemin: Path, campagne: Campagne, territoires: list[str]) -> None:
        format = chemin.suffix.lower().lstrip(".")
        if format not in ("xlsx", "csv"):
            raise CommandError("L'export s'écrit en .xlsx ou en .csv.")
        if not chemin.parent.is_dir():
            raise CommandError(f"Dossier introuvable : {chemin.parent}")
        departements = departements_du_territoire(territoires)
        try:
            contenu, nombre = reponses_exporter(campagne=campagne, departements=departements, format=format)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        chemin.write_bytes(contenu)
        self.stdout.write(
            self.style.SUCCESS(
                f"Réponses de la campagne {campagne.annee} exportées : {registre.nombre_fr(nombre)} "
                f"structure{'s' if nombre > 1 else ''} → {chemin}"
            )
        )
