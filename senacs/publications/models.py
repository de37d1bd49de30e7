"""Plaquettes (charte 3.1) : gabarit national par campagne, contenu local par territoire, circuit de
validation par le COPIL, version publiée figée, lots de génération.

- ``Gabarit`` : un par campagne, tenu par le rôle national. Source Typst figée (copie de
  ``core.plaquette.rendu.SOURCE_GABARIT`` à la création), version incrémentée à chaque modification,
  pour chaque bloc de commentaire : libre (écrit localement) ou verrouillé (texte national imposé), et
  la liste des pages que les territoires peuvent retirer.
- ``Plaquette`` : une par territoire (clé d'agrégats ``FR``, ``R:84``, ``D:69``) et campagne ; textes
  locaux (Markdown restreint), pages optionnelles retenues, statut du circuit
  brouillon → soumise → approuvée → publiée. Une fois publiée, le PDF et le HTML sont écrits sous
  ``VAR_DIR/publications/`` avec leur SHA-256 et ne sont plus jamais régénérés.
- ``Approbation`` : accord d'un membre du COPIL (côté Caf ou fédération) ; annulée (jamais effacée)
  quand le contenu change.
- ``Transition`` : chaque changement d'état, daté et signé (qui, à quel titre), avec son motif.
- ``Lot`` / ``LotTerritoire`` : génération des brouillons de tous les territoires, une ligne par
  territoire (unique par lot), reprise après une panne sans doublon.
"""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


def dossier_publications() -> Path:
    return Path(settings.VAR_DIR) / "publications"


def cle_depuis_slug(slug: str) -> str | None:
    """``FR`` → ``FR`` ; ``D69`` → ``D:69`` ; ``R84`` → ``R:84`` (adresse des pages) ; sinon None."""
    if slug == "FR":
        return "FR"
    if len(slug) >= 2 and slug[0] in "DR" and slug[1:].isalnum():
        return f"{slug[0]}:{slug[1:]}"
    return None


def slug_depuis_cle(cle: str) -> str:
    return cle.replace(":", "")


class Gabarit(models.Model):
    campagne = models.OneToOneField("campagnes.Campagne", on_delete=models.CASCADE, related_name="gabarit_plaquette")
    version = models.PositiveIntegerField("version", default=1)
    version_rendu = models.CharField("version du gabarit Typst", max_length=40, blank=True)
    source = models.TextField("source Typst (copie figée)")
    blocs = models.JSONField(
        "blocs",
        default=dict,
        blank=True,
        help_text="{code du bloc: {'verrouille': bool, 'texte': Markdown national}}",
    )
    pages_optionnelles = models.JSONField(
        "pages optionnelles", default=list, blank=True, help_text="Pages que les territoires peuvent retirer."
    )
    modifie_le = models.DateTimeField("modifié le", default=timezone.now)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "gabarit national de plaquette"
        verbose_name_plural = "gabarits nationaux de plaquette"
        ordering = ["-campagne__annee"]

    def __str__(self):
        return f"Gabarit national {self.campagne.annee} (version {self.version})"

    def est_verrouille(self, bloc: str) -> bool:
        return bool(self.blocs.get(bloc, {}).get("verrouille"))

    def texte_national(self, bloc: str) -> str:
        return self.blocs.get(bloc, {}).get("texte", "")


