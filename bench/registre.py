"""Mesure : import du registre des structures (4 000 lignes), création puis mise à jour.

Usage : ``.venv/bin/python bench/registre.py [--lignes 4000]``

Migre une base SQLite neuve (dossier temporaire), fabrique un registre CSV de ``--lignes`` structures
réparties sur quatre départements (Rhône, Ain, Corse-du-Sud, La Réunion) et ≈ 300 gestionnaires,
l'importe (création), puis réimporte le même fichier où une seule adresse électronique a changé (mise à
jour d'une ligne, les autres inchangées). Les tests vérifient le nombre de requêtes (par lots, pas une
par ligne) ; ce script mesure la durée. Objectif : moins de 15 s pour chaque import.

Dernière ligne (clé=valeur) : ``lignes=… creation_s=… mise_a_jour_s=… requetes_creation=… requetes_mise_a_jour=…``
"""

import argparse
import csv
import datetime
import io
import os
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
COMMUNES = [("69", "69123", "69001"), ("01", "01053", "01000"), ("2A", "2A004", "20000"), ("974", "97411", "97400")]


def ligne(i: int) -> dict:
    departement, commune, code_postal = COMMUNES[i % len(COMMUNES)]
    return {
        "identifiant": f"S{i:05d}",
        "type": "CS",
        "nom": f"Centre social {i}",
        "code_postal": code_postal,
        "commune_insee": commune,
        "commune": "Commune",
        "departement": departement,
        "email": f"contact{i}@exemple.fr",
        "gestionnaire": f"Association {i % 300}",
        "mode_gestion": "associatif",
        "type_territoire": "urbain",
        "taille_territoire": "quartiers",
        "geographie_prioritaire": "qpv",
        "adherent_fcsf": "oui",
        "autre_federation": "non",
        "gens_du_voyage": "non",
        "multi_sites": "non",
        "itinerante": "non",
        "nombre_sites": "1",
        "population_zone": "12000",
        "annee_creation": "1975",
        "zfrr": "non",
        "date_premier_agrement": "15/09/1979",
        "agrement_debut": "01/01/2022",
        "agrement_fin": "31/12/2025",
        "active": "oui",
    }


def fichier_csv(lignes: list[dict], colonnes: list[str]) -> bytes:
    tampon = io.StringIO(newline="")
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(colonnes)
    for valeurs in lignes:
        ecrivain.writerow([valeurs.get(c, "") for c in colonnes])
    return ("\ufeff" + tampon.getvalue()).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lignes", type=int, default=4000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="senacs-bench-registre-") as dossier:
        os.environ["SENACS_VAR_DIR"] = dossier
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
        os.environ.pop("DATABASE_URL", None)
        sys.path.insert(0, str(RACINE))

        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections
        from django.test.utils import CaptureQueriesContext

        from core import registre
        from core.perimetre import MandatActif, Perimetre
        from core.roles import Niveau, Role
        from senacs.structures.importation import registre_importer

        call_command("migrate", interactive=False, verbosity=0)
        admin = Perimetre.depuis_mandats([MandatActif(Role.ADMIN, Niveau.NATION, "FR", "national")])
        colonnes = list(registre.COLONNES)
        lignes = [ligne(i) for i in range(args.lignes)]

        def importer(contenu: bytes):
            with CaptureQueriesContext(connection) as requetes:
                debut = time.perf_counter()
                rapport = registre_importer(
                    contenu=contenu,
                    nom_fichier="registre.csv",
                    perimetre=admin,
                    simulation=False,
                    aujourd_hui=datetime.date(2025, 3, 1),
                )
                return rapport, time.perf_counter() - debut, len(requetes)

        rapport, creation_s, requetes_creation = importer(fichier_csv(lignes, colonnes))
        if rapport.erreurs or len(rapport.creations) != args.lignes:
            sys.exit(f"Import refusé : {rapport.erreurs[:3]}")
        lignes[10]["email"] = "autre@exemple.fr"
        rapport, maj_s, requetes_maj = importer(fichier_csv(lignes, colonnes))
        if len(rapport.modifications) != 1:
            sys.exit(f"Mise à jour inattendue : {len(rapport.modifications)} lignes modifiées")
        connections.close_all()

    print(
        f"{args.lignes} lignes : création {creation_s:.2f} s ({requetes_creation} requêtes), "
        f"mise à jour {maj_s:.2f} s ({requetes_maj} requêtes)"
    )
    print(
        f"lignes={args.lignes} creation_s={creation_s:.2f} mise_a_jour_s={maj_s:.2f} "
        f"requetes_creation={requetes_creation} requetes_mise_a_jour={requetes_maj}"
    )


if __name__ == "__main__":
    main()
