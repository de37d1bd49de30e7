import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.perimetre import Perimetre


class TypeStructure(models.TextChoices):
    CS = "CS", "Centre social"
    EVS = "EVS", "Espace de vie sociale"


class ModeGestion(models.TextChoices):  # question A15
    ASSOCIATIF = "associatif", "Associatif"
    COLLECTIVITE = "collectivite", "Collectivité locale (commune / CCAS)"
    INTERCOMMUNALITE = "intercommunalite", "Intercommunalité (EPCI / CIAS)"
    CAF = "caf", "Caf (gestion directe)"
    COGESTION = "cogestion", "Cogestion"
    AUTRE = "autre", "Autre (entreprise publique locale, etc.)"


class TypeTerritoire(models.TextChoices):  # question A16
    URBAIN = "urbain", "Un espace à dominante urbaine"
    RURAL = "rural", "Un espace à dominante rurale"


class TailleTerritoire(models.TextChoices):  # question A17
    QUARTIER = "quartier", "Un quartier"
    QUARTIERS = "quartiers", "Plusieurs quartiers"
    COMMUNE = "commune", "Une commune"
    COMMUNES = "communes", "Plusieurs communes"
    INTERCOMMUNALITE = "intercommunalite", "Une intercommunalité / un canton"


class GeographiePrioritaire(models.TextChoices):  # question A18
    QPV = "qpv", "Située sur un quartier prioritaire de la politique de la ville (QPV)"
    AUPRES_QPV = "aupres_qpv", "Hors QPV mais intervient auprès d'habitants d'un QPV"
    NON_CONCERNE = "non_concerne", "Non concernée"


class AutreFederation(models.TextChoices):  # question A20
    NON = "non", "Non"
    FCS = "fcs", "Fédération des centres sociaux"
    LEO_LAGRANGE = "leo_lagrange", "Léo Lagrange"
    LIGUE = "ligue", "Ligue de l'enseignement (FAIL)"
    CCO = "cco", "CCO"
    IFAC = "ifac", "IFAC"
    MJC = "mjc", "Fédération des MJC"
    FAMILLES_RURALES = "familles_rurales", "Familles Rurales"
    AUTRE = "autre", "Autre"


class Gestionnaire(models.Model):
    """Organisme gestionnaire : plusieurs structures gérées par le même organisme comptent pour un
    seul contributeur dans le secret statistique (design §5)."""

    nom = models.CharField("nom", max_length=200)
    siren = models.CharField("SIREN", max_length=9, blank=True)

    class Meta:
        verbose_name = "organisme gestionnaire"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class StructureQuerySet(models.QuerySet):
    def actives(self):
        return self.filter(active=True)

    def visibles_par(self, perimetre: Perimetre):
        """Structures dont l'utilisateur peut voir les réponses brutes (un seul mécanisme de portée)."""
        if not perimetre.structures_propres and not perimetre.departements_donnees:
            return self.none()
        return self.filter(
            Q(pk__in=perimetre.structures_propres) | Q(departement_id__in=perimetre.departements_donnees)
        )

    def suivies_par(self, perimetre: Perimetre):
        """Structures dont l'utilisateur suit la collecte (états d'avancement, relances)."""
        if not perimetre.departements_suivi:
            return self.none()
        return self.filter(departement_id__in=perimetre.departements_suivi)

    def attendues(self, annee_donnees: int):
        """Structures attendues pour une année de données : agrément en vigueur au moins un jour de l'année."""
        debut = datetime.date(annee_donnees, 1, 1)
        fin = datetime.date(annee_donnees, 12, 31)
        return self.filter(agrements__date_debut__lte=fin, agrements__date_fin__gte=debut).distinct()


