"""Mesure : temps de réponse et nombre de requêtes SQL des 20 pages les plus lourdes, sur la
démonstration complète (``senacs demo --sans-serveur``).

Usage : ``SENACS_VAR_DIR=… .venv/bin/python bench/pages.py [--tours 5]``

Chaque page est demandée une fois pour chauffer les caches, puis ``--tours`` fois (client de test
Django, session du compte de démonstration qui la consulte, charte acceptée). On compte les requêtes
SQL du dernier tour. Objectif : p95 < 300 ms, aucune page au-delà de 100 requêtes.

Dernière ligne (clé=valeur) : ``p95_ms=… max_ms=… requetes_max=… page_max=… pages=…``
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from senacs.campagnes.selectors import campagne_courante  # noqa: E402
from senacs.comptes.models import AcceptationCharte, Utilisateur  # noqa: E402


def pages(annee: int, diffusee: int) -> list[tuple[str, str, str]]:
    """(compte de démonstration, libellé, adresse)."""
    national = "national@demo.senacs.fr"
    region = "correspondant.region.84@demo.senacs.fr"
    caf69 = "correspondant.caf.69@demo.senacs.fr"
    copil69 = "copil.caf.69@demo.senacs.fr"
    analyse = {"indicateur": "budget_moyen", "territoire": "D:69", "dimension1": "type", "campagne": str(diffusee)}
    from urllib.parse import urlencode

    return [
        (national, "accueil national", reverse("accueil")),
        (national, "tableau de bord national", reverse("controles:tableau_de_bord", args=[annee])),
        (national, "suivi national", reverse("campagnes:suivi")),
        (national, "suivi du 59", reverse("campagnes:suivi") + "?departement=59"),
        (national, "campagne (détail)", reverse("campagnes:detail", args=[annee])),
        (national, "tableaux France", reverse("tableaux:tableaux", args=[diffusee, "FR"])),
        (national, "tendances et carte", reverse("tendances:index")),
        (region, "accueil régional", reverse("accueil")),
        (region, "tableau de bord régional", reverse("controles:tableau_de_bord", args=[annee])),
        (region, "suivi régional", reverse("campagnes:suivi")),
        (region, "tableaux région 84", reverse("tableaux:tableaux", args=[diffusee, "R84"])),
        (region, "structures de la région", reverse("structures:liste")),
        (caf69, "accueil Caf 69", reverse("accueil")),
        (caf69, "tableau de bord 69", reverse("controles:tableau_de_bord", args=[annee])),
        (caf69, "relances 69", reverse("controles:relances", args=[annee]) + "?nature=non_deposee"),
        (copil69, "tableaux 69", reverse("tableaux:tableaux", args=[diffusee, "D69"])),
        (copil69, "analyse 69", reverse("analyses:index") + "?" + urlencode(analyse)),
        (copil69, "plaquettes", reverse("publications:index")),
        (national, "annuaire public", reverse("annuaire:departements")),
        (national, "annuaire du Rhône", reverse("annuaire:departement", args=["69"])),
    ]


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--tours", type=int, default=5)
    options = args.parse_args()
    campagne = campagne_courante()
    if campagne is None:
        sys.exit("Aucune campagne : construisez d'abord la démonstration (senacs demo --sans-serveur).")
    from senacs.statistiques.models import Diffusion

    diffusee = (
        Diffusion.objects.filter(audit_ok=True)
        .order_by("-campagne__annee")
        .values_list("campagne__annee", flat=True)
        .first()
        or campagne.annee - 1
    )
    clients: dict[str, Client] = {}
    mesures = []
    for email, libelle, adresse in pages(campagne.annee, diffusee):
        if email not in clients:
            u = Utilisateur.objects.get(email=email)
            AcceptationCharte.objects.get_or_create(utilisateur=u, version=settings.SENACS_CHARTE_VERSION)
            clients[email] = Client()
            clients[email].force_login(u)
        client = clients[email]
        reponse = client.get(adresse)
        if reponse.status_code != 200:
            print(f"{libelle} : HTTP {reponse.status_code} ({adresse})", file=sys.stderr)
        durees = []
        for tour in range(options.tours):
            if tour == options.tours - 1:
                with CaptureQueriesContext(connection) as requetes:
                    debut = time.perf_counter()
                    client.get(adresse)
                    durees.append(time.perf_counter() - debut)
                n = len(requetes)
            else:
                debut = time.perf_counter()
                client.get(adresse)
                durees.append(time.perf_counter() - debut)
        mediane = statistics.median(durees) * 1000
        mesures.append((libelle, durees, n))
        print(f"{libelle:28} {mediane:8.0f} ms (médiane)  {max(durees) * 1000:8.0f} ms (max)  {n:4d} requêtes")
    toutes = sorted(d * 1000 for _, durees, _ in mesures for d in durees)
    p95 = toutes[min(len(toutes) - 1, int(round(0.95 * (len(toutes) - 1))))]
    pire = max(mesures, key=lambda m: m[2])
    print(
        f"p95_ms={p95:.0f} max_ms={toutes[-1]:.0f} requetes_max={pire[2]} "
        f"page_max={pire[0].replace(' ', '_')} pages={len(mesures)}"
    )


if __name__ == "__main__":
    main()
