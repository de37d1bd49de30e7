"""Temps de construction et de rendu SVG de la carte en tuiles de la France (101 départements).

Usage : ``.venv/bin/python bench/cartes.py`` ; dernière ligne : ``cle=valeur …``.
"""

import random
import time

from core.cartes import ValeurDepartement, carte
from core.graphiques import svg
from core.territoires import departements


def main() -> None:
    hasard = random.Random(7)
    valeurs = [
        ValeurDepartement(d.code, None, "secret", 2)
        if hasard.random() < 0.15
        else ValeurDepartement(d.code, hasard.uniform(10, 90), "publie", hasard.randint(3, 120))
        for d in departements()
    ]
    debut = time.perf_counter()
    resultat = carte(valeurs, titre="Banc d'essai", unite="%")
    construction = time.perf_counter() - debut
    debut = time.perf_counter()
    rendu = svg(resultat.spec)
    premier = time.perf_counter() - debut
    tours = 5
    debut = time.perf_counter()
    for i in range(tours):
        svg(carte(valeurs, titre=f"Banc d'essai {i}", unite="%").spec)  # titre différent : pas de cache
    moyen = (time.perf_counter() - debut) / tours
    print(
        f"departements={len(resultat.lignes)} construction_ms={construction * 1000:.1f} "
        f"premier_rendu_ms={premier * 1000:.0f} rendu_moyen_ms={moyen * 1000:.0f} svg_ko={len(rendu) / 1024:.0f}"
    )


if __name__ == "__main__":
    main()
