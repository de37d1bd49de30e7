"""Mesure : statistiques, secret primaire + secondaire et audit d'une campagne nationale synthétique.

Usage : ``.venv/bin/python bench/stats.py [--graine 2025] [--csv chemin]``

``--demo [--campagne 2025]`` : les mêmes mesures sur une campagne de la base de démonstration
(réponses déposées, instantanés, questions et relations de ``senacs.statistiques.selectors``) ; la
base est celle des réglages Django (``SENACS_VAR_DIR=… .venv/bin/python bench/stats.py --demo``).

La campagne est générée ici même, de façon déterministe : ≈ 4 070 structures (≈ 2 380 CS et 1 690
EVS) dans les 101 départements (codes INSEE réels de ``core.territoires``), dont quelques
départements de 1 à 5 structures, des zones dans 3 départements, ≈ 60 questions numériques (dont le
budget F04 et ses lignes de financement F06–F20), ≈ 40 questions à choix ou oui/non ; montants
log-normaux ; ≈ 10 % des structures partagent leur gestionnaire. On mesure aussi un simple
``group_by`` polars qui calcule les mêmes statistiques sans protection, pour situer le coût.

Dernière ligne (clé=valeur) :
``stats_s=… suppression_s=… audit_s=… polars_nu_s=… ratio=… pic_memoire_mo=… cellules=… secretes=… exposees=…``
"""

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.secret import Politique, auditer, proteger  # noqa: E402
from core.stats import QuestionStat, Relation, Territoires, calculer_statistiques, vers_csv_ouvert  # noqa: E402
from core.territoires import departements  # noqa: E402

PETITS = {"976": 1, "975": 0, "973": 3, "48": 4, "2A": 2, "23": 5}
ZONES = {"69": 4, "59": 5, "35": 3}
N_CS, N_EVS = 2380, 1690
TAUX_REPONSE = 0.9


