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
    versions = models.JSONField("version de chaque réponse", default=dict)
    provenance = models.JSONField("provenance de chaque réponse", default=dict)
    revision = models.PositiveIntegerField("révision", default=0)
    justifications = models.JSONField("justifications des avertissements", default=dict)
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


class ReponseHistorique(models.Model):
    """Chaque changement d'une réponse : valeur, qui, quand, pour le compte de qui (rien n'est perdu)."""

    reponse = models.ForeignKey(Reponse, on_delete=models.CASCADE, related_name="historique")
    code = models.CharField("question", max_length=20)
    valeur = models.JSONField("valeur", null=True, blank=True)
    ancienne_valeur = models.JSONField("valeur précédente", null=True, blank=True)
    version = models.PositiveIntegerField("version de la réponse")
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisme = models.CharField("au titre de", max_length=200, blank=True)
    pour_le_compte = models.BooleanField("saisie pour le compte de la structure", default=False)
    origine = models.CharField("origine", max_length=30, default="saisie")  # saisie, import, restauration
    le = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "historique d'une réponse"
        verbose_name_plural = "historique des réponses"
        ordering = ["-le", "-pk"]
        indexes = [models.Index(fields=["reponse", "code", "-le"])]

    def __str__(self):
        return f"{self.code} v{self.version} le {self.le:%d/%m/%Y %H:%M}"


class Depot(models.Model):
    """Une soumission (accusé de dépôt) : version figée des réponses, avertissements justifiés."""

    reponse = models.ForeignKey(Reponse, on_delete=models.CASCADE, related_name="depots")
    numero = models.PositiveIntegerField("numéro de dépôt")
    valeurs = models.JSONField("réponses déposées")
    avertissements = models.JSONField("avertissements justifiés", default=list)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisme = models.CharField("au titre de", max_length=200, blank=True)
    depose_le = models.DateTimeField("déposé le", default=timezone.now)
    empreinte = models.CharField("empreinte SHA-256", max_length=64)

    class Meta:
        verbose_name = "dépôt"
        ordering = ["reponse", "numero"]
        constraints = [models.UniqueConstraint(fields=["reponse", "numero"], name="un_numero_de_depot_par_reponse")]

    def __str__(self):
        return f"Dépôt n° {self.numero} du {self.depose_le:%d/%m/%Y}"


class StatutRevue(models.TextChoices):
    A_EXAMINER = "a_examiner", "À examiner"
    ACCEPTEE = "acceptee", "Acceptée"
    CONTESTEE = "contestee", "Contestée"


class RevueSaisie(models.Model):
    """Droit de regard (charte 2.2) : une réponse saisie par la Caf ou la fédération pour la structure,
    que la structure accepte ou conteste. Une contestation ouvre un fil de discussion."""

    reponse = models.ForeignKey(Reponse, on_delete=models.CASCADE, related_name="revues")
    code = models.CharField("question", max_length=20)
    historique = models.ForeignKey(ReponseHistorique, on_delete=models.PROTECT, related_name="revues")
    statut = models.CharField("statut", max_length=20, choices=StatutRevue.choices, default=StatutRevue.A_EXAMINER)
    decidee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decidee_le = models.DateTimeField("décidée le", null=True, blank=True)

    class Meta:
        verbose_name = "revue d'une saisie pour le compte"
        verbose_name_plural = "revues des saisies pour le compte"
        ordering = ["reponse", "code", "-pk"]
        indexes = [models.Index(fields=["reponse", "statut"])]

    def __str__(self):
        return f"{self.code} — {self.get_statut_display()}"


class MessageRevue(models.Model):
    revue = models.ForeignKey(RevueSaisie, on_delete=models.CASCADE, related_name="messages")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    qualite = models.CharField("en qualité de", max_length=200)
    texte = models.TextField("message")
    le = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "message de discussion"
        verbose_name_plural = "messages de discussion"
        ordering = ["le", "pk"]

    def __str__(self):
        return f"{self.qualite} le {self.le:%d/%m/%Y}"
