from django.conf import settings
from django.db import models
from django.utils import timezone

from core.perimetre import Perimetre


class Statut(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SOUMISE = "soumise", "Soumise"
    VALIDEE = "validee", "Validée"


class ReponseQuerySet(models.QuerySet):
    def visibles_par(self, perimetre: Perimetre):
        """Réponses brutes visibles : même règle que Structure.objects.visibles_par."""
        from senacs.structures.models import Structure

        return self.filter(structure__in=Structure.objects.visibles_par(perimetre))

    def suivies_par(self, perimetre: Perimetre):
        from senacs.structures.models import Structure

        return self.filter(structure__in=Structure.objects.suivies_par(perimetre))


class Reponse(models.Model):
    """Réponse d'une structure au questionnaire d'une campagne.

    ``valeurs`` garde l'état courant des réponses (code de question → valeur) ; ``instantane`` fige
    à la soumission ce que la structure était (territoire, type…) pour que les statistiques de
    l'année N ne bougent plus quand une structure change ou ferme.
    """

    campagne = models.ForeignKey("campagnes.Campagne", on_delete=models.PROTECT, related_name="reponses")
    structure = models.ForeignKey("structures.Structure", on_delete=models.PROTECT, related_name="reponses")
    statut = models.CharField("statut", max_length=20, choices=Statut.choices, default=Statut.BROUILLON)
    valeurs = models.JSONField("valeurs", default=dict)
    instantane = models.JSONField("instantané de la structure", default=dict)
    commencee_le = models.DateTimeField("commencée le", default=timezone.now)
    modifiee_le = models.DateTimeField("modifiée le", default=timezone.now)
    soumise_le = models.DateTimeField("soumise le", null=True, blank=True)
    validee_le = models.DateTimeField("validée le", null=True, blank=True)
    modifiee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ReponseQuerySet.as_manager()

    class Meta:
        verbose_name = "réponse"
        ordering = ["campagne", "structure"]
        constraints = [
            models.UniqueConstraint(fields=["campagne", "structure"], name="une_reponse_par_structure_et_campagne")
        ]
        indexes = [models.Index(fields=["campagne", "statut"])]

    def __str__(self):
        return f"{self.structure} — {self.campagne}"
