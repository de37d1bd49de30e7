"""But : rendre la plaquette d'un territoire, ou les projets de plaquette de tous les territoires.

- ``--territoire`` : la plaquette en vigueur du territoire (la version publiée figée si elle l'est,
  sinon le projet en cours avec la mention « Projet ») écrite dans ``--out``. Territoire : ``48``,
  ``D:48``, ``R:76`` ou ``FR``.
- ``--toutes`` : un lot (une ligne par territoire : France, régions, départements) rendu en tâche de
  fond, avec une barre de progression. Un lot interrompu (panne, Ctrl-C) est repris par la même
  commande : les territoires déjà rendus ne sont pas refaits. ``--en-fond`` confie le lot au worker
  (``senacs db_worker``) et suit sa progression ; sans cette option, la commande exécute le lot
  elle-même (même code que la tâche de fond).

Code de sortie : 0 si tout est rendu, 1 si des territoires sont en échec, 2 en cas d'erreur
(campagne ou territoire inconnu…).

Usage :
    senacs plaquettes --campagne 2025 --territoire 48 --out plaquette.pdf
    senacs plaquettes --campagne 2025 --toutes
    senacs plaquettes --campagne 2025 --toutes --en-fond
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from core.formats import formater_nombre
from senacs.campagnes.models import Campagne
from senacs.exploitation.fichiers import DossierIntrouvable, ecrire_atomiquement
from senacs.publications.models import Lot, Statut, StatutLot
from senacs.publications.services import (
    ErreurPlaquette,
    fichier_publie,
    libelle_territoire,
    lot_creer_ou_reprendre,
    lot_executer,
    normaliser_territoire,
    plaquette_de,
    rendre,
)


class Command(BaseCommand):
    help = "Rend la plaquette d'un territoire (--territoire, --out) ou les projets de tous les territoires (--toutes)."

    def add_arguments(self, parser):
        parser.add_argument("--campagne", type=int, required=True, help="Année de la campagne (ex. 2025).")
        parser.add_argument("--territoire", help="Territoire : 48, D:48, R:76 ou FR.")
        parser.add_argument("--out", help="Fichier PDF à écrire (avec --territoire).")
        parser.add_argument(
            "--toutes", action="store_true", help="Tous les territoires (lot repris s'il est inachevé)."
        )
        parser.add_argument(
            "--en-fond", action="store_true", help="Avec --toutes : confier le lot au worker et suivre."
        )

    def handle(self, *args, **options):
        campagne = Campagne.objects.filter(annee=options["campagne"]).first()
        if campagne is None:
            raise CommandError(f"Campagne {options['campagne']} introuvable.", returncode=2)
        if bool(options["toutes"]) == bool(options["territoire"]):
            raise CommandError("Indiquez soit --territoire (avec --out), soit --toutes.", returncode=2)
        if options["territoire"]:
            return self._un_territoire(campagne, options["territoire"], options["out"])
        return self._toutes(campagne, en_fond=options["en_fond"])

    def _un_territoire(self, campagne, territoire: str, out: str | None):
        if not out:
            raise CommandError("Indiquez le fichier à écrire : --out plaquette.pdf", returncode=2)
        cle = normaliser_territoire(territoire)
        infos = libelle_territoire(cle) if cle else None
        if infos is None:
            raise CommandError(f"Territoire inconnu : « {territoire} » (exemples : 48, D:48, R:76, FR).", returncode=2)
        from senacs.publications.models import Plaquette

        plaquette = plaquette_de(campagne, cle) or Plaquette(campagne=campagne, cle=cle, libelle=infos[0])
        debut = time.perf_counter()
        try:
            if plaquette.statut == Statut.PUBLIEE:
                pdf, nature = fichier_publie(plaquette, "pdf"), "version publiée figée"
            else:
                pdf, _ = rendre(plaquette, html=False)
                nature = "projet"
        except ErreurPlaquette as exc:
            raise CommandError("; ".join(exc.messages), returncode=2) from exc
        try:
            ecrire_atomiquement(out, pdf)
        except DossierIntrouvable as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(
            f"Plaquette {infos[0]} {campagne.annee} ({nature}) écrite dans {out} : "
            f"{formater_nombre(len(pdf))} octets en {formater_nombre(time.perf_counter() - debut, 2)} s."
        )

    def _barre(self, faits: int, total: int, cle: str = "") -> None:
        largeur = 30
        plein = int(largeur * faits / total) if total else largeur
        pourcent = round(100 * faits / total) if total else 100
        ligne = f"\r[{'#' * plein}{'.' * (largeur - plein)}] {faits}/{total} ({pourcent} %) {cle:<8}"
        self.stdout.write(ligne, ending="")
        self.stdout.flush()

    def _toutes(self, campagne, *, en_fond: bool):
        try:
            lot, repris = lot_creer_ou_reprendre(campagne=campagne)
        except ErreurPlaquette as exc:
            raise CommandError("; ".join(exc.messages), returncode=2) from exc
        faits, _, total = lot.compte()
        if repris:
            self.stdout.write(f"Reprise du lot n° {lot.pk} : {faits} territoire(s) déjà rendu(s) sur {total}.")
        else:
            self.stdout.write(f"Lot n° {lot.pk} : {total} territoires à rendre (campagne {campagne.annee}).")
        debut = time.perf_counter()
        if en_fond:
            from senacs.publications.tasks import rendre_lot

            rendre_lot.enqueue(lot.pk)
            lot = self._suivre(lot)
        else:
            self._barre(faits, total)
            try:
                lot = lot_executer(lot, progression=self._barre)
            except ErreurPlaquette as exc:
                self.stdout.write("")
                raise CommandError("; ".join(exc.messages), returncode=2) from exc
            except KeyboardInterrupt:
                self.stdout.write("")
                raise CommandError(
                    f"Interrompu : relancez la même commande pour reprendre le lot n° {lot.pk}.", returncode=2
                ) from None
        self.stdout.write("")
        faits, echecs, total = lot.compte()
        self.stdout.write(
            f"Lot n° {lot.pk} {lot.get_statut_display().lower()} : {faits} rendu(s), {echecs} en échec, sur {total}, "
            f"en {formater_nombre(time.perf_counter() - debut, 1)} s. Fichiers : {lot.dossier}"
        )
        for ligne in lot.territoires.filter(statut="echec"):
            self.stderr.write(f"  {ligne.cle} : {ligne.erreur}")
        if echecs:
            sys.exit(1)

    def _suivre(self, lot: Lot) -> Lot:
        """Suit un lot confié au worker jusqu'à la fin (Ctrl-C arrête le suivi, pas le lot)."""
        attente = 0.0
        try:
            while True:
                lot.refresh_from_db()
                faits, _, total = lot.compte()
                self._barre(faits, total)
                if lot.statut in (StatutLot.TERMINE, StatutLot.INTERROMPU):
                    return lot
                time.sleep(0.5)
                attente += 0.5
                if attente == 30 and lot.statut == StatutLot.EN_ATTENTE:
                    self.stderr.write("\nAucun worker ne prend le lot : lancez « senacs db_worker ».")
        except KeyboardInterrupt:
            self.stdout.write("")
            raise CommandError(f"Suivi arrêté ; le lot n° {lot.pk} continue dans le worker.", returncode=0) from None
