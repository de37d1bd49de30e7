"""Mesure : contrôle de cohérence en lot de toute la campagne nationale 2025 de la démonstration.

Usage : ``.venv/bin/python bench/checks.py [--graine 2026] [--campagne 2025] [--erreurs 0.03]``

Charge la démonstration dans une base SQLite neuve (dossier temporaire), rattache les questionnaires
du dépôt aux campagnes, puis lance ``controle_lancer`` (règles du questionnaire + détecteurs) sur
toutes les réponses déposées de la campagne, deux fois (la seconde mesure un contrôle qui met à jour
des anomalies déjà connues). Objectif : moins de 30 s pour la campagne nationale.

Deux modes, affichés :

- ``demo`` : les réponses de la démonstration sont complètes ; la qualité de détection est mesurée
  contre la liste des anomalies injectées par la démonstration quand elle l'expose ;
- ``synthetique`` : la démonstration n'a encore que les réponses d'identité (A01–A26) ; les réponses
  des campagnes N et N−1 sont remplacées par des réponses synthétiques complètes
  (``core.controles.synthese``) avec ``--erreurs`` (3 %) d'erreurs plantées, contre lesquelles le
  rappel et le taux de fausses alertes sont mesurés.

Dernière ligne (clé=valeur) :
``mode=… reponses=… duree_s=… reponses_par_s=… anomalies=… duree_relance_s=… rappel=… fausses_alertes=…``
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent


def _remplacer_par_synthese(campagne, precedente, graine: int, part_erreurs: float):
    """Réponses complètes synthétiques pour les structures de la démonstration (même identifiant, type,
    département, territoire, mode de gestion) : campagne N (avec erreurs plantées) et N−1."""
    from core.controles.synthese import GENRES, StructureSynthetique, generer_pour
    from senacs.reponses.models import Reponse

    reponses = list(Reponse.objects.filter(campagne=campagne).select_related("structure"))
    structures = [
        StructureSynthetique(
            r.structure.identifiant,
            r.structure.type,
            r.structure.departement_id,
            r.structure.type_territoire,
            r.structure.mode_gestion,
        )
        for r in reponses
    ]
    par_genre = round(part_erreurs * len(structures) / len(GENRES))
    jeu = generer_pour(
        structures, graine, annee_donnees=campagne.annee_donnees, erreurs=dict.fromkeys(GENRES, par_genre)
    )
    par_identifiant = {r.structure.identifiant: r for r in jeu.reponses}
    for r in reponses:
        r.valeurs = par_identifiant[r.structure.identifiant].valeurs
    Reponse.objects.bulk_update(reponses, ["valeurs"], batch_size=500)
    anciennes = list(Reponse.objects.filter(campagne=precedente).select_related("structure"))
    for r in anciennes:
        synthese = par_identifiant.get(r.structure.identifiant)
        r.valeurs = synthese.precedentes if synthese is not None and synthese.precedentes else r.valeurs
    Reponse.objects.bulk_update(anciennes, ["valeurs"], batch_size=500)
    return jeu.plantees


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graine", type=int, default=2026)
    parser.add_argument("--campagne", type=int, default=2025)
    parser.add_argument("--erreurs", type=float, default=0.03, help="part d'erreurs plantées (mode synthétique)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="senacs-bench-controles-") as dossier:
        os.environ["SENACS_VAR_DIR"] = dossier
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
        os.environ.pop("DATABASE_URL", None)
        sys.path.insert(0, str(RACINE))

        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from core.controles.qualite import Signal, mesurer
        from core.demo import generer_donnees_demo
        from senacs.campagnes.models import Campagne
        from senacs.controles.models import Signalement
        from senacs.controles.services import controle_lancer, injections_demo
        from senacs.demo.services import demo_inserer
        from senacs.questionnaires.services import questionnaires_charger
        from senacs.reponses.models import Reponse

        call_command("migrate", interactive=False, verbosity=0)
        debut = time.perf_counter()
        donnees = generer_donnees_demo(args.graine)
        demo_inserer(donnees)
        questionnaires_charger()
        chargement_s = time.perf_counter() - debut

        campagne = Campagne.objects.select_related("questionnaire").get(annee=args.campagne)
        precedente = Campagne.objects.get(annee=args.campagne - 1)
        deposees = Reponse.objects.filter(campagne=campagne, statut__in=("soumise", "validee"))
        completes = sum(1 for v in deposees.values_list("valeurs", flat=True) if "F04" in v)
        if completes >= 0.5 * deposees.count():
            mode = "demo"
            injectees = getattr(donnees, "anomalies_injectees", None)
            if injectees is not None:
                plantees = [a for a in injectees if getattr(a, "campagne", campagne.annee) == campagne.annee]
            else:
                plantees = injections_demo(campagne)
        else:
            mode = "synthetique"
            plantees = _remplacer_par_synthese(campagne, precedente, args.graine, args.erreurs)

        rapport = controle_lancer(campagne=campagne)
        relance = controle_lancer(campagne=campagne)

        qualite = None
        if plantees is not None:
            signaux: dict[str, list[Signal]] = {}
            lignes = Signalement.objects.filter(campagne=campagne, present=True).values_list(
                "reponse__structure__identifiant", "questions", "gravite", "code"
            )
            for identifiant, questions, gravite, code in lignes:
                signaux.setdefault(identifiant, []).append(Signal(tuple(questions), gravite, code))
            identifiants = deposees.values_list("structure__identifiant", flat=True)
            qualite = mesurer(plantees, signaux, identifiants)
        connections.close_all()

    print(f"Mode : {mode} ; graine {args.graine} ; chargement de la démonstration {chargement_s:.1f} s")
    print(
        f"Contrôle : {rapport.reponses} réponses en {rapport.duree_s:.2f} s (règles {rapport.duree_regles_s:.2f} s, "
        f"détecteurs {rapport.duree_detecteurs_s:.2f} s) ; second passage {relance.duree_s:.2f} s"
    )
    print("Anomalies par gravité : " + ", ".join(f"{g} {n}" for g, n in sorted(rapport.par_gravite.items())))
    print("Anomalies par code (10 premiers) : " + ", ".join(f"{c} {n}" for c, n in rapport.par_code.most_common(10)))
    fin = ""
    if qualite is not None:
        for genre, (attrapees, total) in qualite.par_genre.items():
            print(f"  {genre:<28} {attrapees}/{total}")
        print(
            f"Rappel {qualite.attrapees}/{qualite.plantees} ; fausses alertes {qualite.fausses_alertes}/"
            f"{qualite.propres} réponses propres"
        )
        fin = f" rappel={qualite.rappel:.3f} fausses_alertes={qualite.taux_fausses_alertes:.3f}"
    else:
        print("Qualité de détection : la démonstration n'expose pas (encore) la liste de ses anomalies injectées.")
    print(
        f"mode={mode} reponses={rapport.reponses} duree_s={rapport.duree_s:.2f} "
        f"reponses_par_s={rapport.reponses / rapport.duree_s:.0f} anomalies={rapport.anomalies} "
        f"duree_relance_s={relance.duree_s:.2f}{fin}"
    )


if __name__ == "__main__":
    main()
