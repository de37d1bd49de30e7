"""Coût d'un enregistrement automatique (un champ) sur une réponse remplie, côté serveur.

Usage : .venv/bin/python bench/sauvegarde.py [--enregistrements 200] [--base postgres://…/nom] [--profil]

Crée une base PostgreSQL neuve (par défaut ``senacs_bench_sauvegarde_<pid>`` sur 127.0.0.1:5432,
supprimée à la fin ; ``--base`` pour en donner une), la migre, charge le questionnaire 2026 et une
campagne en phase de saisie, puis une structure CS avec son compte et une réponse **remplie** avec
les réponses d'une structure de la démonstration (jeu de démonstration à 5 %, réponse 2026 la plus
complète) et, pour la campagne 2025, sa réponse déposée (réponses de l'an dernier, lues par les règles).

Chaque enregistrement passe par le client de test de Django, comme l'onglet du navigateur : requête
htmx POST ``/saisie/2026/<structure>/E/<code>/`` (vue, ``reponse_saisir``, état du questionnaire
avant et après, fragment rendu). On mesure le temps CPU du processus (``time.process_time``) par
enregistrement, puis on compte les requêtes SQL d'un enregistrement. ``--profil`` affiche le profil
cProfile de 50 enregistrements. Dernière ligne : ``save_cpu_ms_median=… requetes=…``
(``BANC_REQUETES=1`` affiche les requêtes SQL comptées ; ``BANC_TRI=tottime`` trie le profil).
"""

import argparse
import datetime
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
CODES = ("E01", "E03", "E04", "E07", "E08", "E09", "E18", "E19")


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def valeurs_demo() -> tuple[dict, dict]:
    """Réponses 2026 (la plus complète d'un centre social) et 2025 de la même structure, démonstration à 5 %."""
    from core.demo import generer_donnees_demo

    donnees = generer_donnees_demo(taille=0.05)
    types = {s.identifiant: s.type for s in donnees.structures}
    candidates = [r for r in donnees.reponses if r.campagne == 2026 and types[r.structure] == "CS"]
    choisie = max(candidates, key=lambda r: len(r.valeurs))
    precedente = next((r for r in donnees.reponses if r.campagne == 2025 and r.structure == choisie.structure), None)
    return dict(choisie.valeurs), dict(precedente.valeurs) if precedente else {}


