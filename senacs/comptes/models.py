import datetime

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.roles import LIBELLES_ORGANISMES, LIBELLES_ROLES, Niveau, Organisme, Role


class UtilisateurManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class Notifications(models.TextChoices):
    IMMEDIATES = "immediat", "Un courriel dès qu'un travail m'attend"
    QUOTIDIEN = "quotidien", "Un récapitulatif quotidien de ce qui m'attend"


class Utilisateur(AbstractBaseUser, PermissionsMixin):
    """Personne qui se connecte. Ses droits sur les données viennent uniquement de ses mandats."""

    email = models.EmailField("adresse électronique", unique=True)
    prenom = models.CharField("prénom", max_length=100, blank=True)
    nom = models.CharField("nom", max_length=100, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration", default=False)
    date_joined = models.DateTimeField("date de création", default=timezone.now)
    notifications = models.CharField(
        "courriels", max_length=20, choices=Notifications.choices, default=Notifications.IMMEDIATES
    )

    objects = UtilisateurManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["nom", "prenom", "email"]

    def __str__(self):
        return self.nom_complet or self.email

    @property
    def nom_complet(self):
        return f"{self.prenom} {self.nom}".strip()

    def get_full_name(self):
        return self.nom_complet

    def get_short_name(self):
        return self.prenom or self.email


class MandatQuerySet(models.QuerySet):
    def valides(self, jour: datetime.date):
        return self.en_cours(jour).filter(en_attente=False)

    def en_cours(self, jour: datetime.date):
        return self.filter(date_debut__lte=jour).filter(Q(date_fin__isnull=True) | Q(date_fin__gte=jour))


class Mandat(models.Model):
    """Personne × rôle × territoire (ou structure) × organisme mandant × période de validité."""

    Role = models.TextChoices("Role", [(r.name, (r.value, LIBELLES_ROLES[r])) for r in Role])
    Niveau = models.TextChoices(
        "Niveau",
        [
            ("NATION", (Niveau.NATION.value, "Nation")),
            ("REGION", (Niveau.REGION.value, "Région")),
            ("DEPARTEMENT", (Niveau.DEPARTEMENT.value, "Département")),
            ("STRUCTURE", (Niveau.STRUCTURE.value, "Structure")),
        ],
    )
    Organisme = models.TextChoices("Organisme", [(o.name, (o.value, LIBELLES_ORGANISMES[o])) for o in Organisme])

    utilisateur = models.ForeignKey(Utilisateur, on_delete=models.CASCADE, related_name="mandats")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    niveau = models.CharField("niveau", max_length=20, choices=Niveau.choices)
    region = models.ForeignKey(
        "territoires.Region", on_delete=models.PROTECT, null=True, blank=True, verbose_name="région"
    )
    departement = models.ForeignKey(
        "territoires.Departement", on_delete=models.PROTECT, null=True, blank=True, verbose_name="département"
    )
    structure = models.ForeignKey(
        "structures.Structure", on_delete=models.CASCADE, null=True, blank=True, verbose_name="structure"
    )
    organisme = models.CharField("organisme mandant", max_length=20, choices=Organisme.choices)
    caf = models.ForeignKey("territoires.Caf", on_delete=models.PROTECT, null=True, blank=True, verbose_name="caf")
    federation = models.ForeignKey(
        "territoires.Federation", on_delete=models.PROTECT, null=True, blank=True, verbose_name="fédération"
    )
    date_debut = models.DateField("début de validité")
    date_fin = models.DateField("fin de validité", null=True, blank=True, help_text="Vide : jusqu'à révocation.")
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    accorde_par = models.ForeignKey(
        Utilisateur,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="accordé par",
        help_text="Personne qui a accordé le mandat (vide : commande d'exploitation ou reprise).",
    )
    # Séparation des tâches : un mandat qui ouvre les réponses d'autres structures (correspondant,
    # préparateur) accordé dans l'application attend l'approbation d'une seconde personne.
    en_attente = models.BooleanField(
        "en attente d'approbation", default=False, help_text="N'ouvre rien tant qu'une seconde personne ne l'approuve."
    )
    approuve_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="approuvé par"
    )
    rappel_envoye_le = models.DateField("rappel de fin envoyé le", null=True, blank=True)

    objects = MandatQuerySet.as_manager()

    class Meta:
        verbose_name = "mandat"
        ordering = ["utilisateur", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(niveau="nation", region__isnull=True, departement__isnull=True, structure__isnull=True)
                    | Q(niveau="region", region__isnull=False, departement__isnull=True, structure__isnull=True)
                    | Q(niveau="departement", region__isnull=True, departement__isnull=False, structure__isnull=True)
                    | Q(niveau="structure", region__isnull=True, departement__isnull=True, structure__isnull=False)
                ),
                name="mandat_territoire_coherent",
            ),
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=models.F("date_debut")),
                name="mandat_dates_ordonnees",
            ),
        ]

    def __str__(self):
        return f"{self.utilisateur} — {self.get_role_display()} — {self.territoire_libelle}"

    @property
    def description(self) -> str:
        """« mandat n° 12 du 01/01/2025 au 31/12/2026, accordé par Jeanne Martin » (pour le journal)."""
        debut = self.date_debut.strftime("%d/%m/%Y")
        fin = f" au {self.date_fin.strftime('%d/%m/%Y')}" if self.date_fin else ""
        par = self.accorde_par.nom_complet or self.accorde_par.email if self.accorde_par_id else ""
        return f"mandat n° {self.pk} du {debut}{fin}" + (f", accordé par {par}" if par else "")

    @property
    def code_territoire(self) -> str:
        if self.niveau == Niveau.NATION:
            return "FR"
        if self.niveau == Niveau.REGION:
            return self.region_id
        if self.niveau == Niveau.DEPARTEMENT:
            return self.departement_id
        return str(self.structure_id)

    @property
    def territoire_libelle(self) -> str:
        if self.niveau == Niveau.NATION:
            return "France entière"
        if self.niveau == Niveau.REGION:
            return f"Région {self.region}"
        if self.niveau == Niveau.DEPARTEMENT:
            return f"Département {self.departement}"
        return str(self.structure)

    def est_valide(self, jour: datetime.date) -> bool:
        return not self.en_attente and self.date_debut <= jour and (self.date_fin is None or jour <= self.date_fin)

    def clean(self):
        erreurs = {}
        attendu = {
            Niveau.NATION: set(),
            Niveau.REGION: {"region"},
            Niveau.DEPARTEMENT: {"departement"},
            Niveau.STRUCTURE: {"structure"},
        }.get(self.niveau, set())
        for champ in ("region", "departement", "structure"):
            rempli = getattr(self, f"{champ}_id") is not None
            if champ in attendu and not rempli:
                erreurs[champ] = "Ce champ est obligatoire pour ce niveau."
            elif champ not in attendu and rempli:
                erreurs[champ] = "Ce champ doit rester vide pour ce niveau."
        if self.role == Role.STRUCTURE and self.niveau != Niveau.STRUCTURE:
            erreurs["niveau"] = "Un mandat « structure » porte sur une structure."
        if self.role != Role.STRUCTURE and self.niveau == Niveau.STRUCTURE:
            erreurs["niveau"] = "Seul le rôle « structure » porte sur une structure."
        if self.role == Role.NATIONAL and self.niveau != Niveau.NATION:
            erreurs["niveau"] = "Un mandat national porte sur la France entière."
        if self.organisme == Organisme.CAF and not self.caf_id:
            erreurs["caf"] = "Précisez la Caf mandante."
        if self.organisme == Organisme.FEDERATION and not self.federation_id:
            erreurs["federation"] = "Précisez la fédération mandante."
        if self.date_debut and self.date_fin and self.date_fin < self.date_debut:
            erreurs["date_fin"] = "La fin de validité doit suivre le début."
        if erreurs:
            raise ValidationError(erreurs)


class AcceptationCharte(models.Model):
    utilisateur = models.ForeignKey(Utilisateur, on_delete=models.CASCADE, related_name="acceptations_charte")
    version = models.CharField("version de la charte", max_length=20)
    acceptee_le = models.DateTimeField("acceptée le", default=timezone.now)

    class Meta:
        verbose_name = "acceptation de la charte"
        verbose_name_plural = "acceptations de la charte"
        ordering = ["-acceptee_le"]
        constraints = [models.UniqueConstraint(fields=["utilisateur", "version"], name="une_acceptation_par_version")]

    def __str__(self):
        return f"{self.utilisateur} — charte {self.version} le {self.acceptee_le:%d/%m/%Y}"