def generer(graine: int = 2025):
    rng = np.random.default_rng(graine)
    deps = departements()
    codes = [d.code for d in deps]
    region_de = {d.code: d.code_region for d in deps}
    n_total = N_CS + N_EVS
    fixes = {c: n for c, n in PETITS.items() if c in region_de}
    autres = [c for c in codes if c not in fixes]
    poids = rng.lognormal(0.0, 0.6, len(autres))
    reste = n_total - sum(fixes.values())
    effectifs = np.maximum(6, np.round(poids / poids.sum() * reste)).astype(int)
    effectifs[np.argmax(effectifs)] += reste - effectifs.sum()
    par_dep = dict(zip(autres, effectifs, strict=True)) | fixes
    dep = np.repeat(list(par_dep), list(par_dep.values()))
    n = dep.shape[0]
    types = np.where(rng.random(n) < N_CS / n_total, "CS", "EVS")
    zone = np.full(n, None, dtype=object)
    for d, k in ZONES.items():
        idx = np.flatnonzero(dep == d)
        noms = [f"{d}-Z{i}" for i in range(1, k)] + [f"{d}-R"]
        zone[idx] = rng.choice(noms, idx.shape[0])
    # Gestionnaires : ≈ 10 % des structures partagent le leur (une commune, une Caf…) dans leur département.
    gestionnaire = np.array([f"asso-{i}" for i in range(n)], dtype=object)
    partages = rng.choice(n, int(0.10 * n), replace=False)
    for d in np.unique(dep[partages]):
        idx = partages[dep[partages] == d]
        for k, i in enumerate(idx):
            gestionnaire[i] = f"commune-{d}-{k // 3}"
    attendus = pl.DataFrame(
        {
            "structure": np.arange(1, n + 1, dtype=np.int64),
            "type": types,
            "departement": dep,
            "region": [region_de[d] for d in dep],
            "zone": pl.Series(zone.tolist(), dtype=pl.Utf8),
        }
    )
    repond = rng.random(n) < TAUX_REPONSE
    repond[np.isin(dep, ["976", "973"])] = True
    micro = attendus.filter(pl.Series(repond)).with_columns(
        gestionnaire=pl.Series(gestionnaire[repond].tolist(), dtype=pl.Utf8)
    )
    m = micro.height
    est_cs = (micro["type"] == "CS").to_numpy()
    colonnes: dict[str, pl.Series] = {}
    questions: list[QuestionStat] = []

    def manquants(valeurs: np.ndarray, taux: float) -> list:
        masque = rng.random(m) < taux
        return [None if mk else v for v, mk in zip(valeurs.tolist(), masque, strict=True)]

    # Budget F04 et lignes de financement F06–F20 (F04 = Σ lignes pour chaque structure).
    budget = np.where(est_cs, rng.lognormal(np.log(600_000), 0.6, m), rng.lognormal(np.log(80_000), 0.8, m))
    lignes = [f"F{i:02d}" for i in range(6, 21)]
    actives = rng.random((m, len(lignes))) < 0.45
    actives[:, 0] = True  # prestation de service Caf, toujours présente
    parts = rng.dirichlet(np.ones(len(lignes)) * 0.7, m) * actives
    parts = parts / parts.sum(axis=1, keepdims=True)
    montants = np.round(parts * budget[:, None], 2)
    budget = montants.sum(axis=1)
    sans_budget = rng.random(m) < 0.04
    for j, code in enumerate(lignes):
        colonnes[code] = pl.Series([None if s else float(v) for v, s in zip(montants[:, j], sans_budget, strict=True)])
        questions.append(QuestionStat(code, "nombre", libelle=f"Financement {code}"))
    colonnes["F04"] = pl.Series([None if s else float(v) for v, s in zip(budget, sans_budget, strict=True)])
    questions.insert(0, QuestionStat("F04", "nombre", libelle="Budget total"))
    # 44 autres grandeurs : ETP, bénévoles, personnes accueillies, heures…
    for i in range(44):
        echelle = rng.choice([5.0, 40.0, 300.0, 5000.0])
        valeurs = np.round(rng.lognormal(np.log(echelle), 0.9, m) * np.where(est_cs, 1.0, 0.4), 1)
        valeurs[rng.random(m) < 0.15] = 0.0
        colonnes[f"N{i:02d}"] = pl.Series(manquants(valeurs, 0.08), dtype=pl.Float64)
        questions.append(QuestionStat(f"N{i:02d}", "nombre", libelle=f"Grandeur {i}"))
    # 15 choix uniques, 15 oui/non, 10 choix multiples ; quelques questions sensibles.
    for i in range(15):
        k = int(rng.integers(3, 7))
        mods = tuple(f"m{j}" for j in range(1, k + 1))
        p = rng.dirichlet(np.ones(k) * 1.5)
        colonnes[f"U{i:02d}"] = pl.Series(manquants(rng.choice(mods, m, p=p), 0.05), dtype=pl.Utf8)
        questions.append(QuestionStat(f"U{i:02d}", "choix_unique", mods, sensible=i < 3))
    for i in range(15):
        p = rng.uniform(0.05, 0.95)
        colonnes[f"O{i:02d}"] = pl.Series(manquants(rng.random(m) < p, 0.05), dtype=pl.Boolean)
        questions.append(QuestionStat(f"O{i:02d}", "oui_non", ("oui", "non"), sensible=i < 2))
    for i in range(10):
        k = int(rng.integers(4, 9))
        mods = [f"c{j}" for j in range(1, k + 1)]
        p = rng.uniform(0.05, 0.7, k)
        choix = rng.random((m, k)) < p
        valeurs = [[mods[j] for j in np.flatnonzero(ligne)] for ligne in choix]
        colonnes[f"M{i:02d}"] = pl.Series(manquants(np.array(valeurs, dtype=object), 0.05), dtype=pl.List(pl.Utf8))
        questions.append(QuestionStat(f"M{i:02d}", "choix_multiple", tuple(mods), sensible=i < 1))
    micro = micro.with_columns(**colonnes)
    zones = {d: tuple([f"{d}-Z{i}" for i in range(1, k)] + [f"{d}-R"]) for d, k in ZONES.items()}
    territoires = Territoires.depuis_donnees(attendus, micro, zones)
    relations = [Relation(total="F04", composantes=tuple(lignes))]
    return micro, attendus, questions, relations, territoires


def polars_nu(micro: pl.DataFrame, questions: list[QuestionStat]) -> pl.DataFrame:
    """Les mêmes statistiques, sans protection ni grille complète : un group_by « nu »."""
    base = micro.select("structure", "type", "region", "departement", "zone")
    grp = pl.concat(
        [
            base.select("structure", "type", niveau=pl.lit("nation"), territoire=pl.lit("FR")),
            base.select("structure", "type", niveau=pl.lit("region"), territoire="region"),
            base.select("structure", "type", niveau=pl.lit("departement"), territoire="departement"),
            base.drop_nulls("zone").select("structure", "type", niveau=pl.lit("zone"), territoire="zone"),
        ]
    )
    grp = grp.with_columns(public=pl.concat_list("type", pl.lit("ensemble"))).explode("public").drop("type")
    nombres = [q.code for q in questions if q.est_nombre]
    num = micro.select("structure", *nombres).unpivot(index="structure", variable_name="question", value_name="v")
    num = num.drop_nulls("v").join(grp, on="structure")
    k = ["niveau", "territoire", "public", "question"]
    s_num = num.group_by(k).agg(
        n=pl.len(),
        somme=pl.col("v").sum(),
        moyenne=pl.col("v").mean(),
        mediane=pl.col("v").median(),
        q1=pl.col("v").quantile(0.25, "linear"),
        q3=pl.col("v").quantile(0.75, "linear"),
    )
    morceaux = []
    for q in questions:
        if q.nature == "choix_unique":
            morceaux.append(micro.select("structure", question=pl.lit(q.code), modalite=pl.col(q.code)))
        elif q.nature == "oui_non":
            morceaux.append(
                micro.select(
                    "structure",
                    question=pl.lit(q.code),
                    modalite=pl.when(pl.col(q.code)).then(pl.lit("oui")).when(~pl.col(q.code)).then(pl.lit("non")),
                )
            )
        elif q.nature == "choix_multiple":
            morceaux.append(
                micro.select("structure", question=pl.lit(q.code), modalite=pl.col(q.code)).explode("modalite")
            )
    choix = pl.concat(morceaux).drop_nulls("modalite").join(grp, on="structure")
    s_choix = choix.group_by([*k, "modalite"]).agg(effectif=pl.len())
    return pl.concat(
        [s_num.with_columns(pl.col("n").cast(pl.Float64)).unpivot(index=k), s_choix.unpivot(index=[*k, "modalite"])],
        how="diagonal_relaxed",
    )


