"""Contrôle de cohérence (charte 2.2, design §4) : anomalies relevées, interpellations, relances,
validations.

Qui voit quoi (un seul mécanisme de portée, ``visibles_par``) : une anomalie ou une interpellation
porte sur les réponses brutes d'une structure ; elle est visible de la structure elle-même et des
correspondants de son territoire (Caf et fédération), qui la suivent *et* voient ses données. Ni le
national (suivi sans données brutes), ni le COPIL, ni les invités ; le préparateur non plus (il voit
les réponses, mais le contrôle n'est pas son rôle).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core import capacites
from core.perimetre import Perimetre


class Gravite(models.TextChoices):
    BLOQUANT = "bloquant", "Bloquant"
    AVERTISSEMENT = "avertissement", "Avertissement"
    INFORMATION = "information", "Information"


ORDRE_GRAVITES = {Gravite.BLOQUANT: 0, Gravite.AVERTISSEMENT: 1, Gravite.INFORMATION: 2}


class StatutSignalement(models.TextChoices):
    OUVERTE = "ouverte", "Ouverte"
    JUSTIFIEE = "justifiee", "Justifiée"
    CORRIGEE = "corrigee", "Corrigée"


class Source(models.TextChoices):
    REGLE = "regle", "Règle du questionnaire"
    DETECTEUR = "detecteur", "Détecteur de valeurs suspectes"


def departements_controle(perimetre: Perimetre) -> frozenset[str]:
    """Départements où l'utilisateur contrôle : il en suit la collecte et en voit les réponses brutes
    (les correspondants). Le national suit tout mais ne voit aucune réponse brute : ensemble vide, même
    s'il est aussi préparateur d'un département (voir ``core.capacites``)."""
    return capacites.departements_controle(perimetre)


def _portee(perimetre: Perimetre, chemin: str) -> Q | None:
    propres = perimetre.structures_propres
    departements = departements_controle(perimetre)
    if not propres and not departements:
        return None
    return Q(**{f"{chemin}structure_id__in": propres}) | Q(**{f"{chemin}structure__departement_id__in": departements})


class SignalementQuerySet(models.QuerySet):
    def visibles_par(self, perimetre: Perimetre):
        condition = _portee(perimetre, "reponse__")
        return self.filter(condition) if condition is not None else self.none()

    def presents(self):
        return self.filter(present=True)

    def a_traiter(self):
        return self.filter(present=True, statut=StatutSignalement.OUVERTE)


class Signalement(models.Model):
    """Une anomalie relevée sur une réponse par le contrôle (règle du questionnaire ou détecteur).

    ``signature`` (code et questions) l'identifie d'un contrôle à l'autre : relancer le contrôle met
    à jour message, détails et date de dernière détection, sans jamais dupliquer ; une anomalie qui
    a disparu est marquée absente et corrigée, et rouverte si elle revient."""

    campagne = models.ForeignKey("campagnes.Campagne", on_delete=models.CASCADE, related_name="signalements")
    reponse = models.ForeignKey("reponses.Reponse", on_delete=models.CASCADE, related_name="signalements")
    code = models.CharField("règle ou détecteur", max_length=40)
    signature = models.CharField("signature", max_length=200)
    source = models.CharField("source", max_length=20, choices=Source.choices)
    questions = models.JSONField("questions", default=list)
    gravite = models.CharField("gravité", max_length=20, choices=Gravite.choices)
    message = models.TextField("message")
    details = models.JSONField("détails du détecteur", default=dict, blank=True)
    premiere_detection = models.DateTimeField("première détection", default=timezone.now)
    derniere_detection = models.DateTimeField("dernière détection", default=timezone.now)
    present = models.BooleanField("toujours présente", default=True)
    statut = models.CharField(
        "statut", max_length=20, choices=StatutSignalement.choices, default=StatutSignalement.OUVERTE
    )
    justification = models.TextField("justification", blank=True)
    resolu_le = models.DateTimeField("corrigée le", null=True, blank=True)

    objects = SignalementQuerySet.as_manager()

    class Meta:
        verbose_name = "anomalie relevée"
        verbose_name_plural = "anomalies relevées"
        ordering = ["reponse", "code", "signature"]
        constraints = [
            models.UniqueConstraint(fields=["reponse", "signature"], name="une_anomalie_par_signature_et_reponse")
        ]
        indexes = [
            models.Index(fields=["campagne", "present", "statut"]),
            models.Index(fields=["campagne", "code"]),
        ]

    def __str__(self):
        return f"{self.code} — {self.reponse}"

    @property
    def codes_questions(self) -> str:
        return " ".join(self.questions)


class EtatInterpellation(models.TextChoices):
    OUVERTE = "ouverte", "Ouverte"
    REPONDUE = "repondue", "Répondue"
    RESOLUE = "resolue", "Résolue"
    ANNULEE = "annulee", "Annulée"


ETATS_EN_COURS = (EtatInterpellation.OUVERTE, EtatInterpellation.REPONDUE)


class InterpellationQuerySet(models.QuerySet):
    def visibles_par(self, perimetre: Perimetre):
        condition = _portee(perimetre, "reponse__")
        return self.filter(condition) if condition is not None else self.none()

    def en_cours(self):
        return self.filter(etat__in=ETATS_EN_COURS)


class Interpellation(models.Model):
    """Une question du correspondant à la structure sur sa réponse (ou sur une ou plusieurs réponses
    précises), avec une échéance. États : ouverte → répondue → résolue, ou annulée ; le correspondant
    peut rouvrir une interpellation répondue ou résolue. Chaque étape est un message daté et signé."""

    campagne = models.ForeignKey("campagnes.Campagne", on_delete=models.CASCADE, related_name="interpellations")
    reponse = models.ForeignKey("reponses.Reponse", on_delete=models.CASCADE, related_name="interpellations")
    questions = models.JSONField("questions concernées", default=list, blank=True)
    signalement = models.ForeignKey(
        Signalement, on_delete=models.SET_NULL, null=True, blank=True, related_name="interpellations"
    )
    texte = models.TextField("question posée")
    echeance = models.DateField("échéance")
    etat = models.CharField(
        "état", max_length=20, choices=EtatInterpellation.choices, default=EtatInterpellation.OUVERTE
    )
    ouverte_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisme = models.CharField("au titre de", max_length=200)
    ouverte_le = models.DateTimeField("ouverte le", default=timezone.now)
    repondue_le = models.DateTimeField("répondue le", null=True, blank=True)
    close_le = models.DateTimeField("résolue ou annulée le", null=True, blank=True)
    close_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InterpellationQuerySet.as_manager()

    class Meta:
        verbose_name = "interpellation"
        ordering = ["-ouverte_le", "-pk"]
        indexes = [models.Index(fields=["campagne", "etat"]), models.Index(fields=["reponse", "etat"])]

    def __str__(self):
        return f"Interpellation n° {self.pk} — {self.reponse}"

    @property
    def en_cours(self) -> bool:
        return self.etat in ETATS_EN_COURS

    @property
    def codes_questions(self) -> str:
        return " ".join(self.questions)


class Action(models.TextChoices):
    OUVERTURE = "ouverture", "Ouverture"
    MESSAGE = "message", "Message"
    CORRECTION = "correction", "Correction de la réponse"
    JUSTIFICATION = "justification", "Justification"
    RESOLUTION = "resolution", "Résolution"
    REOUVERTURE = "reouverture", "Réouverture"
    ANNULATION = "annulation", "Annulation"


class MessageInterpellation(models.Model):
    """Un pas du fil d'une interpellation : qui (personne, rôle, organisme), quand, quoi, et les
    changements de réponses qu'il a enregistrés (historique des réponses)."""

    interpellation = models.ForeignKey(Interpellation, on_delete=models.CASCADE, related_name="messages")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField("rôle", max_length=20)
    organisme = models.CharField("au titre de", max_length=200)
    action = models.CharField("action", max_length=20, choices=Action.choices)
    texte = models.TextField("message", blank=True)
    le = models.DateTimeField("le", default=timezone.now)
    changements = models.ManyToManyField(
        "reponses.ReponseHistorique", blank=True, related_name="messages_interpellation", verbose_name="changements"
    )

    class Meta:
        verbose_name = "message d'interpellation"
        verbose_name_plural = "messages d'interpellation"
        ordering = ["le", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} — {self.organisme} le {self.le:%d/%m/%Y}"


