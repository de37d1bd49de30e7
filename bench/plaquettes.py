"""Mesure : génération des plaquettes (contenu + PDF/UA) sur la base de démonstration.

Usage : ``SENACS_VAR_DIR=… .venv/bin/python bench/plaquettes.py [--campagne 2025] [--territoire D:69]
[--limite N]``

- ``une_s`` : temps à chaud d'une plaquette départementale re-rendue (contenu relu dans les agrégats, mis en
  forme, graphiques, puis PDF), après un premier rendu qui charge les diffusions et les polices ;
- ``toutes_s`` : contenu + PDF de chaque territoire de ``territoires_plaquettes`` (France, régions,
  départements), à la suite, dans le même processus (caches des diffusions et du compilateur partagés,
  graphiques recalculés pour chaque territoire) ;
- ``toutes_cpu_s`` : temps processeur de la même boucle (vl-convert et Typst compris : ils tournent dans
  le processus) ; sur une machine chargée par d'autres processus, il mesure le travail réel mieux que
  l'horloge ;
- ``plancher_s`` : compilation Typst seule du même document, avec les données déjà préparées (JSON et
  SVG précalculés) : le coût incompressible du rendu ; ``ratio`` = ``une_s`` ÷ ``plancher_s``.

Cibles : une plaquette en moins de 0,5 s à chaud, tous les territoires en moins de 60 s.

Dernière ligne (clé=valeur) :
``une_s=… toutes_s=… toutes_cpu_s=… territoires=… plancher_s=… ratio=… pages=… premier_s=…
mediane_territoire_s=… processus=… charge=…`` (``mediane_territoire_s`` : médiane, dans la boucle de tous
les territoires, du temps d'une plaquette dont les graphiques ne sont pas en cache)

``--processus 2`` répartit « tous les territoires » sur deux processus (chacun lit les diffusions une
fois) : c'est ce que peut faire une génération en lot sur une machine à deux cœurs.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _lot(args: tuple[int, list[str], dict[str, str]]) -> tuple[float, float]:
    """Processus de travail (``--processus N``) : contenu + PDF des territoires reçus ; (horloge, processeur)."""
    annee, cles, textes = args
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from core.plaquette.rendu import rendre_pdf
    from senacs.campagnes.models import Campagne
    from senacs.publications.contenu import contenu_plaquette

    campagne = Campagne.objects.get(annee=annee)
    t, cpu = time.perf_counter(), time.process_time()
    for cle in cles:
        rendre_pdf(contenu_plaquette(campagne=campagne, cle=cle, textes=textes))
    return time.perf_counter() - t, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campagne", type=int, default=2025)
    parser.add_argument("--territoire", default="D:69")
    parser.add_argument("--limite", type=int, default=0, help="ne rendre que les N premiers territoires")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument(
        "--processus", type=int, default=1, help="répartir « tous les territoires » sur N processus (2 cœurs : 2)"
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from pypdf import PdfReader

    from core.plaquette.rendu import compiler, donnees_typst, rendre_pdf
    from senacs.campagnes.models import Campagne
    from senacs.publications.contenu import contenu_plaquette, territoires_plaquettes

    campagne = Campagne.objects.get(annee=args.campagne)
    textes = {
        "edito": "La Caf et la fédération des centres sociaux présentent **les chiffres clés** de l'année.",
        "finances": "Les financements restent *diversifiés*.",
    }

    t0 = time.perf_counter()
    contenu = contenu_plaquette(campagne=campagne, cle=args.territoire, textes=textes)
    pdf = rendre_pdf(contenu)
    premier_s = time.perf_counter() - t0
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"premier rendu (lecture des diffusions, polices) : {premier_s:.2f} s, {pages} pages, {len(pdf)} octets")

    durees = []
    for _ in range(args.repetitions):
        t = time.perf_counter()
        contenu = contenu_plaquette(campagne=campagne, cle=args.territoire, textes=textes)
        rendre_pdf(contenu)
        durees.append(time.perf_counter() - t)
    une_s = statistics.median(durees)
    print(f"{args.territoire} à chaud : médiane {une_s:.3f} s sur {args.repetitions} rendus")

    donnees = donnees_typst(contenu)
    planchers = []
    for _ in range(args.repetitions):
        t = time.perf_counter()
        compiler(donnees)
        planchers.append(time.perf_counter() - t)
    plancher_s = statistics.median(planchers)
    print(f"compilation Typst seule (données précalculées) : médiane {plancher_s:.3f} s")

    cles = territoires_plaquettes(campagne)
    if args.limite:
        cles = cles[: args.limite]
    t, cpu = time.perf_counter(), time.process_time()
    lents = []
    if args.processus > 1:
        import multiprocessing

        parts = [(args.campagne, cles[i :: args.processus], textes) for i in range(args.processus)]
        with multiprocessing.get_context("spawn").Pool(args.processus) as pool:
            resultats = pool.map(_lot, parts)
        toutes_s = time.perf_counter() - t
        toutes_cpu_s = sum(r[1] for r in resultats)
        print(
            f"  {args.processus} processus : " + ", ".join(f"{h:.1f} s (processeur {c:.1f} s)" for h, c in resultats)
        )
    else:
        for i, cle in enumerate(cles, 1):
            tc = time.perf_counter()
            rendre_pdf(contenu_plaquette(campagne=campagne, cle=cle, textes=textes))
            lents.append((time.perf_counter() - tc, cle))
            if i % 20 == 0:
                print(f"  {i}/{len(cles)} territoires en {time.perf_counter() - t:.1f} s", flush=True)
        toutes_s = time.perf_counter() - t
        toutes_cpu_s = time.process_time() - cpu
    # Un territoire dans la boucle : graphiques calculés pour lui (pas de cache), diffusions déjà lues.
    mediane_territoire_s = statistics.median(d for d, _ in lents) if lents else toutes_s / max(len(cles), 1)
    lents.sort(reverse=True)
    print(
        f"tous les territoires : {len(cles)} en {toutes_s:.1f} s"
        + (" ; plus lents : " + ", ".join(f"{c} {d:.2f} s" for d, c in lents[:3]) if lents else "")
    )
    print(
        f"une_s={une_s:.3f} toutes_s={toutes_s:.1f} toutes_cpu_s={toutes_cpu_s:.1f} territoires={len(cles)} "
        f"plancher_s={plancher_s:.3f} ratio={une_s / plancher_s:.1f} pages={pages} premier_s={premier_s:.2f} "
        f"mediane_territoire_s={mediane_territoire_s:.3f} "
        f"processus={args.processus} charge={os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