def charger_demo(annee: int):
    """Entrées du cœur pour une campagne de la base de démonstration (mêmes choix que la diffusion)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from senacs.campagnes.models import Campagne
    from senacs.statistiques.selectors import donnees_campagne

    campagne = Campagne.objects.filter(annee=annee).select_related("questionnaire").first()
    if campagne is None or campagne.questionnaire_id is None:
        raise SystemExit(f"Campagne {annee} introuvable (ou sans questionnaire) dans la base de démonstration.")
    t0 = time.perf_counter()
    d = donnees_campagne(campagne)
    print(f"lecture de la base : {time.perf_counter() - t0:.2f} s")
    return d.microdonnees, d.attendus, d.questions, d.relations, d.territoires, d.internes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graine", type=int, default=2025)
    parser.add_argument("--demo", action="store_true", help="mesurer une campagne de la base de démonstration")
    parser.add_argument("--campagne", type=int, default=2025, help="année de la campagne (avec --demo)")
    parser.add_argument("--csv", type=Path, default=None, help="écrit aussi le CSV open data")
    parser.add_argument("--tracemalloc", action="store_true", help="mesure aussi le pic Python (plus lent)")
    args = parser.parse_args()
    internes: frozenset[str] = frozenset()
    if args.demo:
        micro, attendus, questions, relations, territoires, internes = charger_demo(args.campagne)
    else:
        micro, attendus, questions, relations, territoires = generer(args.graine)
    n_zones = sum(len(z) for z in territoires.zones.values())
    print(
        f"campagne {'de démonstration ' + str(args.campagne) if args.demo else 'synthétique'} : "
        f"{attendus.height} attendues, {micro.height} répondantes, "
        f"{len(questions)} questions, {len(territoires.regions)} régions, "
        f"{sum(len(d) for d in territoires.regions.values())} départements, {n_zones} zones"
    )
    if args.tracemalloc:
        tracemalloc.start()
    politique = Politique()

    t0 = time.perf_counter()
    cellules = calculer_statistiques(micro, attendus, questions, campagne="2025", territoires=territoires)
    stats_s = time.perf_counter() - t0
    print(f"statistiques : {cellules.height} cellules en {stats_s:.2f} s")

    bornes = None
    if internes:  # total interne connu de tous (répartition par âge) : comme la diffusion
        from senacs.statistiques.services import _bornes, _neutraliser_internes

        cellules = _neutraliser_internes(cellules, internes)
        bornes = _bornes(cellules, internes)

    t0 = time.perf_counter()
    resultat = proteger(cellules, questions, relations, politique, bornes=bornes)
    suppression_s = time.perf_counter() - t0
    protegees = resultat.cellules
    secretes = int((protegees["statut"] == "secret").sum())
    print(
        f"secret : {resultat.primaires} primaires, {resultat.secondaires} secondaires (sommes et effectifs), "
        f"{secretes} cellules secrètes au total, {resultat.tours} tour(s), {resultat.programmes} programmes "
        f"linéaires, {suppression_s:.2f} s"
    )

    t0 = time.perf_counter()
    rapport = auditer(protegees, questions, relations, politique, bornes=bornes)
    audit_s = time.perf_counter() - t0
    print(rapport.resume())

    t0 = time.perf_counter()
    nu = polars_nu(micro, questions)
    polars_nu_s = time.perf_counter() - t0
    print(f"group_by polars nu : {nu.height} valeurs en {polars_nu_s:.2f} s")

    if args.csv:
        lignes = vers_csv_ouvert(protegees, args.csv)
        print(f"CSV open data : {lignes} lignes dans {args.csv}")
    pic_mo = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.tracemalloc:
        _, pic_py = tracemalloc.get_traced_memory()
        print(f"pic Python (tracemalloc) : {pic_py / 2**20:.0f} Mo")
    print(
        f"stats_s={stats_s:.2f} suppression_s={suppression_s:.2f} audit_s={audit_s:.2f} "
        f"polars_nu_s={polars_nu_s:.2f} ratio={stats_s / polars_nu_s:.1f} pic_memoire_mo={pic_mo:.0f} "
        f"cellules={protegees.height} secretes={secretes} exposees={rapport.exposees.height}"
    )


if __name__ == "__main__":
    main()
