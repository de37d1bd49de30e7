from django.db import models

from core.territoires import CODE_NATION


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    nom = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    nom = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements", verbose_name="région")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.nom}"


class Caf(models.Model):
    """Caisse d'allocations familiales : une par département."""

    departement = models.OneToOneField(
        Departement, on_delete=models.PROTECT, related_name="caf", verbose_name="département"
    )
    nom = models.CharField("nom", max_length=150)

    class Meta:
        verbose_name = "caf"
        verbose_name_plural = "cafs"
        ordering = ["departement"]

    def __str__(self):
        return self.nom


class Federation(models.Model):
    """Représentation fédérale locale des centres sociaux (un ou plusieurs départements)."""

    nom = models.CharField("nom", max_length=200, unique=True)
    departements = models.ManyToManyField(
        Departement, related_name="federations", verbose_name="départements couverts"
    )

    class Meta:
        verbose_name = "fédération"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Zone(models.Model):
    """Zone infra-départementale définie par le COPIL d'un département (ensemble de structures)."""

    code = models.CharField("identifiant", max_length=20, unique=True, help_text="Unique au niveau national.")
    nom = models.CharField("nom", max_length=150)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="zones", verbose_name="département"
    )
    est_reste = models.BooleanField(
        "reste du département", default=False, help_text="Zone qui regroupe les structures hors des autres zones."
    )

    class Meta:
        verbose_name = "zone infra-départementale"
        verbose_name_plural = "zones infra-départementales"
        ordering = ["departement", "code"]

    def __str__(self):
        return f"{self.nom} ({self.departement_id})"


NATION = CODE_NATION
