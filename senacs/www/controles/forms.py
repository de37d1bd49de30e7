"""Formulaires du contrôle de cohérence. Tout filtre de territoire est validé contre le périmètre :
un département hors périmètre est refusé (jamais pris tel quel dans la requête)."""

import datetime

from django import forms
from django.utils import timezone

from core.formats import ErreurSaisie
from core.questionnaire.saisie import lire, vers_formulaire
from senacs.controles.models import Gravite, NatureRelance, StatutSignalement
from senacs.controles.services import LONGUEUR_MAX_TEXTE, LONGUEUR_MIN_MOTIF, delai_interpellation_jours
from senacs.www.campagnes.affichage import choix_departements

HORS_PERIMETRE = "Ce département n'est pas dans votre périmètre."
FORMATS_DATE = ["%d/%m/%Y", "%Y-%m-%d"]

TRIS = {
    "gravite": ("Gravité", ("gravite_rang", "reponse__structure__departement_id", "reponse__structure__nom", "code")),
    "code": ("Règle ou détecteur", ("code", "reponse__structure__departement_id", "reponse__structure__nom")),
    "structure": ("Structure", ("reponse__structure__nom", "gravite_rang", "code")),
    "departement": ("Département", ("reponse__structure__departement_id", "reponse__structure__nom", "gravite_rang")),
    "recent": ("Détection la plus récente", ("-derniere_detection", "gravite_rang", "code")),
}


def echeance_par_defaut() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=delai_interpellation_jours())


