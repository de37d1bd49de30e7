"""Diffusions des agrégats protégés d'une campagne, et demandes de tableaux automatisés.

Une **diffusion** fige ce qui sort du serveur pour une campagne : la table de cellules protégée
(secret primaire et secondaire appliqués, audit réussi) est écrite une fois pour toutes dans un
fichier Parquet compressé, sous ``VAR_DIR/statistiques/diffusions/``, avec son empreinte SHA-256.
Ce fichier contient les colonnes internes (vraies valeurs, contributions) : il ne quitte jamais le
serveur ; tableaux, exports open data, plaquettes et tableaux automatisés en lisent les seules
cellules publiées. Une diffusion suivante de la même campagne garde masqué tout ce qui l'était
(motif figé) et est auditée avec tout ce qui a déjà été publié (``docs/secret-statistique.md`` §6).
"""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone


def dossier_statistiques() -> Path:
    return Path(settings.VAR_DIR) / "statistiques"


class Diffusion(models.Model):
    campagne = models.ForeignKey("campagnes.Campagne", on_delete=models.PROTECT, related_name="diffusions")
    numero = models.PositiveIntegerField("numéro de diffusion")
    creee_le = models.DateTimeField("créée le", default=timezone.now)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par",
    )
    motif = models.CharField("motif", max_length=250, blank=True)
    fichier = models.CharField("fichier des cellules (relatif au dossier des statistiques)", max_length=250)
    empreinte = models.CharField("empreinte SHA-256 du fichier", max_length=64)
    empreinte_ouverte = models.CharField("empreinte SHA-256 du fichier open data", max_length=64)
    questions = models.JSONField("questions diffusées (code, nature, modalités, sensible, libellé)")
    relations = models.JSONField("relations additives (total, composantes)", default=list)
    internes = models.JSONField("questions calculées pour l'audit seulement, jamais publiées", default=list)
    cellules = models.PositiveIntegerField("cellules")
    secretes = models.PositiveIntegerField("cellules secrètes")
    audit_ok = models.BooleanField("audit réussi", default=False)
    audit_resume = models.TextField("résumé de l'audit", blank=True)

    class Meta:
        verbose_name = "diffusion des agrégats"
        verbose_name_plural = "diffusions des agrégats"
        ordering = ["campagne", "-numero"]
        constraints = [models.UniqueConstraint(fields=["campagne", "numero"], name="un_numero_de_diffusion")]

    def __str__(self):
        return f"Diffusion n° {self.numero} de la campagne {self.campagne.annee}"

    @property
    def chemin(self) -> Path:
        return dossier_statistiques() / self.fichier


class StatutDemande(models.TextChoices):
    EN_ATTENTE = "en_attente", "En préparation"
    PRETE = "prete", "Prêts"
    ECHEC = "echec", "Échec"


class DemandeTableaux(models.Model):
    """Charte 2.3 : une structure demande ses tableaux automatisés (ses réponses à côté des agrégats
    protégés de son département, de sa région et de la France). Fichiers sous
    ``VAR_DIR/media/tableaux/``, servis par une vue à portée, jamais par une adresse publique."""

    structure = models.ForeignKey("structures.Structure", on_delete=models.CASCADE, related_name="demandes_tableaux")
    campagne = models.ForeignKey("campagnes.Campagne", on_delete=models.PROTECT, related_name="+")
    diffusion = models.ForeignKey(Diffusion, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    demandee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    demandee_le = models.DateTimeField("demandée le", default=timezone.now)
    statut = models.CharField("statut", max_length=20, choices=StatutDemande.choices, default=StatutDemande.EN_ATTENTE)
    fichier_xlsx = models.CharField("classeur", max_length=250, blank=True)
    fichier_pdf = models.CharField("document PDF", max_length=250, blank=True)
    terminee_le = models.DateTimeField("terminée le", null=True, blank=True)
    erreur = models.TextField("erreur", blank=True)

    class Meta:
        verbose_name = "demande de tableaux automatisés"
        verbose_name_plural = "demandes de tableaux automatisés"
        ordering = ["-demandee_le", "-pk"]

    def __str__(self):
        return f"Tableaux {self.campagne.annee} de {self.structure}"
