"""Mesure : calcul et protection d'analyses thématiques sur une région synthétique.

Usage : ``.venv/bin/python bench/analyses.py [--graine 7] [--structures 600]``

Région de 12 départements (tailles de 3 à 120 structures), gestionnaires partagés pour ≈ 10 % des
structures, budgets log-normaux. Le « fond » est ce que publie une diffusion : le total de la région
et de chaque département. On mesure trois analyses : ventilation par département × mode de gestion,
par type × QPV, et la même filtrée (tout sauf l'associatif), puis l'audit du registre qui les réunit.

Dernière ligne (clé=valeur) :
``departement_gestion_s=… type_qpv_s=… filtre_s=… audit_registre_s=… cellules=… masquees=… exposees=…``
"""

import argparse
import random
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.analyses.calcul import calculer  # noqa: E402
from core.analyses.modele import DIMENSIONS, DefinitionAnalyse, Indicateur, dimension_territoire  # noqa: E402
from core.analyses.protection import GRANDEUR, Contribution, Regles, examiner  # noqa: E402

BUDGET = Indicateur("budget", "Budget total", "F04", "somme", "euros")


def region(graine: int, n: int) -> pl.DataFrame:
    alea = random.Random(graine)
    tailles = [3, 5, 8, 12, 20, 30, 45, 60, 80, 100, 110, 120]
    poids = [t / sum(tailles) for t in tailles]
    lignes = []
    for i in range(n):
        dep = alea.choices(range(12), poids)[0]
        partage = alea.random() < 0.1
        lignes.append(
            {
                "structure": i,
                "gestionnaire": f"P{i % 17}" if partage else f"G{i}",
                "campagne": 2025,
                "departement": f"{dep + 1:02d}",
                "territoire": f"{dep + 1:02d}",
                "type": "CS" if alea.random() < 0.6 else "EVS",
                "gestion": alea.choices(["associative", "municipale", "caf", "autre"], [0.7, 0.2, 0.05, 0.05])[0],
                "qpv": "oui" if alea.random() < 0.35 else "non",
                "urbain_rural": "urbain",
                "taille": "moyenne",
                "federation": "oui",
                "valeur": round(alea.lognormvariate(12.5, 0.8)),
            }
        )
    return pl.DataFrame(lignes)


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--graine", type=int, default=7)
    args.add_argument("--structures", type=int, default=600)
    o = args.parse_args()
    m = region(o.graine, o.structures)
    dims = dict(DIMENSIONS)
    dims["territoire"] = dimension_territoire([(f"{d:02d}", f"Département {d:02d}") for d in range(1, 13)])
    fond = [frozenset(m["structure"].to_list())] + [
        frozenset(m.filter(pl.col("departement") == f"{d:02d}")["structure"].to_list()) for d in range(1, 13)
    ]
    regles = Regles()
    mesures, liberees, cellules, masquees = {}, [], 0, 0
    for nom, d in (
        ("departement_gestion_s", DefinitionAnalyse("budget", "R:84", ("territoire", "gestion"))),
        ("type_qpv_s", DefinitionAnalyse("budget", "R:84", ("type", "qpv"))),
        ("filtre_s", DefinitionAnalyse("budget", "R:84", ("type",), (("gestion", ("autre", "caf", "municipale")),))),
    ):
        debut = time.perf_counter()
        calc = calculer(
            m, d, BUDGET, dims, regles, fond={2025: fond}, registre={2025: [x.structures for x in liberees]}
        )
        mesures[nom] = time.perf_counter() - debut
        liberees += calc.liberations
        cellules += len(calc.resultat.cellules)
        masquees += sum(c.masquee for c in calc.resultat.cellules)
    contributions = {
        s: Contribution(g, float(v)) for s, g, v in m.select("structure", "gestionnaire", "valeur").iter_rows()
    }
    debut = time.perf_counter()
    examen = examiner(fond + [x.structures for x in liberees], contributions, GRANDEUR, regles)
    mesures["audit_registre_s"] = time.perf_counter() - debut
    print(
        " ".join(f"{k}={v:.2f}" for k, v in mesures.items())
        + f" cellules={cellules} masquees={masquees} exposees={len(examen.exposes)}"
    )


if __name__ == "__main__":
    main()