class Statut(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SOUMISE = "soumise", "Soumise au COPIL"
    APPROUVEE = "approuvee", "Approuvée par le COPIL"
    PUBLIEE = "publiee", "Publiée"


class PlaquetteQuerySet(models.QuerySet):
    def publiques(self, jour=None):
        """Publiées et hors embargo : ce que voit le public."""
        jour = jour or timezone.localdate()
        return self.filter(statut=Statut.PUBLIEE).filter(Q(embargo__isnull=True) | Q(embargo__lte=jour))


class Plaquette(models.Model):
    campagne = models.ForeignKey("campagnes.Campagne", on_delete=models.CASCADE, related_name="plaquettes")
    cle = models.CharField("territoire (clé d'agrégats)", max_length=10)
    libelle = models.CharField("territoire", max_length=120, blank=True)
    region = models.CharField("région (code)", max_length=3, blank=True, help_text="Pour filtrer la page publique.")
    textes = models.JSONField("textes locaux", default=dict, blank=True)
    pages = models.JSONField("pages optionnelles retenues", null=True, blank=True)
    statut = models.CharField("statut", max_length=20, choices=Statut.choices, default=Statut.BROUILLON)
    embargo = models.DateField("embargo jusqu'au", null=True, blank=True)
    revision = models.PositiveIntegerField("révision du contenu", default=0)
    modifiee_le = models.DateTimeField("modifiée le", default=timezone.now)
    modifiee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Version publiée (figée).
    publiee_le = models.DateTimeField("publiée le", null=True, blank=True)
    publiee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version_gabarit = models.PositiveIntegerField("version du gabarit publiée", null=True, blank=True)
    fichier_pdf = models.CharField("fichier PDF", max_length=200, blank=True)
    fichier_html = models.CharField("fichier HTML", max_length=200, blank=True)
    empreinte_pdf = models.CharField("SHA-256 du PDF", max_length=64, blank=True)
    empreinte_html = models.CharField("SHA-256 du HTML", max_length=64, blank=True)
    taille_pdf = models.PositiveIntegerField("taille du PDF (octets)", null=True, blank=True)

    objects = PlaquetteQuerySet.as_manager()

    class Meta:
        verbose_name = "plaquette"
        verbose_name_plural = "plaquettes"
        ordering = ["-campagne__annee", "cle"]
        constraints = [models.UniqueConstraint(fields=["campagne", "cle"], name="une_plaquette_par_territoire")]

    def __str__(self):
        return f"Plaquette {self.libelle or self.cle} — campagne {self.campagne.annee}"

    @property
    def slug(self) -> str:
        return slug_depuis_cle(self.cle)

    @property
    def chemin_pdf(self) -> Path:
        return dossier_publications() / self.fichier_pdf

    @property
    def chemin_html(self) -> Path:
        return dossier_publications() / self.fichier_html

    @property
    def reference_partage(self) -> str:
        """Référence d'un ``copil.PartageDocument`` de nature « plaquette »."""
        return f"{self.campagne.annee}:{self.cle}"

    def est_publique(self, jour=None) -> bool:
        jour = jour or timezone.localdate()
        return self.statut == Statut.PUBLIEE and (self.embargo is None or self.embargo <= jour)


class ApprobationQuerySet(models.QuerySet):
    def actives(self):
        return self.filter(annulee_le__isnull=True)


class Approbation(models.Model):
    plaquette = models.ForeignKey(Plaquette, on_delete=models.CASCADE, related_name="approbations")
    utilisateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    cote = models.CharField("côté", max_length=20)
    revision = models.PositiveIntegerField("révision approuvée")
    le = models.DateTimeField("le", default=timezone.now)
    annulee_le = models.DateTimeField("annulée le", null=True, blank=True)

    objects = ApprobationQuerySet.as_manager()

    class Meta:
        verbose_name = "approbation d'une plaquette"
        verbose_name_plural = "approbations des plaquettes"
        ordering = ["plaquette", "le"]
        constraints = [
            models.UniqueConstraint(
                fields=["plaquette", "utilisateur"],
                condition=Q(annulee_le__isnull=True),
                name="une_approbation_active_par_membre",
            )
        ]

    def __str__(self):
        return f"{self.utilisateur} ({self.cote}) approuve {self.plaquette}"


class Action(models.TextChoices):
    CREER = "creer", "Création"
    MODIFIER = "modifier", "Modification du contenu"
    SOUMETTRE = "soumettre", "Soumission au COPIL"
    APPROUVER = "approuver", "Approbation d'un membre"
    REFUSER = "refuser", "Refus (retour en brouillon)"
    ANNULER = "annuler", "Approbations annulées (contenu modifié)"
    PUBLIER = "publier", "Publication"
    EMBARGO = "embargo", "Date d'embargo"


class Transition(models.Model):
    plaquette = models.ForeignKey(Plaquette, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField("action", max_length=20, choices=Action.choices)
    de = models.CharField("de", max_length=20, choices=Statut.choices)
    vers = models.CharField("vers", max_length=20, choices=Statut.choices)
    le = models.DateTimeField("le", default=timezone.now, db_index=True)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    qui = models.CharField("qui", max_length=250, help_text="Nom et adresse au moment de l'action.")
    titre = models.CharField("à quel titre", max_length=120, blank=True)
    motif = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "transition d'une plaquette"
        verbose_name_plural = "transitions des plaquettes"
        ordering = ["plaquette", "le", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} — {self.plaquette} ({self.qui})"


class StatutLot(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    EN_COURS = "en_cours", "En cours"
    TERMINE = "termine", "Terminé"
    INTERROMPU = "interrompu", "Interrompu (à reprendre)"


class Lot(models.Model):
    campagne = models.ForeignKey("campagnes.Campagne", on_delete=models.CASCADE, related_name="lots_plaquettes")
    cree_le = models.DateTimeField("créé le", default=timezone.now)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    statut = models.CharField("statut", max_length=20, choices=StatutLot.choices, default=StatutLot.EN_ATTENTE)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)
    battement = models.DateTimeField(
        "dernier signe de vie", null=True, blank=True, help_text="Mis à jour après chaque territoire rendu."
    )
    erreur = models.TextField("erreur", blank=True)

    class Meta:
        verbose_name = "lot de plaquettes"
        verbose_name_plural = "lots de plaquettes"
        ordering = ["-cree_le"]

    def __str__(self):
        return f"Lot n° {self.pk} — plaquettes {self.campagne.annee}"

    @property
    def dossier(self) -> Path:
        return dossier_publications() / "lots" / str(self.pk)

    def compte(self) -> tuple[int, int, int]:
        """(faits, en échec, total)."""
        lignes = list(self.territoires.values_list("statut", flat=True))
        return (
            sum(s == StatutLigne.FAIT for s in lignes),
            sum(s == StatutLigne.ECHEC for s in lignes),
            len(lignes),
        )


class StatutLigne(models.TextChoices):
    A_FAIRE = "a_faire", "À faire"
    FAIT = "fait", "Fait"
    ECHEC = "echec", "Échec"


class LotTerritoire(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="territoires")
    rang = models.PositiveIntegerField("rang")
    cle = models.CharField("territoire", max_length=10)
    statut = models.CharField("statut", max_length=20, choices=StatutLigne.choices, default=StatutLigne.A_FAIRE)
    rendus = models.PositiveIntegerField("rendus", default=0, help_text="Nombre de rendus effectués (contrôle).")
    fichier = models.CharField("fichier PDF", max_length=200, blank=True)
    empreinte = models.CharField("SHA-256", max_length=64, blank=True)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)
    erreur = models.TextField("erreur", blank=True)

    class Meta:
        verbose_name = "territoire d'un lot"
        verbose_name_plural = "territoires des lots"
        ordering = ["lot", "rang"]
        constraints = [models.UniqueConstraint(fields=["lot", "cle"], name="un_territoire_par_lot")]

    def __str__(self):
        return f"{self.lot} — {self.cle} ({self.get_statut_display()})"
