"""But : écrire le fichier open data des agrégats protégés d'une campagne.

Schéma : ``docs/schemas/agregats-v1.md`` (UTF-8, virgule, point décimal, une ligne par cellule
publiée ou secrète). L'audit du secret statistique est rejoué d'abord : export refusé s'il échoue,
ou si la campagne n'a encore aucune diffusion figée (``senacs diffuser-agregats``).

Usage :
    senacs export-agregats --campagne 2025 --out agregats-2025.csv
"""

from django.core.management.base import BaseCommand, CommandError

from core.formats import formater_nombre
from senacs.campagnes.models import Campagne
from senacs.statistiques.services import ErreurPublication, export_agregats


class Command(BaseCommand):
    help = "Écrit le CSV open data des agrégats protégés d'une campagne (refusé si l'audit échoue)."

    def add_arguments(self, parser):
        parser.add_argument("--campagne", type=int, required=True, help="Année de la campagne (ex. 2025).")
        parser.add_argument("--out", required=True, help="Fichier CSV à écrire.")

    def handle(self, *args, **options):
        campagne = Campagne.objects.filter(annee=options["campagne"]).first()
        if campagne is None:
            raise CommandError(f"Campagne {options['campagne']} introuvable.", returncode=2)
        try:
            lignes = export_agregats(campagne, options["out"])
        except ErreurPublication as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(
            self.style.SUCCESS(f"{formater_nombre(lignes)} cellules écrites dans {options['out']} (audit réussi).")
        )
