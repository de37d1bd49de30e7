"""Mesure de l'enregistrement automatique : N structures saisissent en même temps, sur gunicorn et PostgreSQL.

Usage : .venv/bin/python bench/entry.py [--utilisateurs 200] [--duree 60] [--intervalle 5] [--port 0]

Le script crée une base PostgreSQL neuve sur 127.0.0.1:5432 (utilisateur postgres, authentification
« trust »), la migre, charge le questionnaire 2026 et une campagne en phase de saisie, crée N
structures avec leur compte, leur mandat, leur réponse (brouillon **remplie** avec les réponses d'un
centre social de la démonstration) et une session ouverte, puis lance gunicorn avec l'environnement du
projet (``.venv``) et la commande de ``docs/exploitation.md`` (``gunicorn config.wsgi --workers 3
--bind …`` : workers synchrones ; ``--threads N`` pour essayer gthread), réglages de production,
boucle locale seulement. Chaque utilisateur simulé enregistre une
réponse toutes les ``--intervalle`` secondes pendant ``--duree`` secondes (requête htmx comme le
navigateur : champ, version chargée, jeton CSRF), en reprenant la version que le serveur lui rend.

À la fin : pour chaque utilisateur, la dernière valeur qu'il a enregistrée avec succès doit être celle
de la base (sinon c'est une **perte**). La base est supprimée. La dernière ligne donne les mesures :
``utilisateurs=200 duree_s=60 saves_par_s=… p50_ms=… p95_ms=… erreurs=0 pertes=0``.
Objectif sur 2 cœurs : 200 utilisateurs, une réponse toutes les 5 s, p95 < 200 ms, aucune erreur ni perte.
"""

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
HOTE = "127.0.0.1"
PG = "postgres://postgres@127.0.0.1:5432"
# Questions numériques de la section E enregistrées à tour de rôle (toutes sans condition de pertinence).
CODES = ("E01", "E03", "E04", "E07", "E08", "E09", "E18", "E19")
# Structures réservées à la mise en température (hors mesure) : chaque worker charge le questionnaire une fois.
CHAUFFE = 12


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", HOTE, "-p", "5432", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def valeurs_demo() -> list[dict]:
    """Réponses remplies des centres sociaux de la démonstration (campagne 2026, jeu à 5 %), les plus
    complètes d'abord : chaque structure du banc d'essai reprend l'une d'elles."""
    from core.demo import generer_donnees_demo

    donnees = generer_donnees_demo(taille=0.05)
    types = {s.identifiant: s.type for s in donnees.structures}
    remplies = [r.valeurs for r in donnees.reponses if r.campagne == 2026 and types[r.structure] == "CS"]
    return sorted(remplies, key=len, reverse=True)[:20]


