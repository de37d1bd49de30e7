"""Mesure de la démonstration : génération puis chargement complets dans une base SQLite neuve.

Usage : .venv/bin/python bench/demo.py [--graine N]

La base vit dans un dossier temporaire (SENACS_VAR_DIR), réglages config.settings.dev (mot de passe
haché avec argon2, comme en démonstration). Objectif : génération + chargement < 60 s sur 2 cœurs.
La dernière ligne donne les mesures au format clé=valeur : durées (horloge ; cpu_s = temps processeur de
la génération et du chargement, moins sensible à la charge de la machine), taille de la base (Mo),
volumes (réponses, valeurs = nombre de réponses aux questions, dépôts, lignes d'historique, anomalies
injectées).
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graine", type=int, default=2026)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="senacs-bench-demo-") as dossier:
        os.environ["SENACS_VAR_DIR"] = dossier
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
        os.environ.pop("DATABASE_URL", None)  # toujours une base SQLite neuve
        sys.path.insert(0, str(RACINE))

        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from core.demo import generer_donnees_demo
        from senacs.demo.selectors import empreinte_donnees
        from senacs.demo.services import demo_inserer
        from senacs.reponses.models import ReponseHistorique

        debut = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        migrate_s = time.perf_counter() - debut

        debut, debut_cpu = time.perf_counter(), time.process_time()
        donnees = generer_donnees_demo(args.graine)
        generation_s = time.perf_counter() - debut

        debut = time.perf_counter()
        demo_inserer(donnees)
        chargement_s = time.perf_counter() - debut
        cpu_s = time.process_time() - debut_cpu
        historique = ReponseHistorique.objects.count()

        debut = time.perf_counter()
        empreinte = empreinte_donnees()
        empreinte_s = time.perf_counter() - debut
        connections.close_all()
        taille_base = sum(f.stat().st_size for f in Path(dossier).glob("senacs.sqlite3*"))

    compte = donnees.compter()
    print(f"Base : SQLite neuve ; graine {args.graine} ; empreinte {empreinte}")
    print(
        f"generation_s={generation_s:.2f} chargement_s={chargement_s:.2f} "
        f"total_s={generation_s + chargement_s:.2f} migrate_s={migrate_s:.2f} empreinte_s={empreinte_s:.2f} "
        f"cpu_s={cpu_s:.2f} base_mo={taille_base / 1e6:.0f} "
        f"structures={compte['structures']} cs_actifs={compte['cs_actifs']} evs_actifs={compte['evs_actifs']} "
        f"agrements={compte['agrements']} reponses={compte['reponses']} valeurs={compte['valeurs']} "
        f"depots={compte['depots']} historique={historique} anomalies_injectees={compte['anomalies_injectees']} "
        f"utilisateurs={compte['utilisateurs']} comptes_structures={compte['comptes_structures']}"
    )


if __name__ == "__main__":
    main()
