"""Comités de pilotage (charte 3.2) : un par département, par région, et le COPIL national.

- **Membres** : une personne, son côté (Caf ou fédération), sa période. Être membre, c'est détenir un
  mandat « copil » sur le territoire du comité : le service ``membre_ajouter`` crée (ou reprend) ce
  mandat, si bien que le périmètre (``core.perimetre``) ouvre les agrégats du territoire sans rien
  savoir des COPIL.
- **Invités** (centres, partenaires) : un mandat « invite », qui n'ouvre aucune donnée ; ils ne voient
  que les documents que le comité leur partage (``PartageDocument``).
- **Désignation du préparateur** : proposée par un membre, effective dès qu'au moins un membre Caf
  et un membre fédération l'ont approuvée (le proposant compte pour son côté). Effective, elle crée
  un mandat « preparateur » sur le territoire, valable jusqu'à la fin de la campagne ; un retrait
  (par un membre ou par la personne désignée) y met fin le jour même.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.territoires import CODE_NATION


class Niveau(models.TextChoices):
    NATION = "nation", "National"
    REGION = "region", "Régional"
    DEPARTEMENT = "departement", "Départemental"


class Cote(models.TextChoices):
    CAF = "caf", "Caf"
    FEDERATION = "federation", "Fédération des centres sociaux"


class Copil(models.Model):
    niveau = models.CharField("niveau", max_length=20, choices=Niveau.choices)
    region = models.OneToOneField(
        "territoires.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="copil"
    )
    departement = models.OneToOneField(
        "territoires.Departement", on_delete=models.PROTECT, null=True, blank=True, related_name="copil"
    )

    class Meta:
        verbose_name = "comité de pilotage"
        verbose_name_plural = "comités de pilotage"
        ordering = ["niveau", "region_id", "departement_id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(niveau="nation", region__isnull=True, departement__isnull=True)
                    | Q(niveau="region", region__isnull=False, departement__isnull=True)
                    | Q(niveau="departement", region__isnull=True, departement__isnull=False)
                ),
                name="copil_territoire_coherent",
            ),
            models.UniqueConstraint(fields=["niveau"], condition=Q(niveau="nation"), name="un_seul_copil_national"),
        ]

    def __str__(self):
        return f"COPIL {self.territoire_libelle}"

    @property
    def code(self) -> str:
        if self.niveau == Niveau.NATION:
            return CODE_NATION
        return self.region_id if self.niveau == Niveau.REGION else self.departement_id

    @property
    def cle_territoire(self) -> str:
        """Clé des agrégats du territoire (``Perimetre.territoires_agregats``)."""
        if self.niveau == Niveau.NATION:
            return CODE_NATION
        return f"R:{self.region_id}" if self.niveau == Niveau.REGION else f"D:{self.departement_id}"

    @property
    def territoire_libelle(self) -> str:
        if self.niveau == Niveau.NATION:
            return "national"
        if self.niveau == Niveau.REGION:
            return f"de la région {self.region}"
        return f"du département {self.departement}"


class PeriodeQuerySet(models.QuerySet):
    def valides(self, jour: datetime.date | None = None):
        jour = jour or timezone.localdate()
        return self.filter(date_debut__lte=jour).filter(Q(date_fin__isnull=True) | Q(date_fin__gte=jour))


class MembreCopil(models.Model):
    copil = models.ForeignKey(Copil, on_delete=models.CASCADE, related_name="membres")
    utilisateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="copils")
    cote = models.CharField("côté", max_length=20, choices=Cote.choices)
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin", null=True, blank=True)
    mandat = models.OneToOneField(
        "comptes.Mandat", on_delete=models.SET_NULL, null=True, blank=True, related_name="membre_copil"
    )

    objects = PeriodeQuerySet.as_manager()

    class Meta:
        verbose_name = "membre d'un comité de pilotage"
        verbose_name_plural = "membres des comités de pilotage"
        ordering = ["copil", "cote", "utilisateur"]

    def __str__(self):
        return f"{self.utilisateur} ({self.get_cote_display()}) — {self.copil}"

    def est_valide(self, jour: datetime.date | None = None) -> bool:
        jour = jour or timezone.localdate()
        return self.date_debut <= jour and (self.date_fin is None or jour <= self.date_fin)


class InviteCopil(models.Model):
    copil = models.ForeignKey(Copil, on_delete=models.CASCADE, related_name="invites")
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_copil"
    )
    qualite = models.CharField("qualité", max_length=200, blank=True, help_text="Centre, partenaire…")
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin", null=True, blank=True)
    mandat = models.OneToOneField(
        "comptes.Mandat", on_delete=models.SET_NULL, null=True, blank=True, related_name="invite_copil"
    )

    objects = PeriodeQuerySet.as_manager()

    class Meta:
        verbose_name = "invité d'un comité de pilotage"
        verbose_name_plural = "invités des comités de pilotage"
        ordering = ["copil", "utilisateur"]

    def __str__(self):
        return f"{self.utilisateur} (invité) — {self.copil}"


class StatutDesignation(models.TextChoices):
    PROPOSEE = "proposee", "Proposée, en attente d'accord"
    EFFECTIVE = "effective", "Effective"
    RETIREE = "retiree", "Retirée"
    TERMINEE = "terminee", "Terminée avec la campagne"


class Designation(models.Model):
    copil = models.ForeignKey(Copil, on_delete=models.CASCADE, related_name="designations")
    campagne = models.ForeignKey("campagnes.Campagne", on_delete=models.PROTECT, related_name="+")
    designe = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="designations", verbose_name="désigné"
    )
    proposee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposee_le = models.DateTimeField("proposée le", default=timezone.now)
    statut = models.CharField(
        "statut", max_length=20, choices=StatutDesignation.choices, default=StatutDesignation.PROPOSEE
    )
    effective_le = models.DateTimeField("effective le", null=True, blank=True)
    fin = models.DateField("fin (fin de la campagne)")
    retiree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retiree_le = models.DateTimeField("retirée le", null=True, blank=True)
    mandat = models.OneToOneField(
        "comptes.Mandat", on_delete=models.SET_NULL, null=True, blank=True, related_name="designation"
    )

    class Meta:
        verbose_name = "désignation du préparateur"
        verbose_name_plural = "désignations du préparateur"
        ordering = ["copil", "-proposee_le"]
        constraints = [
            models.UniqueConstraint(
                fields=["copil", "campagne"],
                condition=Q(statut__in=["proposee", "effective"]),
                name="une_designation_en_cours_par_copil_et_campagne",
            )
        ]

    def __str__(self):
        return f"{self.designe} — préparateur du {self.copil} ({self.campagne.annee})"


class AccordDesignation(models.Model):
    designation = models.ForeignKey(Designation, on_delete=models.CASCADE, related_name="accords")
    membre = models.ForeignKey(MembreCopil, on_delete=models.PROTECT, related_name="+")
    le = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "accord sur une désignation"
        verbose_name_plural = "accords sur les désignations"
        ordering = ["designation", "le"]
        constraints = [
            models.UniqueConstraint(fields=["designation", "membre"], name="un_accord_par_membre_et_designation")
        ]

    def __str__(self):
        return f"{self.membre} approuve {self.designation}"


class NatureDocument(models.TextChoices):
    TABLEAUX = "tableaux", "Tableaux agrégés"
    ANALYSE = "analyse", "Analyse thématique"
    PLAQUETTE = "plaquette", "Projet de plaquette"


class PartageDocumentQuerySet(models.QuerySet):
    def actifs(self):
        return self.filter(retire_le__isnull=True)


class PartageDocument(models.Model):
    """Un document du COPIL partagé explicitement avec ses invités (ils ne voient que cela).

    ``reference`` : pour des tableaux, ``<année>`` ou ``<année>:<section>`` (tableaux protégés du
    territoire du comité) ; pour les autres natures, l'identifiant que l'application qui les produit
    reconnaît (plaquette, analyse)."""

    copil = models.ForeignKey(Copil, on_delete=models.CASCADE, related_name="partages")
    nature = models.CharField("nature", max_length=20, choices=NatureDocument.choices)
    reference = models.CharField("référence", max_length=120)
    titre = models.CharField("titre", max_length=200)
    partage_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    partage_le = models.DateTimeField("partagé le", default=timezone.now)
    retire_le = models.DateTimeField("retiré le", null=True, blank=True)

    objects = PartageDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "document partagé"
        verbose_name_plural = "documents partagés"
        ordering = ["copil", "-partage_le"]

    def __str__(self):
        return f"{self.titre} — {self.copil}"
