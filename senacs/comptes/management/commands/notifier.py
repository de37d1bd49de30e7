"""Récapitulatif quotidien de ce qui attend chaque personne (à lancer une fois par jour, par cron).

Pour les comptes qui ont choisi « un récapitulatif quotidien » : un courriel listant le même « À faire »
que leur page d'accueil (interpellations, saisies pour leur compte, contestations, alertes, plaquettes à
approuver, mandats qui finissent). Rien n'est envoyé à qui n'a rien en attente.

Usage :
    senacs notifier                 # envoie les récapitulatifs
    senacs notifier --dry-run       # affiche qui recevrait quoi, n'envoie rien
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.urls import reverse

from senacs.comptes.a_faire import a_faire
from senacs.comptes.models import Notifications, Utilisateur
from senacs.comptes.selectors import perimetre_de


class Command(BaseCommand):
    help = "Envoie le récapitulatif quotidien de ce qui attend chaque compte qui l'a choisi."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Affiche les récapitulatifs sans les envoyer.")

    def handle(self, *args, dry_run=False, **options):
        base = (getattr(settings, "SENACS_URL_SITE", "") or "").rstrip("/")
        envoyes = 0
        comptes = Utilisateur.objects.filter(is_active=True, notifications=Notifications.QUOTIDIEN).order_by("pk")
        for utilisateur in comptes:
            taches = a_faire(utilisateur, perimetre_de(utilisateur))
            if not taches:
                continue
            total = sum(t.nombre for t in taches)
            sujet = f"[SENACS] {total} travaux en attente" if total > 1 else "[SENACS] 1 travail en attente"
            corps = render_to_string(
                "courriels/recapitulatif.txt",
                {"taches": taches, "base": base, "preferences": reverse("comptes:notifications")},
            )
            if dry_run:
                self.stdout.write(f"{utilisateur.email} : {sujet}")
                for t in taches:
                    self.stdout.write(f"  - {t.texte}")
                continue
            EmailMessage(sujet, corps, settings.DEFAULT_FROM_EMAIL, [utilisateur.email]).send()
            envoyes += 1
        if not dry_run:
            self.stdout.write(
                f"{envoyes} récapitulatif{'s' if envoyes > 1 else ''} envoyé{'s' if envoyes > 1 else ''}."
            )