class NatureRelance(models.TextChoices):
    NON_DEPOSEE = "non_deposee", "Réponse non déposée"
    INTERPELLATION = "interpellation", "Interpellation sans réponse"


class Relance(models.Model):
    """Un courriel de relance envoyé à une structure (qui, quand, pourquoi, à qui)."""

    campagne = models.ForeignKey("campagnes.Campagne", on_delete=models.CASCADE, related_name="relances")
    structure = models.ForeignKey("structures.Structure", on_delete=models.CASCADE, related_name="relances")
    nature = models.CharField("nature", max_length=20, choices=NatureRelance.choices)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisme = models.CharField("au titre de", max_length=200)
    destinataires = models.JSONField("destinataires", default=list)
    le = models.DateTimeField("envoyée le", default=timezone.now)

    class Meta:
        verbose_name = "relance"
        ordering = ["-le", "-pk"]
        indexes = [models.Index(fields=["campagne", "structure", "-le"])]

    def __str__(self):
        return f"Relance {self.get_nature_display().lower()} — {self.structure} le {self.le:%d/%m/%Y}"


class ActionValidation(models.TextChoices):
    VALIDER = "valider", "Validation"
    DEVERROUILLER = "deverrouiller", "Déverrouillage"


class EvenementValidation(models.Model):
    """Validation d'une réponse par un correspondant (qui la verrouille) ou déverrouillage motivé."""

    reponse = models.ForeignKey("reponses.Reponse", on_delete=models.CASCADE, related_name="evenements_validation")
    action = models.CharField("action", max_length=20, choices=ActionValidation.choices)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisme = models.CharField("au titre de", max_length=200)
    le = models.DateTimeField("le", default=timezone.now)
    motif = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "validation d'une réponse"
        verbose_name_plural = "validations des réponses"
        ordering = ["-le", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} — {self.reponse} le {self.le:%d/%m/%Y}"
