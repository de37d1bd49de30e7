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

  Une réponse validée n'est jamais modifiée par import ; une réponse déposée ne l'est qu'avec
  --rouvrir-deposees, qui la rouvre (brouillon, piste d'audit) et prévient la structure.

  L'export donne des données brutes : il est réservé à l'exploitant et écrit au journal des accès
  de chaque structure exportée, une fois le fichier complet écrit (fichier temporaire renommé à la fin).

Codes de sortie : 0 réussi, 1 import refusé (lignes en erreur ; rien n'est enregistré), 2 mauvais
argument (campagne, fichier, dossier, territoire).
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
from senacs.exploitation.audit import operateur
from senacs.exploitation.fichiers import DossierIntrouvable, ecrire_atomiquement
from senacs.journal.models import Nature
from senacs.journal.services import journaliser_acces
from senacs.questionnaires.services_alertes import departements_correspondant
from senacs.reponses.importation import reponses_a_exporter, reponses_exporter, reponses_importer

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
                raise CommandError(f"Région inconnue : {brut} (ex. R84 pour Auvergne-Rhône-Alpes).", returncode=2)
            resultat |= departements_couverts(Niveau.REGION, region)
            continue
        code = code.zfill(2)
        if code not in departements_par_code():
            raise CommandError(
                f"Département inconnu : {brut} (ex. 69, 2A, 974 ; R84 pour une région, FR).", returncode=2
            )
        resultat.add(code)
    return frozenset(resultat)


class Command(BaseCommand):
    help = (
        "Importe ou exporte les réponses d'une campagne (XLSX, ODS ou CSV). Sans --utilisateur, portée "
        "nationale (exploitant). L'export de données brutes est journalisé."
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
        importer.add_argument(
            "--rouvrir-deposees",
            action="store_true",
            help="Modifie aussi les réponses déposées : elles sont rouvertes et les structures prévenues.",
        )
        exporter = actions.add_parser(
            "export", help="Exporte les réponses au format d'import (données brutes, journalisé)."
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
            raise CommandError(f"La campagne {options['campagne']} n'existe pas.", returncode=2)
        chemin = Path(options["fichier"])
        if options["action"] == "import":
            self.importer(
                chemin,
                campagne,
                simulation=options["dry_run"],
                email=options["utilisateur"],
                rouvrir=options["rouvrir_deposees"],
            )
        else:
            self.exporter(chemin, campagne, options["territoire"])

    def importer(
        self, chemin: Path, campagne: Campagne, *, simulation: bool, email: str | None, rouvrir: bool = False
    ) -> None:
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {chemin}", returncode=2)
        par, departements = None, None
        if email:
            par = Utilisateur.objects.filter(email__iexact=email.strip(), is_active=True).first()
            if par is None:
                raise CommandError(f"Aucun compte actif pour l'adresse « {email} ».", returncode=2)
            departements = departements_correspondant(perimetre_de(par))
            if not departements:
                raise CommandError(
                    f"{email} n'a aucun mandat de correspondant en cours : import refusé.", returncode=2
                )
        rapport = reponses_importer(
            contenu=chemin.read_bytes(),
            nom_fichier=chemin.name,
            campagne=campagne,
            par=par,
            departements=departements,
            simulation=simulation,
            rouvrir_deposees=rouvrir,
            qui=operateur(),
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
            raise CommandError("L'export s'écrit en .xlsx ou en .csv.", returncode=2)
        if not chemin.parent.is_dir():
            raise CommandError(f"Dossier introuvable : {chemin.parent}", returncode=2)
        departements = departements_du_territoire(territoires)
        try:
            contenu, nombre = reponses_exporter(campagne=campagne, departements=departements, format=format)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        try:
            ecrire_atomiquement(chemin, contenu)
        except (DossierIntrouvable, OSError) as exc:
            raise CommandError(f"Écriture impossible : {exc}", returncode=2) from exc
        # Journalisé une fois le fichier complet en place (un export interrompu n'a rien fait sortir).
        structures = reponses_a_exporter(campagne=campagne, departements=departements).values_list(
            "structure_id", flat=True
        )
        journaliser_acces(
            None,
            structures=list(structures),
            campagne=campagne,
            nature=Nature.EXPORT_BRUT,
            detail=f"Commande reponses export ({operateur()}) — {', '.join(territoires) or 'FR'} ({nombre})",
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Réponses de la campagne {campagne.annee} exportées : {registre.nombre_fr(nombre)} "
                f"structure{'s' if nombre > 1 else ''} → {chemin}"
            )
        )
