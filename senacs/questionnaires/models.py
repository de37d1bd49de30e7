import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.questionnaire import definition
from core.questionnaire.modele import Questionnaire as ModeleQuestionnaire

_MODELES: dict[str, ModeleQuestionnaire] = {}


def empreinte_definition(donnees: dict) -> str:
    canon = json.dumps(donnees, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


class Questionnaire(models.Model):
    """Une version du questionnaire (propriété du comité technique national), stockée comme données.

    ``definition`` est le dictionnaire JSON de ``core.questionnaire.definition.vers_dict`` : le même
    objet pur (``modele``) sert au formulaire, à l'enregistrement et au contrôle en lot."""

    version = models.CharField("version", max_length=40, unique=True)
    titre = models.CharField("titre", max_length=200)
    definition = models.JSONField("définition")
    empreinte = models.CharField("empreinte SHA-256", max_length=64)
    source = models.CharField("source", max_length=250, blank=True)
    cree_le = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        verbose_name = "questionnaire"
        ordering = ["-version"]

    def __str__(self):
        return self.titre

    def save(self, *args, **kwargs):
        self.empreinte = empreinte_definition(self.definition)
        super().save(*args, **kwargs)

    @property
    def modele(self) -> ModeleQuestionnaire:
        """Questionnaire pur, compilé une fois par processus et par empreinte."""
        modele = _MODELES.get(self.empreinte)
        if modele is None:
            modele = definition.depuis_dict(self.definition)
            _MODELES[self.empreinte] = modele
        return modele


class StatutAlerte(models.TextChoices):
    OUVERTE = "ouverte", "Ouverte"
    REPONDUE = "repondue", "Répondue par le correspondant"
    ESCALADEE = "escaladee", "Transmise au comité technique national"
    REPONDUE_NATIONAL = "repondue_national", "Répondue par le comité technique national"
    CLOSE = "close", "Close"


class AlerteComprehension(models.Model):
    """Charte 2.1 : une structure signale une question qu'elle ne comprend pas."""

    campagne = models.ForeignKey("campagnes.Campagne", on_delete=models.PROTECT, related_name="alertes")
    structure = models.ForeignKey("structures.Structure", on_delete=models.PROTECT, related_name="alertes")
    code_question = models.CharField("question", max_length=20)
    texte = models.TextField("ce qui n'est pas compris")
    statut = models.CharField("statut", max_length=20, choices=StatutAlerte.choices, default=StatutAlerte.OUVERTE)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField("créée le", default=timezone.now)
    modifiee_le = models.DateTimeField("modifiée le", default=timezone.now)

    class Meta:
        verbose_name = "alerte de compréhension"
        verbose_name_plural = "alertes de compréhension"
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["campagne", "statut"])]

    def __str__(self):
        return f"{self.code_question} — {self.structure}"


class MessageAlerte(models.Model):
    alerte = models.ForeignKey(AlerteComprehension, on_delete=models.CASCADE, related_name="messages")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    qualite = models.CharField("en qualité de", max_length=120)
    texte = models.TextField("message")
    le = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "message d'alerte"
        ordering = ["le", "pk"]

    def __str__(self):
        return f"{self.qualite} le {self.le:%d/%m/%Y}"


class EntreeFAQ(models.Model):
    """Réponse du comité technique national ajoutée au guide : visible de toutes les structures."""

    code_question = models.CharField("question", max_length=20)
    question = models.TextField("question posée")
    reponse = models.TextField("réponse")
    alerte = models.ForeignKey(
        AlerteComprehension, on_delete=models.SET_NULL, null=True, blank=True, related_name="entrees_faq"
    )
    publiee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    publiee_le = models.DateTimeField("publiée le", default=timezone.now)

    class Meta:
        verbose_name = "entrée de la FAQ du guide"
        verbose_name_plural = "entrées de la FAQ du guide"
        ordering = ["code_question", "publiee_le"]

    def __str__(self):
        return f"{self.code_question} : {self.question[:60]}"
