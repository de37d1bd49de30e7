"""Démonstration locale de SENACS.

But : une seule commande, sur une machine neuve, pour voir la plateforme remplie de données
réalistes (registre national calibré, six campagnes, réponses, un compte par rôle).

Usage :
    senacs demo                      # migre, génère si la base n'a aucune structure, affiche les comptes, sert le site
    senacs demo --sans-serveur       # tout sauf le serveur (scripts, tests)
    senacs demo --graine 7           # autre jeu, tout aussi déterministe
    senacs demo --reinitialiser      # efface les données de démonstration et régénère (DEBUG seulement,
                                     # ou avec --confirmer)
    senacs demo --adresse 0.0.0.0:8080

Sans --reinitialiser, la commande est idempotente : une base qui contient déjà des structures n'est
pas modifiée (un second lancement ne change rien).
"""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from core.demo import GRAINE_PAR_DEFAUT, MOT_DE_PASSE_DEMO
from senacs.demo.complements import demo_completer
from senacs.demo.selectors import base_de_demonstration, comptes_demo, resume_demo
from senacs.demo.services import demo_charger, demo_effacer
from senacs.structures.models import Structure

ADRESSE_PAR_DEFAUT = "127.0.0.1:8000"


def nombre(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def duree(secondes: float) -> str:
    return f"{secondes:.1f}".replace(".", ",") + " s"


def reglages_de_production() -> bool:
    return str(getattr(settings, "SETTINGS_MODULE", "")).endswith(".production")


def taille_valide(texte: str) -> float:
    try:
        valeur = float(texte.replace(",", "."))
    except ValueError as exc:
        raise CommandError(f"--taille attend un nombre entre 0 et 1 (reçu : {texte!r}).") from exc
    if not 0 < valeur <= 1:
        raise CommandError(f"--taille attend un nombre entre 0 (exclu) et 1 (reçu : {texte!r}).")
    return valeur


class Command(BaseCommand):
    help = (
        "Prépare la démonstration : migrations, données de démonstration déterministes (si la base ne contient "
        "aucune structure), comptes de démonstration, puis serveur local."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sans-serveur", action="store_true", help="Tout faire sauf lancer le serveur (scripts et tests)."
        )
        parser.add_argument(
            "--graine",
            type=int,
            default=GRAINE_PAR_DEFAUT,
            help=f"Graine du générateur (défaut : {GRAINE_PAR_DEFAUT}).",
        )
        parser.add_argument(
            "--taille",
            type=taille_valide,
            default=1.0,
            help="Part du jeu complet à générer, entre 0 et 1 (défaut : 1 ; une petite taille sert aux tests).",
        )
        parser.add_argument(
            "--reinitialiser",
            action="store_true",
            help="Effacer les données de démonstration puis les régénérer (refusé hors DEBUG sans --confirmer).",
        )
        parser.add_argument(
            "--confirmer",
            action="store_true",
            help="Confirmer --reinitialiser hors DEBUG ou sur une base qui n'a pas été remplie par la démo, "
            "ou la démonstration avec les réglages de production.",
        )
        parser.add_argument(
            "--adresse", default=ADRESSE_PAR_DEFAUT, help=f"Adresse du serveur (défaut : {ADRESSE_PAR_DEFAUT})."
        )

    def handle(self, *args, **options):
        if reglages_de_production() and not options["confirmer"]:
            raise CommandError(
                "Démonstration refusée avec les réglages de production : elle crée des comptes au mot de passe "
                "public. Utilisez config.settings.dev (par défaut), ou --confirmer si c'est vraiment voulu."
            )
        self.stdout.write("Migrations de la base…")
        call_command("migrate", interactive=False, verbosity=0)

        if options["reinitialiser"]:
            self.reinitialiser(confirme=options["confirmer"])

        if Structure.objects.exists():
            self.stdout.write(
                "La base contient déjà des structures : aucune donnée générée "
                "(--reinitialiser pour repartir d'un jeu neuf)."
            )
            if options["graine"] != GRAINE_PAR_DEFAUT or options["taille"] != 1:
                self.stdout.write(
                    self.style.WARNING("--graine et --taille ne servent qu'à une génération : ignorées.")
                )
        else:
            self.stdout.write(f"Génération des données de démonstration (graine {options['graine']})…")
            rapport = demo_charger(graine=options["graine"], taille=options["taille"])
            self.stdout.write(
                self.style.SUCCESS(
                    f"Données générées en {duree(rapport.duree_generation)} et chargées en "
                    f"{duree(rapport.duree_chargement)}."
                )
            )
            for etape in demo_completer(graine=options["graine"], taille=options["taille"]):
                self.stdout.write(f"  {etape.libelle} : {etape.detail} ({duree(etape.duree)})")

        self.afficher_resume()
        self.afficher_comptes()

        if options["sans_serveur"]:
            return
        adresse = options["adresse"]
        travailleur = self.lancer_travailleur()
        self.stdout.write(self.style.SUCCESS(f"\nSite de démonstration : http://{adresse}/  (Ctrl+C pour arrêter)\n"))
        try:
            call_command("runserver", adresse, use_reloader=False)
        finally:
            travailleur.terminate()
            try:
                travailleur.wait(timeout=10)
            except subprocess.TimeoutExpired:
                travailleur.kill()

    def lancer_travailleur(self) -> subprocess.Popen:
        """Tâches de fond (tableaux automatisés, plaquettes en lot…) : un ``db_worker`` à côté du serveur,
        avec les mêmes réglages ; il s'arrête avec le serveur."""
        environnement = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        commande = [sys.executable, "-m", "django", "db_worker", "--queue-name", "*", "--no-reload", "-v", "0"]
        self.stdout.write("Tâches de fond : travailleur db_worker démarré (toutes les files).")
        return subprocess.Popen(commande, env=environnement)

    def reinitialiser(self, *, confirme: bool) -> None:
        if not settings.DEBUG and not confirme:
            raise CommandError(
                "Réinitialisation refusée : DEBUG est désactivé, cette base n'est peut-être pas une base de "
                "démonstration. Relancez avec --confirmer si vous voulez vraiment effacer ses données."
            )
        if not base_de_demonstration() and not confirme:
            raise CommandError(
                "Réinitialisation refusée : cette base contient des structures qui n'ont pas été chargées par "
                "`senacs demo`. Relancez avec --confirmer pour les effacer quand même."
            )
        self.stdout.write(self.style.WARNING("Effacement des données de démonstration…"))
        try:
            demo_effacer()
        except ProtectedError as exc:
            raise CommandError(
                f"Effacement impossible : d'autres données dépendent du registre ou des campagnes ({exc.args[0]})"
            ) from exc

    def afficher_resume(self) -> None:
        r = resume_demo()
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Données de démonstration"))
        self.stdout.write(
            f"  Structures actives : {nombre(r.cs_actifs + r.evs_actifs)} — {nombre(r.cs_actifs)} centres sociaux, "
            f"{nombre(r.evs_actifs)} espaces de vie sociale"
        )
        self.stdout.write(
            f"  Territoire : {r.departements} départements ({r.departements_minuscules} avec 1 à 5 structures), "
            f"{r.zones} zones infra-départementales, {r.federations} fédérations"
        )
        self.stdout.write(
            f"  Registre : {nombre(r.fermees)} structures fermées depuis 2020, {nombre(r.gestionnaires)} organismes "
            f"gestionnaires, {nombre(r.agrements)} périodes d'agrément"
        )
        self.stdout.write(f"  Campagnes : {len(r.campagnes)} — réponses : {nombre(r.reponses)}")
        if r.questionnaires:
            self.stdout.write(
                f"  Questionnaires : {', '.join(r.questionnaires)} ; {nombre(r.depots)} dépôts ; "
                f"{nombre(r.anomalies_injectees)} anomalies glissées dans les réponses (contrôle de cohérence)"
            )
        for c in r.campagnes:
            if c.validees == c.reponses:
                detail = f"{nombre(c.validees)} réponses validées"
            else:
                etats = [f"{nombre(c.brouillons)} brouillons", f"{nombre(c.soumises)} soumises"]
                if c.validees:
                    etats.append(f"{nombre(c.validees)} validées")
                detail = f"{nombre(c.reponses)} commencées ({', '.join(etats)})"
            self.stdout.write(
                f"    {c.annee} (données {c.annee_donnees}, {c.phase.lower()}) : {detail} "
                f"sur {nombre(c.attendues)} structures attendues"
            )

    def afficher_comptes(self) -> None:
        comptes = comptes_demo()
        self.stdout.write("")
        if not comptes:
            self.stdout.write("Aucun compte de démonstration dans cette base.")
            return
        self.stdout.write(
            self.style.MIGRATE_HEADING(f"Comptes de démonstration — mot de passe commun : {MOT_DE_PASSE_DEMO}")
        )
        self.stdout.write("  (aucun n'a encore accepté la charte : elle s'affiche à la première connexion)")
        largeur_email = max(len(c.email) for c in comptes)
        largeur_role = max(len(c.role) for c in comptes)
        self.stdout.write(f"  {'Identifiant':<{largeur_email}}  {'Rôle':<{largeur_role}}  Territoire")
        self.stdout.write(f"  {'-' * largeur_email}  {'-' * largeur_role}  {'-' * 30}")
        for c in comptes:
            self.stdout.write(f"  {c.email:<{largeur_email}}  {c.role:<{largeur_role}}  {c.territoire}")
            self.stdout.write(f"  {'':<{largeur_email}}  ↳ {c.description}")
            if c.second_facteur:
                self.stdout.write(f"  {'':<{largeur_email}}  ↳ second facteur exigé (voir ci-dessous)")
        exigeants = [c.email for c in comptes if c.second_facteur]
        if exigeants:
            self.stdout.write("")
            self.stdout.write(
                self.style.MIGRATE_HEADING(f"Second facteur exigé ({len(exigeants)} comptes) : {', '.join(exigeants)}")
            )
            self.stdout.write(
                "  À la première connexion, le site affiche un QR code : scannez-le avec une application\n"
                "  d'authentification (FreeOTP, Aegis, Google Authenticator…) ou recopiez la clé affichée, saisissez\n"
                "  le code à 6 chiffres, puis notez les 10 codes de secours (un code de secours remplace le code\n"
                "  de l'application une fois). Sans téléphone : `oathtool --totp -b CLÉ` donne le code."
            )
