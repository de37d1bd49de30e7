"""Mesure : un classeur piégé de moins de 10 Ko déposé sur le site est refusé vite et sans mémoire.

Usage : ``.venv/bin/python bench/televersement.py``

Chaque bombe de ``tests/bombes.py`` (cellule XFD1048576 en XLSX, dimensions déclarées démesurées,
cellule ODS répétée sur des millions de cases…) passe par la lecture partagée des dépôts
(``core.tableur.lire_fichier``, celle de ``/registre/``, ``/imports/reponses/`` et de
``senacs questionnaire import``), dans un processus neuf pour que le pic de mémoire soit le sien.
Objectif : chaque bombe refusée en moins d'une seconde, pic de mémoire sous 200 Mo.

Dernière ligne (clé=valeur) : ``bombes=… refusees=… octets_max=… duree_s=… memoire_mo=…``
(``duree_s`` et ``memoire_mo`` : les plus grands des bombes).
"""

import json
import subprocess
import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent

_MESURE = """
import json, resource, sys, time
sys.path.insert(0, {racine!r})
from core import tableur
from tests.bombes import BOMBES
fabrique, extension = BOMBES[{nom!r}]
contenu = fabrique()
debut = time.perf_counter()
try:
    tableur.lire_fichier(contenu, extension)
    message = None
except tableur.FichierIllisible as e:
    message = str(e)
duree = time.perf_counter() - debut
print(json.dumps({{"octets": len(contenu), "duree": duree, "message": message,
                  "memoire": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def main() -> None:
    sys.path.insert(0, str(RACINE))
    from tests.bombes import BOMBES

    resultats = []
    for nom in BOMBES:
        sortie = subprocess.run(
            [sys.executable, "-c", _MESURE.format(racine=str(RACINE), nom=nom)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if sortie.returncode != 0:
            print(f"{nom} : le processus a échoué ({sortie.returncode})\n{sortie.stderr[-2000:]}")
            resultats.append({"octets": 0, "duree": float("inf"), "message": None, "memoire": float("inf")})
            continue
        r = json.loads(sortie.stdout.strip().splitlines()[-1])
        resultats.append(r)
        etat = f"refusée : {r['message']}" if r["message"] else "ACCEPTÉE"
        print(f"{nom:26} {r['octets']:>6} octets  {r['duree']:.4f} s  {r['memoire']:.0f} Mo  {etat}")
    refusees = sum(1 for r in resultats if r["message"])
    print(
        f"bombes={len(resultats)} refusees={refusees} octets_max={max(r['octets'] for r in resultats)} "
        f"duree_s={max(r['duree'] for r in resultats):.3f} memoire_mo={max(r['memoire'] for r in resultats):.0f}"
    )


if __name__ == "__main__":
    main()