def preparer(valeurs: dict, precedentes: dict):
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from senacs.campagnes.models import Campagne, Phase
    from senacs.comptes.models import AcceptationCharte, Mandat, Utilisateur
    from senacs.questionnaires.services import questionnaire_charger_fichier
    from senacs.reponses.models import Reponse, Statut
    from senacs.structures.models import Agrement, Structure

    call_command("migrate", interactive=False, verbosity=0)
    jour = timezone.localdate()
    campagnes = {}
    for annee, phase, decalage in ((2025, Phase.PUBLICATION, -365), (2026, Phase.SAISIE, 0)):
        questionnaire = questionnaire_charger_fichier(RACINE / "questionnaires" / f"{annee}.yaml")
        base = jour + datetime.timedelta(days=decalage)
        campagnes[annee] = Campagne.objects.create(
            annee=annee,
            annee_donnees=annee - 1,
            version_questionnaire=str(annee),
            questionnaire=questionnaire,
            phase=phase,
            date_ouverture_saisie=base - datetime.timedelta(days=30),
            date_fin_saisie=base + datetime.timedelta(days=30),
            date_fin_controle=base + datetime.timedelta(days=60),
            date_fin_analyse=base + datetime.timedelta(days=90),
            date_publication=base + datetime.timedelta(days=120),
        )
    structure = Structure.objects.create(
        identifiant="B000001",
        type="CS",
        nom="Centre social du banc d'essai",
        commune_insee="69123",
        commune_nom="Lyon",
        code_postal="69001",
        departement_id="69",
        mode_gestion="associatif",
        type_territoire="urbain",
        geographie_prioritaire="non_concerne",
    )
    Agrement.objects.create(
        structure=structure, date_debut=datetime.date(2023, 1, 1), date_fin=datetime.date(2026, 12, 31)
    )
    utilisateur = Utilisateur(email="banc@exemple.fr", prenom="Banc", nom="Essai")
    utilisateur.set_unusable_password()
    utilisateur.save()
    Mandat.objects.create(
        utilisateur=utilisateur,
        role="structure",
        niveau="structure",
        structure=structure,
        organisme="structure",
        date_debut=jour,
    )
    AcceptationCharte.objects.create(utilisateur=utilisateur, version=settings.SENACS_CHARTE_VERSION)
    if precedentes:
        Reponse.objects.create(
            campagne=campagnes[2025], structure=structure, valeurs=precedentes, statut=Statut.VALIDEE
        )
    reponse = Reponse.objects.create(
        campagne=campagnes[2026],
        structure=structure,
        valeurs=valeurs,
        versions=dict.fromkeys(valeurs, 1),
    )
    return utilisateur, structure, reponse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enregistrements", type=int, default=200)
    parser.add_argument("--base", default="", help="URL PostgreSQL d'une base à utiliser (elle est vidée)")
    parser.add_argument("--profil", action="store_true", help="profil cProfile de 50 enregistrements")
    args = parser.parse_args()

    base = args.base or f"{PG}/senacs_bench_sauvegarde_{os.getpid()}"
    nom = base.rsplit("/", 1)[1]
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "banc-d-essai-" + "x" * 40,
            "ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": base,
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_SSL_REDIRECT": "false",
            "SENACS_VAR_DIR": tempfile.mkdtemp(prefix="senacs-bench-sauvegarde-"),
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(RACINE))
    psql(f"DROP DATABASE IF EXISTS {nom} WITH (FORCE)")
    psql(f"CREATE DATABASE {nom}")
    try:
        import django

        django.setup()
        from django.db import connection, connections
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        valeurs, precedentes = valeurs_demo()
        utilisateur, structure, reponse = preparer(valeurs, precedentes)
        client = Client()
        client.force_login(utilisateur)
        versions = {code: reponse.versions.get(code, 0) for code in CODES}
        url = f"/saisie/2026/{structure.pk}/E/{{}}/"

        def enregistrer(tour: int) -> None:
            code = CODES[tour % len(CODES)]
            r = client.post(
                url.format(code),
                {code: str(1000 + tour), f"version_{code}": str(versions[code])},
                HTTP_HX_REQUEST="true",
            )
            html = r.content.decode()
            trouve = re.search(rf'name="version_{code}" value="(\d+)"', html)
            if r.status_code != 200 or "Enregistré à" not in html or trouve is None:
                raise SystemExit(f"Enregistrement refusé : HTTP {r.status_code} {html[:300]!r}")
            versions[code] = int(trouve.group(1))

        for tour in range(20):  # mise en température : questionnaire compilé, gabarits chargés
            enregistrer(tour)
        if args.profil:
            import cProfile
            import pstats

            profil = cProfile.Profile(time.process_time)
            profil.enable()
            for tour in range(50):
                enregistrer(tour)
            profil.disable()
            pstats.Stats(profil).sort_stats(os.environ.get("BANC_TRI", "cumulative")).print_stats(45)
        durees = []
        for tour in range(args.enregistrements):
            t0 = time.process_time()
            enregistrer(tour)
            durees.append(time.process_time() - t0)
        with CaptureQueriesContext(connection) as requetes:
            enregistrer(args.enregistrements)
        nombre = len(valeurs)
        if os.environ.get("BANC_REQUETES"):
            for q in requetes.captured_queries:
                print(q["sql"][:230])
        connections.close_all()
    finally:
        psql(f"DROP DATABASE IF EXISTS {nom} WITH (FORCE)")
    print(
        f"Réponse remplie : {nombre} réponses (an dernier : {len(precedentes)}) ; {args.enregistrements} "
        f"enregistrements ; charge de la machine {os.getloadavg()[0]:.1f} (sur {os.cpu_count()} cœurs)"
    )
    print(
        f"save_cpu_ms_median={1000 * statistics.median(durees):.1f} "
        f"save_cpu_ms_p90={1000 * statistics.quantiles(durees, n=10)[-1]:.1f} requetes={len(requetes)}"
    )


if __name__ == "__main__":
    main()
