"""Contrôle de cohérence en lot d'une campagne.

But : évaluer toutes les règles du questionnaire (avec les réponses de l'an dernier) et les
détecteurs de valeurs suspectes sur chaque réponse déposée (soumise ou validée) d'un territoire,
enregistrer les anomalies (sans doublon : relancer met à jour, une anomalie disparue est marquée
corrigée), afficher un résumé et, sur demande, écrire les anomalies en CSV.

Usage :
    senacs controle --campagne 2025
    senacs controle --campagne 2025 --territoire 69 --out anomalies.csv
    senacs controle --campagne 2025 --territoire R:84      # une région (R:code INSEE)
    senacs controle --campagne 2025 --qualite              # rappel contre les anomalies injectées (démo)
"""

import contextlib
import sys
from collections.abc import Mapping
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import tableur
from core.controles.qualite import Signal, mesurer
from core.formats import formater_nombre
from senacs.campagnes.models import Campagne
from senacs.controles.models import Signalement
from senacs.controles.services import (
    STATUTS_CONTROLES,
    ErreurControle,
    controle_lancer,
    departements_du_territoire,
    injections_demo,
)
from senacs.exploitation.audit import operateur
from senacs.exploitation.fichiers import DossierIntrouvable, ecriture_atomique
from senacs.journal.models import Nature
from senacs.journal.services import journaliser_acces
from senacs.reponses.models import Reponse

COLONNES_CSV = ("structure", "departement", "code", "questions", "gravite", "message", "statut")


class Command(BaseCommand):
    help = "Contrôle de cohérence d'une campagne : règles du questionnaire et détecteurs de valeurs suspectes."

    def add_arguments(self, parser):
        parser.add_argument("--campagne", type=int, required=True, help="année de la campagne (ex. 2025)")
        parser.add_argument(
            "--territoire",
            default="FR",
            help="FR (défaut), une région (R:84) ou un département (69, 2A, 974)",
        )
        parser.add_argument("--out", help="fichier CSV des anomalies présentes (UTF-8)")
        parser.add_argument(
            "--qualite",
            action="store_true",
            help="mesure le rappel et les fausses alertes contre les anomalies injectées par la démonstration",
        )

    def handle(self, *args, campagne, territoire, out, qualite=False, **options):
        c = Campagne.objects.select_related("questionnaire").filter(annee=campagne).first()
        if c is None:
            raise CommandError(f"Campagne {campagne} introuvable.", returncode=2)
        try:
            departements = departements_du_territoire(territoire)
        except ErreurControle as erreur:
            raise CommandError(erreur.message, returncode=2) from erreur
        if out and out != "-" and not (Path(out).parent if str(Path(out).parent) else Path(".")).is_dir():
            raise CommandError(
                f"Le dossier de « {out} » n'existe pas : créez-le ou choisissez un autre chemin.", returncode=2
            )
        try:
            rapport = controle_lancer(campagne=c, territoire=territoire)
        except ErreurControle as erreur:
            raise CommandError(erreur.message) from erreur
        ecrire = self.stdout.write
        ecrire(f"Campagne {c.annee} (données {c.annee_donnees}), territoire {rapport.territoire}")
        ecrire(f"Réponses contrôlées : {formater_nombre(rapport.reponses, 0)}")
        ecrire(
            f"Anomalies présentes : {formater_nombre(rapport.anomalies, 0)} "
            f"(nouvelles {rapport.creees}, déjà connues {rapport.mises_a_jour}, disparues {rapport.corrigees})"
        )
        ecrire("Par gravité : " + ", ".join(f"{g} {n}" for g, n in sorted(rapport.par_gravite.items())))
        ecrire("Par code :")
        for code, n in sorted(rapport.par_code.items(), key=lambda x: (-x[1], x[0])):
            ecrire(f"  {code:<20} {n}")
        ecrire(
            f"Durée : {formater_nombre(rapport.duree_s, 2)} s (règles {formater_nombre(rapport.duree_regles_s, 2)} s, "
            f"détecteurs {formater_nombre(rapport.duree_detecteurs_s, 2)} s)"
        )
        if out:
            try:
                lignes, structures = ecrire_csv(c, departements, out)
            except DossierIntrouvable as exc:
                raise CommandError(str(exc), returncode=2) from exc
            # Les messages nomment des structures et leurs valeurs : accès aux réponses brutes, journalisé
            # une fois le fichier complet en place.
            journaliser_acces(
                None,
                structures=structures,
                campagne=c,
                nature=Nature.CONTROLE,
                detail=f"Commande controle --out ({operateur()}) — {rapport.territoire}",
            )
            ecrire(f"{lignes} anomalie(s) écrite(s) dans {out}")
        if qualite:
            self.mesurer(c, departements)

    def mesurer(self, campagne: Campagne, departements) -> None:
        plantees = injections_demo(campagne)
        if plantees is None:
            self.stdout.write("Qualité : la démonstration n'expose pas la liste de ses anomalies injectées.")
            return
        reponses = Reponse.objects.filter(campagne=campagne, statut__in=STATUTS_CONTROLES)
        signalements = Signalement.objects.filter(campagne=campagne, present=True)
        if departements is not None:
            reponses = reponses.filter(structure__departement_id__in=departements)
            signalements = signalements.filter(reponse__structure__departement_id__in=departements)
        identifiants = set(reponses.values_list("structure__identifiant", flat=True))
        plantees = [p for p in plantees if str(_champ(p, "structure")) in identifiants]
        signaux: dict[str, list[Signal]] = {}
        for identifiant, questions, gravite, code in signalements.values_list(
            "reponse__structure__identifiant", "questions", "gravite", "code"
        ):
            signaux.setdefault(identifiant, []).append(Signal(tuple(questions), gravite, code))
        q = mesurer(plantees, signaux, identifiants)
        self.stdout.write("Qualité de détection (anomalies injectées par la démonstration) :")
        for genre, (attrapees, total) in q.par_genre.items():
            self.stdout.write(f"  {genre:<30} {attrapees}/{total}")
        self.stdout.write(
            f"Rappel {q.attrapees}/{q.plantees} ({formater_nombre(100 * q.rappel, 1)} %) ; fausses alertes "
            f"{q.fausses_alertes}/{q.propres} réponses propres ({formater_nombre(100 * q.taux_fausses_alertes, 1)} %)"
        )


def _champ(element, nom: str):
    return element.get(nom) if isinstance(element, Mapping) else getattr(element, nom, None)


def ecrire_csv(campagne: Campagne, departements, chemin: str) -> tuple[int, set[int]]:
    """Écrit les anomalies présentes (fichier temporaire renommé à la fin) ; rend (lignes, structures)."""
    signalements = (
        Signalement.objects.filter(campagne=campagne, present=True)
        .select_related("reponse__structure")
        .order_by("reponse__structure__departement_id", "reponse__structure__identifiant", "code", "signature")
    )
    if departements is not None:
        signalements = signalements.filter(reponse__structure__departement_id__in=departements)
    structures: set[int] = set()
    compte = [0]

    def lignes():
        for s in signalements.iterator(chunk_size=2000):
            structure = s.reponse.structure
            structures.add(structure.pk)
            compte[0] += 1
            yield (structure.identifiant, structure.departement_id, s.code, " ".join(s.questions), s.gravite) + (
                s.message,
                s.statut,
            )

    with (
        contextlib.nullcontext(sys.stdout)
        if chemin == "-"
        else ecriture_atomique(chemin, "w", encoding="utf-8", newline="") as flux
    ):
        tableur.ecrire_csv(COLONNES_CSV, lignes(), separateur=",", flux=flux)
    return compte[0], structures
