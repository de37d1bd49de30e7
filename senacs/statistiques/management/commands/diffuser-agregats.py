"""But : figer la diffusion des agrégats protégés d'une campagne (tableaux, open data, plaquettes).

Calcule les statistiques des réponses déposées (instantanés), applique le secret statistique
(primaire et secondaire, motif des diffusions précédentes gelé), audite, puis fige le résultat
(fichier + empreinte SHA-256). Refusé avant la phase d'analyse, et si l'audit échoue.

Simulation par défaut (rien n'est figé) ; ``--appliquer`` pour diffuser.

Usage :
    senacs diffuser-agregats --campagne 2025               # simulation : bilan et audit
    senacs diffuser-agregats --campagne 2025 --appliquer --motif "Première diffusion"
"""

from django.core.management.base import BaseCommand, CommandError

from core.formats import formater_nombre
from senacs.campagnes.models import Campagne
from senacs.statistiques.services import ErreurPublication, calculer_diffusion, diffusion_publier


class Command(BaseCommand):
    help = "Calcule, protège, audite et fige les agrégats d'une campagne (simulation sans --appliquer)."

    def add_arguments(self, parser):
        parser.add_argument("--campagne", type=int, required=True, help="Année de la campagne (ex. 2025).")
        parser.add_argument("--appliquer", action="store_true", help="Figer la diffusion (sinon : simulation).")
        parser.add_argument("--motif", default="", help="Motif de la diffusion (noté avec elle).")

    def handle(self, *args, **options):
        campagne = Campagne.objects.filter(annee=options["campagne"]).first()
        if campagne is None:
            raise CommandError(f"Campagne {options['campagne']} introuvable.", returncode=2)
        try:
            if not options["appliquer"]:
                calcul = calculer_diffusion(campagne)
                self.stdout.write(
                    f"Simulation : {formater_nombre(calcul.cellules.height)} cellules, "
                    f"{formater_nombre(calcul.primaires)} masquées par les règles primaires, "
                    f"{formater_nombre(calcul.secondaires)} en complément."
                )
                self.stdout.write(calcul.rapport.resume())
                self.stdout.write("Rien n'est figé (--appliquer pour diffuser).")
                if not calcul.rapport.ok:
                    raise CommandError("Audit en échec : la diffusion serait refusée.", returncode=1)
                return
            diffusion = diffusion_publier(campagne=campagne, motif=options["motif"])
        except ErreurPublication as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Diffusion n° {diffusion.numero} de la campagne {campagne.annee} figée : "
                f"{formater_nombre(diffusion.cellules)} cellules dont {formater_nombre(diffusion.secretes)} secrètes "
                f"(empreinte {diffusion.empreinte[:16]}…)."
            )
        )
        self.stdout.write(diffusion.audit_resume)