class Structure(models.Model):
    identifiant = models.CharField(
        "identifiant SENACS",
        max_length=20,
        unique=True,
        help_text="Identifiant stable, conservé d'une année à l'autre.",
    )
    type = models.CharField("type", max_length=3, choices=TypeStructure.choices)
    nom = models.CharField("nom", max_length=200)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    adresse = models.CharField("adresse", max_length=250, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    commune_insee = models.CharField("commune (code INSEE)", max_length=5)
    commune_nom = models.CharField("commune", max_length=150)
    departement = models.ForeignKey(
        "territoires.Departement", on_delete=models.PROTECT, related_name="structures", verbose_name="département"
    )
    zone = models.ForeignKey(
        "territoires.Zone",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="structures",
        verbose_name="zone infra-départementale",
    )
    email = models.EmailField("adresse électronique de contact", blank=True)
    site_web = models.URLField("site internet", blank=True)
    gestionnaire = models.ForeignKey(
        Gestionnaire,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="structures",
        verbose_name="organisme gestionnaire",
    )
    mode_gestion = models.CharField("mode de gestion", max_length=20, choices=ModeGestion.choices)
    type_territoire = models.CharField("type de territoire", max_length=10, choices=TypeTerritoire.choices)
    taille_territoire = models.CharField(
        "taille du territoire d'intervention", max_length=20, choices=TailleTerritoire.choices, blank=True
    )
    geographie_prioritaire = models.CharField(
        "géographie prioritaire", max_length=20, choices=GeographiePrioritaire.choices
    )
    adherent_fcsf = models.BooleanField("adhérente à la fédération des centres sociaux", default=False)
    federation = models.ForeignKey(
        "territoires.Federation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="structures",
        verbose_name="fédération locale",
    )
    autre_federation = models.CharField(
        "autre fédération", max_length=20, choices=AutreFederation.choices, default=AutreFederation.NON
    )
    gens_du_voyage = models.BooleanField("structure « gens du voyage »", default=False)
    multi_sites = models.BooleanField("structure multi-sites", default=False)
    itinerante = models.BooleanField("structure itinérante", default=False)
    nombre_sites = models.PositiveSmallIntegerField("nombre de sites", default=1)
    population_zone = models.PositiveIntegerField("population de la zone de compétence", null=True, blank=True)
    annee_creation = models.PositiveSmallIntegerField("année de création", null=True, blank=True)
    zfrr = models.BooleanField("zone France ruralités revitalisation", default=False)
    date_premier_agrement = models.DateField("date du premier agrément", null=True, blank=True)
    active = models.BooleanField("active", default=True)
    date_fermeture = models.DateField("date de fermeture", null=True, blank=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        ordering = ["departement_id", "nom"]
        indexes = [models.Index(fields=["departement", "type"])]

    def __str__(self):
        return f"{self.nom} ({self.get_type_display()}, {self.commune_nom})"

    @property
    def agrement_en_cours(self):
        aujourd_hui = datetime.date.today()
        return next(
            (a for a in self.agrements.all() if a.date_debut <= aujourd_hui <= a.date_fin),
            None,
        )

    def est_attendue(self, annee_donnees: int) -> bool:
        debut = datetime.date(annee_donnees, 1, 1)
        fin = datetime.date(annee_donnees, 12, 31)
        return any(a.date_debut <= fin and a.date_fin >= debut for a in self.agrements.all())


class Agrement(models.Model):
    """Période d'agrément Caf (1 à 4 ans)."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="agrements")
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin")

    class Meta:
        verbose_name = "agrément"
        ordering = ["structure", "date_debut"]
        constraints = [
            models.CheckConstraint(condition=Q(date_fin__gt=models.F("date_debut")), name="agrement_fin_apres_debut"),
        ]

    def __str__(self):
        return f"Agrément du {self.date_debut:%d/%m/%Y} au {self.date_fin:%d/%m/%Y}"

    def clean(self):
        if self.date_debut and self.date_fin:
            erreur = verifier_duree_agrement(self.date_debut, self.date_fin)
            if erreur:
                raise ValidationError(erreur)


def verifier_duree_agrement(debut: datetime.date, fin: datetime.date) -> str | None:
    """Un agrément dure de 1 à 4 ans (à quelques jours près). Renvoie le message d'erreur ou None."""
    if fin <= debut:
        return "La date de fin de l'agrément doit suivre sa date de début."
    jours = (fin - debut).days + 1
    if jours < 360 or jours > 4 * 366:
        return "Un agrément dure de 1 à 4 ans."
    return None
