"""Comptes et mandats (commande d'exploitation, à lancer chaque jour).

senacs comptes rappels            # prévient les personnes dont un mandat finit dans 30 ou 7 jours
"""

from django.core.management.base import BaseCommand

from senacs.comptes.services import mandats_rappeler


class Command(BaseCommand):
    help = "Comptes et mandats : rappels avant la fin des mandats."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{rappels}")
        actions.add_parser("rappels", help="Prévient les personnes dont un mandat finit dans 30 ou 7 jours.")

    def handle(self, *args, **options):
        n = mandats_rappeler()
        pluriel = "s" if n > 1 else ""
        self.stdout.write(self.style.SUCCESS(f"{n} rappel{pluriel} de fin de mandat envoyé{pluriel}."))
