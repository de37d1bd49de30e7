"""Mesure : évaluation des règles d'un questionnaire sur les réponses d'une campagne (Python pur).

Usage : ``.venv/bin/python bench/evaluation.py [--graine 2026] [--taille 0.2] [--campagne 2025]``

Tire un jeu de démonstration (``core.demo``, ``--taille`` du jeu complet), puis évalue chaque réponse
de la campagne avec ``core.questionnaire.evaluation.anomalies`` (questions obligatoires, bornes,
contraintes, règles globales, comparaison à la réponse de l'année précédente). La première évaluation
compile les expressions : elle est faite avant la mesure. Objectif : moins de 10 ms par réponse, soit
les ≈ 4 000 réponses d'une campagne nationale en quelques secondes.

Dernière ligne (clé=valeur) : ``reponses=… duree_s=… par_reponse_ms=… anomalies=…``
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.demo import generer_donnees_demo  # noqa: E402
from core.demo.reponses import charger_questionnaires  # noqa: E402
from core.questionnaire.evaluation import anomalies  # noqa: E402


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--graine", type=int, default=2026)
    args.add_argument("--taille", type=float, default=0.2)
    args.add_argument("--campagne", type=int, default=2025)
    args = args.parse_args()

    questionnaires = charger_questionnaires()
    donnees = generer_donnees_demo(args.graine, taille=args.taille, questionnaires=questionnaires)
    questionnaire = questionnaires[args.campagne]
    structures = {s.identifiant: s for s in donnees.structures}
    valeurs = {(r.campagne, r.structure): r.valeurs for r in donnees.reponses}
    cas = [
        (r.valeurs, valeurs.get((r.campagne - 1, r.structure)), structures[r.structure])
        for r in donnees.reponses
        if r.campagne == args.campagne
    ]
    if not cas:
        sys.exit(f"Aucune réponse pour la campagne {args.campagne}.")
    premiere, precedentes, structure = cas[0]
    anomalies(questionnaire, premiere, precedentes, public=structure.type, departement=structure.departement)

    debut = time.perf_counter()
    trouvees = 0
    for v, precedentes, structure in cas:
        trouvees += len(
            anomalies(questionnaire, v, precedentes, public=structure.type, departement=structure.departement)
        )
    duree = time.perf_counter() - debut
    par_reponse_ms = duree / len(cas) * 1000
    print(f"{len(cas)} réponses de {args.campagne} évaluées en {duree:.2f} s ({par_reponse_ms:.2f} ms par réponse)")
    print(f"reponses={len(cas)} duree_s={duree:.2f} par_reponse_ms={par_reponse_ms:.2f} anomalies={trouvees}")


if __name__ == "__main__":
    main()