class ChampEcheance(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Échéance")
        kwargs.setdefault("help_text", "Date à laquelle la structure doit avoir répondu (JJ/MM/AAAA).")
        kwargs.setdefault("input_formats", FORMATS_DATE)
        kwargs.setdefault("error_messages", {"invalid": "Saisissez une date valide au format JJ/MM/AAAA."})
        kwargs.setdefault("widget", forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value < timezone.localdate():
            raise forms.ValidationError("L'échéance ne peut pas être passée.")


class FiltreSignalementsForm(forms.Form):
    gravite = forms.ChoiceField(label="Gravité", required=False)
    code = forms.ChoiceField(label="Règle ou détecteur", required=False)
    departement = forms.ChoiceField(
        label="Département", required=False, error_messages={"invalid_choice": HORS_PERIMETRE}
    )
    structure = forms.CharField(label="Structure (nom ou identifiant)", required=False, max_length=80, strip=True)
    statut = forms.ChoiceField(label="Statut", required=False)
    tri = forms.ChoiceField(label="Trier par", required=False, choices=[(k, v[0]) for k, v in TRIS.items()])

    def __init__(self, *args, departements, codes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gravite"].choices = [("", "Toutes")] + list(Gravite.choices)
        self.fields["code"].choices = [("", "Tous")] + [(c, c) for c in codes]
        self.fields["departement"].choices = [("", "Tout le périmètre")] + choix_departements(departements)
        self.fields["statut"].choices = [
            ("", "À traiter"),
            (StatutSignalement.JUSTIFIEE.value, "Justifiées"),
            (StatutSignalement.CORRIGEE.value, "Corrigées"),
            ("toutes", "Toutes"),
        ]


class InterpellationForm(forms.Form):
    questions = forms.MultipleChoiceField(
        label="Réponses concernées",
        required=False,
        help_text="Laissez vide pour une question sur l'ensemble de la réponse. La structure pourra corriger "
        "les réponses cochées.",
        widget=forms.CheckboxSelectMultiple,
    )
    texte = forms.CharField(
        label="Question posée à la structure",
        max_length=LONGUEUR_MAX_TEXTE,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Écrivez la question posée à la structure."},
    )
    echeance = ChampEcheance()

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questions"].choices = questions


class InterpellationMasseForm(forms.Form):
    signalements = forms.TypedMultipleChoiceField(
        label="Anomalies", coerce=int, error_messages={"required": "Cochez au moins une anomalie."}
    )
    echeance = ChampEcheance()
    complement = forms.CharField(
        label="Complément ajouté à chaque message (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, choix, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signalements"].choices = [(pk, str(pk)) for pk in choix]
        self.fields["signalements"].error_messages["invalid_choice"] = (
            "Une des anomalies cochées n'est pas (ou plus) dans votre périmètre."
        )


class TexteForm(forms.Form):
    texte = forms.CharField(label="Message", required=False, max_length=LONGUEUR_MAX_TEXTE, widget=forms.Textarea)

    def __init__(self, *args, label="Message", obligatoire=False, **kwargs):
        super().__init__(*args, **kwargs)
        champ = self.fields["texte"]
        champ.label = label
        champ.required = obligatoire
        champ.widget.attrs["rows"] = 3
        champ.error_messages["required"] = f"{label} : ce champ est obligatoire."


class DeverrouillageForm(forms.Form):
    motif = forms.CharField(
        label="Motif du déverrouillage",
        max_length=2000,
        min_length=LONGUEUR_MIN_MOTIF,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire : il est journalisé et visible de la structure.",
        error_messages={
            "required": "Le motif du déverrouillage est obligatoire.",
            "min_length": "Expliquez en une phrase pourquoi vous déverrouillez cette réponse.",
        },
    )


class RelanceForm(forms.Form):
    nature = forms.ChoiceField(label="Qui relancer", choices=NatureRelance.choices)
    departement = forms.ChoiceField(
        label="Département", required=False, error_messages={"invalid_choice": HORS_PERIMETRE}
    )
    message = forms.CharField(
        label="Quelques mots de votre part (facultatif)",
        help_text="Placés en tête du courriel type, avant le texte affiché dans l'aperçu ci-dessous.",
        required=False,
        max_length=LONGUEUR_MAX_TEXTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Votre message est trop long (%(limit_value)d caractères au plus)."},
    )

    def __init__(self, *args, departements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nature"].choices = [
            (NatureRelance.NON_DEPOSEE.value, "Les structures qui n'ont pas déposé leur réponse"),
            (NatureRelance.INTERPELLATION.value, "Les structures qui n'ont pas répondu à une interpellation"),
        ]
        self.fields["departement"].choices = [("", "Tout le périmètre")] + choix_departements(departements)


class CorrectionForm(forms.Form):
    """Une ligne par réponse visée par l'interpellation : nouvelle valeur (texte à la française, choix
    ou cases) et version chargée (conflit si la réponse a changé entre-temps)."""

    texte = forms.CharField(
        label="Message à votre correspondant (facultatif)",
        required=False,
        max_length=LONGUEUR_MAX_TEXTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, questions, modele, reponse, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.modele = modele
        for q in self.questions:
            valeur = reponse.valeurs.get(q.code)
            libelle = f"{q.code} — {q.libelle}" + (f" ({q.unite})" if q.unite else "")
            libelles = modele.libelles_choix(q.code) if q.liste else {}
            if q.type == "choix_unique":
                champ = forms.ChoiceField(label=libelle, required=False, choices=[("", "—")] + list(libelles.items()))
            elif q.type == "choix_multiple":
                champ = forms.MultipleChoiceField(
                    label=libelle, required=False, choices=list(libelles.items()), widget=forms.CheckboxSelectMultiple
                )
            elif q.type == "oui_non":
                champ = forms.ChoiceField(
                    label=libelle, required=False, choices=[("", "—"), ("oui", "Oui"), ("non", "Non")]
                )
            else:
                champ = forms.CharField(label=libelle, required=False, max_length=5000)
            champ.help_text = (
                "Valeur à la française : 1 234,5 ; date JJ/MM/AAAA."
                if q.type
                not in (
                    "choix_unique",
                    "choix_multiple",
                    "oui_non",
                )
                else ""
            )
            champ.initial = vers_formulaire(q, valeur)
            self.fields[f"q_{q.code}"] = champ
            self.fields[f"v_{q.code}"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=reponse.versions.get(q.code, 0), min_value=0
            )
        self.order_fields([f"q_{q.code}" for q in self.questions] + ["texte"])

    def champs_questions(self):
        return [self[f"q_{q.code}"] for q in self.questions]

    def champs_versions(self):
        return [self[f"v_{q.code}"] for q in self.questions]

    def clean(self):
        donnees = super().clean()
        saisies = {}
        for q in self.questions:
            brut = donnees.get(f"q_{q.code}")
            version = donnees.get(f"v_{q.code}")
            if version is None:
                self.add_error(None, "Le formulaire est incomplet : rechargez la page.")
                continue
            codes = list(self.modele.libelles_choix(q.code)) if q.liste else []
            try:
                valeur = lire(q, brut, codes)
            except ErreurSaisie as erreur:
                self.add_error(f"q_{q.code}", erreur.message)
                continue
            saisies[q.code] = (valeur, version)
        donnees["saisies"] = saisies
        return donnees
