from django.db import models
from django.utils import timezone


class ChargementDemo(models.Model):
    """Trace d'un chargement des données de démonstration : sa présence marque une base de démonstration,
    que `senacs demo --reinitialiser` peut effacer sans confirmation supplémentaire (en DEBUG)."""

    graine = models.PositiveIntegerField("graine")
    taille = models.FloatField("taille relative du jeu", default=1.0)
    charge_le = models.DateTimeField("chargé le", default=timezone.now)
    # Anomalies glissées dans les réponses (core.demo.anomalies) : campagne, structure, type, questions,
    # règles attendues. Référence pour mesurer le rappel et les faux positifs du contrôle de cohérence.
    anomalies_injectees = models.JSONField("anomalies injectées", default=list, blank=True)

    class Meta:
        verbose_name = "chargement de la démonstration"
        verbose_name_plural = "chargements de la démonstration"
        ordering = ["-charge_le"]

    def __str__(self):
        return f"Démonstration (graine {self.graine}, taille {self.taille:g}) chargée le {self.charge_le:%d/%m/%Y}"
