import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Phase(models.TextChoices):
    PREPARATION = "preparation", "Préparation"
    SAISIE = "saisie", "Saisie"
    CONTROLE = "controle", "Contrôle de cohérence"
    ANALYSE = "analyse", "Analyse"
    PUBLICATION = "publication", "Publication"
    ARCHIVEE = "archivee", "Archivée"


ORDRE_PHASES = [p.value for p in Phase]


class CampagneQuerySet(models.QuerySet):
    def en_cours(self):
        return self.exclude(phase=Phase.ARCHIVEE)


class Campagne(models.Model):
    """Une campagne annuelle : l'année N porte sur les données de l'année N−1 (design §3)."""

    annee = models.PositiveSmallIntegerField("année de la campagne", unique=True)
    annee_donnees = models.PositiveSmallIntegerField("année des données")
    version_questionnaire = models.CharField("version du questionnaire", max_length=40)
    questionnaire = models.ForeignKey(
        "questionnaires.Questionnaire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campagnes",
        verbose_name="questionnaire",
    )
    phase = models.CharField("phase", max_length=20, choices=Phase.choices, default=Phase.PREPARATION)
    date_ouverture_saisie = models.DateField("ouverture de la saisie")
    date_fin_saisie = models.DateField("fin de la saisie")
    date_fin_controle = models.DateField("fin du contrôle de cohérence")
    date_fin_analyse = models.DateField("fin de l'analyse")
    date_publication = models.DateField("publication")

    objects = CampagneQuerySet.as_manager()

    class Meta:
        verbose_name = "campagne"
        ordering = ["-annee"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(annee_donnees=models.F("annee") - 1), name="campagne_donnees_annee_precedente"
            ),
        ]

    def __str__(self):
        return f"Campagne {self.annee} (données {self.annee_donnees})"

    def clean(self):
        dates = [
            ("date_ouverture_saisie", self.date_ouverture_saisie),
            ("date_fin_saisie", self.date_fin_saisie),
            ("date_fin_controle", self.date_fin_controle),
            ("date_fin_analyse", self.date_fin_analyse),
            ("date_publication", self.date_publication),
        ]
        for (_, avant), (champ, apres) in zip(dates, dates[1:], strict=False):
            if avant and apres and apres < avant:
                raise ValidationError({champ: "Les dates des phases doivent se suivre dans l'ordre."})
        if self.annee and self.annee_donnees and self.annee_donnees != self.annee - 1:
            raise ValidationError({"annee_donnees": "L'année des données est l'année qui précède la campagne."})

    @property
    def rang_phase(self) -> int:
        return ORDRE_PHASES.index(self.phase)

    def phase_suivante(self) -> str | None:
        rang = self.rang_phase
        return ORDRE_PHASES[rang + 1] if rang + 1 < len(ORDRE_PHASES) else None

    def phase_precedente(self) -> str | None:
        rang = self.rang_phase
        return ORDRE_PHASES[rang - 1] if rang > 0 else None

    def fin_saisie_pour(self, departement_code: str) -> datetime.date:
        """Date limite de saisie d'un département, prorogation comprise."""
        prorogation = next((p for p in self.prorogations.all() if p.departement_id == departement_code), None)
        return prorogation.date_fin_saisie if prorogation else self.date_fin_saisie

    def saisie_ouverte(self, departement_code: str, jour: datetime.date) -> bool:
        return self.phase == Phase.SAISIE and jour <= self.fin_saisie_pour(departement_code)


class ChangementPhase(models.Model):
    campagne = models.ForeignKey(Campagne, on_delete=models.CASCADE, related_name="changements_phase")
    ancienne_phase = models.CharField("ancienne phase", max_length=20, choices=Phase.choices)
    nouvelle_phase = models.CharField("nouvelle phase", max_length=20, choices=Phase.choices)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="par")
    le = models.DateTimeField("le", default=timezone.now)
    motif = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "changement de phase"
        verbose_name_plural = "changements de phase"
        ordering = ["-le"]

    def __str__(self):
        return f"{self.campagne} : {self.get_ancienne_phase_display()} → {self.get_nouvelle_phase_display()}"


class ProrogationSaisie(models.Model):
    """Report de la date limite de saisie pour un département."""

    campagne = models.ForeignKey(Campagne, on_delete=models.CASCADE, related_name="prorogations")
    departement = models.ForeignKey("territoires.Departement", on_delete=models.PROTECT, verbose_name="département")
    date_fin_saisie = models.DateField("nouvelle date limite de saisie")
    motif = models.TextField("motif", blank=True)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="accordée par")
    le = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "prorogation de la saisie"
        verbose_name_plural = "prorogations de la saisie"
        constraints = [
            models.UniqueConstraint(fields=["campagne", "departement"], name="une_prorogation_par_departement")
        ]

    def __str__(self):
        return f"{self.campagne} — {self.departement} jusqu'au {self.date_fin_saisie:%d/%m/%Y}"
