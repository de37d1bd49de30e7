"""But : exporter les réponses déposées d'un territoire, une ligne par structure (commande d'exploitation).

Réservé aux opérateurs de la plateforme (accès au serveur) ; dans l'application, seul le préparateur
désigné par le COPIL du territoire télécharge ce fichier. **Chaque export est écrit au journal des
accès** (les structures concernées le voient), avec l'utilisateur système qui a lancé la commande.

Colonnes : ``structure,type,departement,region,zone,gestionnaire`` puis une colonne par code de
question (choix multiples : codes séparés par une espace ; vide : pas de réponse). CSV UTF-8,
virgule, point décimal. Territoire : ``FR``, ``R:84`` (région), ``D:69`` ou ``69`` (département).

Usage :
    senacs export-brut --campagne 2025 --territoire FR --out brut.csv
    senacs export-brut --campagne 2025 --territoire D:69 --out brut-69.csv
"""

import getpass
import socket

from django.core.management.base import BaseCommand, CommandError

from core.formats import formater_nombre
from senacs.campagnes.models import Campagne
from senacs.statistiques.selectors import Territoire
from senacs.statistiques.services import ErreurPublication, export_brut


class Command(BaseCommand):
    help = "Exporte les réponses déposées d'un territoire (journalisé)."

    def add_arguments(self, parser):
        parser.add_argument("--campagne", type=int, required=True, help="Année de la campagne (ex. 2025).")
        parser.add_argument("--territoire", required=True, help="FR, R:<région>, D:<département> ou <département>.")
        parser.add_argument("--out", required=True, help="Fichier CSV à écrire.")

    def handle(self, *args, **options):
        campagne = Campagne.objects.filter(annee=options["campagne"]).first()
        if campagne is None:
            raise CommandError(f"Campagne {options['campagne']} introuvable.", returncode=2)
        territoire = Territoire.depuis_cle(options["territoire"])
        if territoire is None:
            raise CommandError(f"Territoire inconnu : {options['territoire']} (FR, R:84, D:69 ou 69).", returncode=2)
        try:
            operateur = f"{getpass.getuser()}@{socket.gethostname()}"
        except Exception:  # noqa: BLE001 - l'identité système n'est qu'une information du journal
            operateur = "inconnu"
        try:
            resultat = export_brut(
                campagne,
                territoire,
                options["out"],
                detail=f"Commande export-brut ({operateur}) — {territoire.libelle_complet}",
            )
        except ErreurPublication as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{formater_nombre(resultat.lignes)} réponses de la campagne {campagne.annee} "
                f"({territoire.libelle_complet}) écrites dans {options['out']} ; export journalisé."
            )
        )
