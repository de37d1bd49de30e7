"""Analyses thématiques enregistrées et registre des cellules libérées.

- ``Analyse`` : une définition d'analyse (JSON, ``core.analyses.modele.DefinitionAnalyse``) nommée par
  son auteur, éventuellement rattachée à un COPIL et partagée avec ses membres (``partagee_copil``) ; le
  partage avec les invités passe par ``senacs.copil`` (``PartageDocument`` nature « analyse »,
  référence ``str(pk)``).
- ``CelluleLiberee`` : le **registre des libérations**. Chaque cellule montrée ou exportée à quelqu'un
  qui n'a pas accès aux réponses brutes de toutes les structures qu'elle agrège est inscrite pour son
  public (« copil:<id> », « invites:<id> », « public », « utilisateur:<id> »). Un nouveau résultat est
  audité avec le registre de ce public : une différence entre cellules libérées ne doit isoler aucun
  groupe trop petit ou dominé.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Analyse(models.Model):
    nom = models.CharField("nom", max_length=200)
    proprietaire = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="analyses", verbose_name="auteur"
    )
    definition = models.JSONField("définition")
    copil = models.ForeignKey(
        "copil.Copil", on_delete=models.PROTECT, null=True, blank=True, related_name="analyses", verbose_name="COPIL"
    )
    partagee_copil = models.BooleanField("partagée avec le COPIL", default=False)
    creee_le = models.DateTimeField("créée le", default=timezone.now)
    modifiee_le = models.DateTimeField("modifiée le", default=timezone.now)

    class Meta:
        verbose_name = "analyse thématique"
        verbose_name_plural = "analyses thématiques"
        ordering = ["-creee_le", "pk"]

    def __str__(self):
        return self.nom

    @property
    def definition_analyse(self):
        from core.analyses.modele import DefinitionAnalyse

        return DefinitionAnalyse.depuis_json(self.definition)


class CelluleLiberee(models.Model):
    """Une cellule libérée à un public. ``ensemble`` : description canonique de l'ensemble de structures
    agrégé (territoire + conditions dimension → modalités, JSON trié) ; ``structures`` : empreinte
    (identifiants triés) servant à l'audit des différences."""

    audience = models.CharField("public", max_length=60, db_index=True)
    campagne = models.PositiveIntegerField("campagne", db_index=True)
    territoire = models.CharField("territoire", max_length=12)
    indicateur = models.CharField("indicateur", max_length=60)
    # Variable sous-jacente (codes additionnés, modalité comptée) : deux indicateurs de la même variable
    # (somme et moyenne du budget) se recoupent, le registre les audite ensemble.
    variable = models.CharField("variable", max_length=120, db_index=True)
    ensemble = models.CharField("ensemble de structures", max_length=400)
    structures = models.JSONField("structures agrégées", default=list)
    valeur = models.FloatField("valeur", null=True, blank=True)
    repondants = models.PositiveIntegerField("répondants", null=True, blank=True)
    source = models.CharField("origine", max_length=60, blank=True)
    liberee_le = models.DateTimeField("libérée le", default=timezone.now)

    class Meta:
        verbose_name = "cellule libérée"
        verbose_name_plural = "registre des cellules libérées"
        ordering = ["audience", "campagne", "indicateur", "ensemble"]
        constraints = [
            models.UniqueConstraint(
                fields=["audience", "campagne", "variable", "ensemble"], name="une_liberation_par_public_et_cellule"
            )
        ]

    def __str__(self):
        return f"{self.audience} — {self.campagne} — {self.variable} — {self.ensemble}"
