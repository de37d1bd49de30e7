from django import forms

LONGUEUR_MAX = 5000


class _FormulaireDuFil(forms.Form):
    """Plusieurs formulaires sur la même page : chacun ses identifiants (``id_<nom>_<champ>``)."""

    nom = "formulaire"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.nom}_%s")
        super().__init__(*args, **kwargs)


def _zone_message(label: str, required: bool = True, aide: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=LONGUEUR_MAX,
        help_text=aide,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Écrivez votre message : il est obligatoire.",
            "max_length": f"Le message dépasse {LONGUEUR_MAX} caractères.",
        },
    )


class ContestationForm(_FormulaireDuFil):
    nom = "contestation"
    message = _zone_message(
        "Pourquoi contestez-vous cette saisie ?",
        aide="Votre message ouvre une discussion avec vos correspondants SENACS (Caf et fédération).",
    )


class MessageForm(_FormulaireDuFil):
    nom = "message"
    message = _zone_message("Votre message")


class CorrectionForm(_FormulaireDuFil):
    nom = "correction"
    valeur = forms.CharField(
        label="Réponse corrigée",
        max_length=LONGUEUR_MAX,
        help_text="Comme dans le questionnaire : 1 234,56 ; 12,5 % ; 29/11/2026 ; oui ou non ; code du choix.",
        error_messages={"required": "Saisissez la réponse corrigée."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    message = _zone_message("Message à la structure (facultatif)", required=False)
