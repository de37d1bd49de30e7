"""Journal des accès aux réponses brutes (design §1, charte 2.3).

Chaque consultation des réponses d'une structure par quelqu'un d'autre qu'elle-même (fiche de la
structure, pages de saisie ou de contrôle, exports) et chaque export des réponses d'un territoire est
écrit ici : qui, à quel titre (rôle et organisme), quand, quoi (structures, campagne, nature de
l'accès). La structure lit les accès à ses réponses ; le national et les administrateurs cherchent
dans tout le journal. Aucune ligne n'est jamais modifiée ni supprimée par l'application.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Nature(models.TextChoices):
    FICHE = "fiche_structure", "Fiche de la structure et ses réponses"
    SAISIE = "saisie", "Questionnaire de la structure"
    CONTROLE = "controle", "Contrôle de cohérence des réponses"
    EXPORT_STRUCTURE = "export_structure", "Export des réponses de la structure"
    EXPORT_BRUT = "export_brut", "Export des réponses d'un territoire"
    AUTRE = "autre", "Autre consultation des réponses"


class AccesDonneesQuerySet(models.QuerySet):
    def de_structures(self, structures):
        return self.filter(structures_consultees__structure__in=structures).distinct()


class AccesDonnees(models.Model):
    le = models.DateTimeField("le", default=timezone.now, db_index=True)
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="utilisateur",
    )
    qui = models.CharField("qui", max_length=250, help_text="Nom et adresse au moment de l'accès.")
    role = models.CharField("à quel titre", max_length=120)
    organisme = models.CharField("organisme", max_length=250, blank=True)
    nature = models.CharField("nature de l'accès", max_length=30, choices=Nature.choices)
    campagne = models.ForeignKey(
        "campagnes.Campagne", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.CharField("détail", max_length=250, blank=True)
    mandat = models.ForeignKey(
        "comptes.Mandat", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="mandat"
    )
    mandat_detail = models.CharField(
        "mandat qui a ouvert l'accès",
        max_length=250,
        blank=True,
        help_text="Numéro, dates et personne qui l'a accordé, figés au moment de l'accès.",
    )
    nombre_structures = models.PositiveIntegerField("nombre de structures", default=0)

    objects = AccesDonneesQuerySet.as_manager()

    class Meta:
        verbose_name = "accès aux réponses"
        verbose_name_plural = "accès aux réponses"
        ordering = ["-le", "-pk"]

    def __str__(self):
        return f"{self.qui} — {self.get_nature_display()} — {self.le:%d/%m/%Y %H:%M}"


class StructureConsultee(models.Model):
    acces = models.ForeignKey(AccesDonnees, on_delete=models.CASCADE, related_name="structures_consultees")
    structure = models.ForeignKey("structures.Structure", on_delete=models.CASCADE, related_name="acces_journalises")

    class Meta:
        verbose_name = "structure consultée"
        verbose_name_plural = "structures consultées"
        constraints = [
            models.UniqueConstraint(fields=["acces", "structure"], name="une_ligne_par_structure_consultee")
        ]
        indexes = [models.Index(fields=["structure", "acces"])]

    def __str__(self):
        return f"{self.structure_id} ← {self.acces_id}"