def preparer(nombre: int) -> list[dict]:
    """Base migrée, campagne ouverte, N structures avec compte, mandat, réponse et session."""
    import datetime

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from senacs.campagnes.models import Campagne, Phase
    from senacs.comptes.models import AcceptationCharte, Mandat, Utilisateur
    from senacs.questionnaires.services import questionnaire_charger_fichier
    from senacs.reponses.models import Reponse
    from senacs.structures.models import Agrement, Structure

    call_command("migrate", interactive=False, verbosity=0)
    questionnaire = questionnaire_charger_fichier(RACINE / "questionnaires" / "2026.yaml")
    jour = timezone.localdate()
    campagne = Campagne.objects.create(
        annee=2026,
        annee_donnees=2025,
        version_questionnaire="2026",
        questionnaire=questionnaire,
        phase=Phase.SAISIE,
        date_ouverture_saisie=jour - datetime.timedelta(days=30),
        date_fin_saisie=jour + datetime.timedelta(days=30),
        date_fin_controle=jour + datetime.timedelta(days=60),
        date_fin_analyse=jour + datetime.timedelta(days=90),
        date_publication=jour + datetime.timedelta(days=120),
    )
    structures = Structure.objects.bulk_create(
        [
            Structure(
                identifiant=f"B{i:06d}",
                type="CS",
                nom=f"Centre social du banc d'essai n° {i}",
                commune_insee="69123",
                commune_nom="Lyon",
                code_postal="69001",
                departement_id="69",
                mode_gestion="associatif",
                type_territoire="urbain",
                geographie_prioritaire="non_concerne",
            )
            for i in range(nombre)
        ]
    )
    Agrement.objects.bulk_create(
        [
            Agrement(structure=s, date_debut=datetime.date(2023, 1, 1), date_fin=datetime.date(2026, 12, 31))
            for s in structures
        ]
    )
    utilisateurs = []
    for i in range(nombre):
        u = Utilisateur(email=f"banc{i}@exemple.fr", prenom="Banc", nom=f"Essai {i}")
        u.set_unusable_password()
        utilisateurs.append(u)
    utilisateurs = Utilisateur.objects.bulk_create(utilisateurs)
    Mandat.objects.bulk_create(
        [
            Mandat(
                utilisateur=u,
                role="structure",
                niveau="structure",
                structure=s,
                organisme="structure",
                date_debut=jour,
            )
            for u, s in zip(utilisateurs, structures, strict=True)
        ]
    )
    AcceptationCharte.objects.bulk_create(
        [AcceptationCharte(utilisateur=u, version=settings.SENACS_CHARTE_VERSION) for u in utilisateurs]
    )
    remplies = valeurs_demo()
    reponses = []
    for i, s in enumerate(structures):
        valeurs = dict(remplies[i % len(remplies)])
        reponses.append(Reponse(campagne=campagne, structure=s, valeurs=valeurs, versions=dict.fromkeys(valeurs, 1)))
    Reponse.objects.bulk_create(reponses)
    simules = []
    for u, s, r in zip(utilisateurs, structures, reponses, strict=True):
        session = SessionStore()
        session[SESSION_KEY] = str(u.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = u.get_session_auth_hash()
        session.create()
        simules.append(
            {
                "structure": s.pk,
                "session": session.session_key,
                "csrf": secrets.token_hex(16),
                "versions": {code: r.versions.get(code, 0) for code in CODES},
            }
        )
    connections.close_all()
    return simules


def valeurs_en_base() -> dict[int, dict]:
    from django.db import connections

    from senacs.reponses.models import Reponse

    valeurs = dict(Reponse.objects.values_list("structure_id", "valeurs"))
    connections.close_all()
    return valeurs


def attendre_serveur(port: int, processus: subprocess.Popen, delai: float = 60) -> None:
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        if processus.poll() is not None:
            raise RuntimeError("gunicorn s'est arrêté au démarrage")
        try:
            with socket.create_connection((HOTE, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn ne répond pas")


class Utilisateur(threading.Thread):
    def __init__(self, rang: int, simule: dict, port: int, debut: float, fin: float, intervalle: float):
        super().__init__(daemon=True)
        self.rang, self.simule, self.port = rang, simule, port
        self.debut, self.fin, self.intervalle = debut, fin, intervalle
        self.latences: list[float] = []
        self.erreurs: list[str] = []
        self.versions = dict(simule["versions"])
        self.enregistrees: dict[str, int] = {}  # dernière valeur enregistrée avec succès, par question
        self.alea = random.Random(rang)

    def requete(self, connexion, code: str, valeur: int) -> tuple[int, str]:
        corps = f"{code}={valeur}&version_{code}={self.versions[code]}"
        entetes = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sessionid={self.simule['session']}; csrftoken={self.simule['csrf']}",
            "X-CSRFToken": self.simule["csrf"],
            "HX-Request": "true",
            "Host": f"{HOTE}:{self.port}",
        }
        connexion.request("POST", f"/saisie/2026/{self.simule['structure']}/E/{code}/", body=corps, headers=entetes)
        reponse = connexion.getresponse()
        return reponse.status, reponse.read().decode("utf-8", "replace")

    def run(self) -> None:
        connexion = http.client.HTTPConnection(HOTE, self.port, timeout=30)
        prochain = self.debut + self.alea.uniform(0, self.intervalle)
        tour = 0
        while True:
            attente = prochain - time.monotonic()
            if attente > 0:
                time.sleep(attente)
            if time.monotonic() >= self.fin:
                break
            code = CODES[tour % len(CODES)]
            valeur = tour + 1
            tour += 1
            prochain += self.intervalle
            t0 = time.perf_counter()
            try:
                try:
                    statut, html = self.requete(connexion, code, valeur)
                except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                    # Connexion gardée ouverte puis fermée par le serveur pendant l'attente (keep-alive de
                    # gthread : 2 s) : la requête n'a pas été lue, on la renvoie sur une connexion neuve.
                    connexion.close()
                    connexion = http.client.HTTPConnection(HOTE, self.port, timeout=30)
                    statut, html = self.requete(connexion, code, valeur)
            except (OSError, http.client.HTTPException) as exc:
                self.erreurs.append(f"{code}: {exc.__class__.__name__}")
                connexion.close()
                connexion = http.client.HTTPConnection(HOTE, self.port, timeout=30)
                continue
            self.latences.append(time.perf_counter() - t0)
            trouve = re.search(rf'name="version_{code}" value="(\d+)"', html)
            if statut != 200 or "Enregistré à" not in html or trouve is None:
                self.erreurs.append(f"{code}: HTTP {statut} {html[:120]!r}")
                continue
            self.versions[code] = int(trouve.group(1))
            self.enregistrees[code] = valeur
        connexion.close()


def chauffer(simules: list[dict], port: int) -> None:
    """Quelques enregistrements hors mesure, en parallèle, pour que chaque worker ait chargé son code et
    le questionnaire (la première requête d'un processus compile le questionnaire)."""
    maintenant = time.monotonic()
    fils = [Utilisateur(-1 - i, s, port, maintenant, maintenant + 3, 0.25) for i, s in enumerate(simules)]
    for f in fils:
        f.start()
    for f in fils:
        f.join(timeout=120)


def cpu_processus(racine: int) -> float:
    """Temps CPU (s) consommé par un processus et ses enfants directs encore vivants (workers gunicorn)."""
    tic = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entree in Path("/proc").iterdir():
        if not entree.name.isdigit():
            continue
        try:
            champs = (entree / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entree.name), int(champs[1])
        if pid == racine or parent == racine:
            total += (int(champs[11]) + int(champs[12])) / tic
    return total


def centile(valeurs: list[float], q: float) -> float:
    if not valeurs:
        return float("nan")
    return statistics.quantiles(valeurs, n=100, method="inclusive")[int(q) - 1] if len(valeurs) > 1 else valeurs[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--utilisateurs", type=int, default=200)
    parser.add_argument("--duree", type=float, default=60)
    parser.add_argument("--intervalle", type=float, default=5)
    parser.add_argument("--port", type=int, default=0, help="0 : un port libre de la boucle locale")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--threads", type=int, default=1, help="1 : workers synchrones, comme la commande de docs/exploitation.md"
    )
    args = parser.parse_args()

    charge_avant = Path("/proc/loadavg").read_text().strip()
    if not args.port:
        with socket.socket() as libre:
            libre.bind((HOTE, 0))
            args.port = libre.getsockname()[1]
    base = f"senacs_bench_entry_{os.getpid()}"
    url_base = f"{PG}/{base}"
    dossier = tempfile.mkdtemp(prefix="senacs-bench-entry-")
    environnement = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": HOTE,
        "DATABASE_URL": url_base,
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SENACS_VAR_DIR": dossier,
        "LOG_LEVEL": "WARNING",
        "DEBUG": "false",
    }
    os.environ.update(environnement)
    sys.path.insert(0, str(RACINE))
    psql(f"DROP DATABASE IF EXISTS {base}")
    psql(f"CREATE DATABASE {base}")
    gunicorn = None
    try:
        debut = time.perf_counter()
        simules = preparer(args.utilisateurs + CHAUFFE)
        chauffe, simules = simules[:CHAUFFE], simules[CHAUFFE:]
        preparation_s = time.perf_counter() - debut
        gunicorn = subprocess.Popen(
            [
                str(RACINE / ".venv" / "bin" / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"{HOTE}:{args.port}",
                "--workers",
                str(args.workers),
                *(["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads > 1 else []),
                "--log-level",
                "warning",
            ],
            cwd=RACINE,
            env=environnement,
        )
        attendre_serveur(args.port, gunicorn)
        chauffer(chauffe, args.port)
        depart = time.monotonic() + 0.5
        fin = depart + args.duree
        utilisateurs = [Utilisateur(i, s, args.port, depart, fin, args.intervalle) for i, s in enumerate(simules)]
        cpu_avant = cpu_processus(gunicorn.pid)
        for u in utilisateurs:
            u.start()
        for u in utilisateurs:
            u.join(timeout=args.duree + 120)
        duree = time.monotonic() - depart
        cpu_serveur = cpu_processus(gunicorn.pid) - cpu_avant
        charge = os.getloadavg()[0]
        en_base = valeurs_en_base()
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        psql(f"DROP DATABASE IF EXISTS {base} WITH (FORCE)")

    latences = [t for u in utilisateurs for t in u.latences]
    erreurs = [e for u in utilisateurs for e in u.erreurs]
    pertes = 0
    for u in utilisateurs:
        valeurs = en_base.get(u.simule["structure"], {})
        pertes += sum(1 for code, valeur in u.enregistrees.items() if valeurs.get(code) != valeur)
    reussies = len(latences) - len(erreurs)
    for e in erreurs[:5]:
        print(f"erreur : {e}")
    print(
        f"Base PostgreSQL neuve ({base}, supprimée) ; préparation {preparation_s:.1f} s ; gunicorn "
        f"{args.workers} workers × {args.threads} fils ; charge avant {charge_avant} ; "
        f"{len(latences)} requêtes, {reussies} enregistrements ; "
        f"CPU gunicorn {1000 * cpu_serveur / max(1, len(latences)):.1f} ms par requête ; charge de la machine "
        f"{charge:.1f} (sur {os.cpu_count()} cœurs)"
    )
    print(
        f"utilisateurs={args.utilisateurs} duree_s={args.duree:g} saves_par_s={reussies / duree:.1f} "
        f"p50_ms={1000 * centile(latences, 50):.0f} p95_ms={1000 * centile(latences, 95):.0f} "
        f"erreurs={len(erreurs)} pertes={pertes}"
    )


if __name__ == "__main__":
    main()
