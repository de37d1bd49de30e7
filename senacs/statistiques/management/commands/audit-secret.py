"""But : vérifier que les agrégats diffusés d'une campagne ne permettent de retrouver aucune réponse.

Rejoue l'audit du secret statistique (programmes linéaires de l'attaquant, initiés compris) sur la
diffusion en vigueur, avec tout ce qui a déjà été publié, et affiche les cellules masquées, les
cellules exposées (avec l'intervalle que l'attaquant obtient) et les violations des règles primaires.
Sans diffusion, simule la diffusion (calcul, secret, audit) sans rien figer.

Audite aussi le **registre des libérations** des analyses thématiques (``senacs.analyses.registre``) :
pour chaque public (COPIL, invités, personne, public), les cellules qui lui ont été libérées, réunies
avec la diffusion publiée, ne doivent isoler aucun groupe sensible.

Code de sortie : 0 si l'audit est réussi, 1 si une cellule est exposée ou une règle enfreinte,
2 en cas d'erreur (campagne inconnue…).

Usage :
    senacs audit-secret --campagne 2025
    senacs audit-secret --campagne 2025 --exposees 50
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.analyses.protection import Regles
from core.formats import formater_nombre
from senacs.analyses.registre import auditer_registre
from senacs.campagnes.models import Campagne
from senacs.statistiques.services import (
    ErreurPublication,
    audit_diffusion,
    calculer_diffusion,
    diffusion_courante,
    politique_secret,
)


def _borne(v) -> str:
    return "?" if v is None else formater_nombre(v, 2)


class Command(BaseCommand):
    help = "Audite le secret statistique des agrégats diffusés d'une campagne (code 1 si une cellule est exposée)."

    def add_arguments(self, parser):
        parser.add_argument("--campagne", type=int, required=True, help="Année de la campagne (ex. 2025).")
        parser.add_argument("--exposees", type=int, default=20, help="Nombre de cellules exposées à détailler.")
        parser.add_argument(
            "--modele-questionnaire",
            action="store_true",
            help="Auditer avec le modèle de relations tiré du questionnaire (questions de suivi, règles "
            "bloquantes, bornes), même si la diffusion a été protégée sans lui.",
        )

    def handle(self, *args, **options):
        campagne = Campagne.objects.filter(annee=options["campagne"]).first()
        if campagne is None:
            raise CommandError(f"Campagne {options['campagne']} introuvable.", returncode=2)
        diffusion = diffusion_courante(campagne)
        try:
            if diffusion is None:
                self.stdout.write(
                    f"Campagne {campagne.annee} : aucune diffusion figée — simulation (calcul, secret, audit)…"
                )
                rapport = calculer_diffusion(campagne).rapport
            else:
                le = timezone.localtime(diffusion.creee_le)
                self.stdout.write(
                    f"Campagne {campagne.annee} : diffusion n° {diffusion.numero} du {le:%d/%m/%Y à %H:%M}, "
                    "auditée avec les diffusions précédentes…"
                )
                rapport = audit_diffusion(diffusion, modele_questionnaire=options["modele_questionnaire"])
        except ErreurPublication as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(f"Cellules masquées : {formater_nombre(rapport.cachees.height)}")
        self.stdout.write(f"Cellules exposées : {formater_nombre(rapport.exposees.height)}")
        self.stdout.write(f"Violations des règles primaires : {formater_nombre(rapport.violations_primaires.height)}")
        n = options["exposees"]
        if rapport.exposees.height:
            self.stdout.write("Premières cellules exposées (intervalle que l'attaquant obtient) :")
            for e in rapport.exposees.head(n).iter_rows(named=True):
                modalite = f" [{e['modalite']}]" if e["modalite"] else ""
                self.stdout.write(
                    f"  {e['niveau']} {e['territoire']} {e['public']} {e['question']} {e['statistique']}{modalite} : "
                    f"[{_borne(e['min'])} ; {_borne(e['max'])}], protection requise ± "
                    f"{formater_nombre(max(e['upl'] or 0, e['lpl'] or 0), 2)} — scénario {e['scenario']}"
                    f" — {e.get('voie') or 'relations additives'}"
                )
        if rapport.violations_primaires.height:
            self.stdout.write("Premières violations :")
            for v in rapport.violations_primaires.head(n).iter_rows(named=True):
                modalite = f" [{v['modalite']}]" if v["modalite"] else ""
                self.stdout.write(
                    f"  {v['niveau']} {v['territoire']} {v['public']} {v['question']} {v['statistique']}{modalite} : "
                    f"{v['regle']}"
                )
        self.stdout.write(rapport.resume())
        registre = auditer_registre(campagne, Regles.depuis_politique(politique_secret()))
        for audience, variable, atome, scenario in registre.exposees[:n]:
            self.stdout.write(
                f"  registre {audience} {variable} : groupe de {len(atome)} structure(s) isolé — scénario {scenario}"
            )
        self.stdout.write(
            f"Registre des libérations : {formater_nombre(registre.cellules)} cellule(s) libérée(s) à "
            f"{formater_nombre(registre.publics)} public(s), {formater_nombre(registre.variables)} variable(s), "
            f"{formater_nombre(len(registre.exposees))} groupe(s) exposé(s) — {'OK' if registre.ok else 'ÉCHEC'}"
        )
        if not rapport.ok or not registre.ok:
            raise CommandError("Audit en échec : rien ne doit être publié.", returncode=1)
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit réussi : aucune cellule exposée ({formater_nombre(rapport.cachees.height)} masquées dans la "
                f"diffusion, {formater_nombre(registre.cellules)} libérées au registre, 0 exposée)."
            )
        )
