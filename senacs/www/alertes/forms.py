from django import forms

LONGUEUR_MAX = 5000


class _FormulaireDuFil(forms.Form):
    """Plusieurs formulaires sur la même page : chacun ses identifiants (``id_<nom>_<champ>``)."""

    nom = "formulaire"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.nom}_%s")
        super().__init__(*args, **kwargs)


def _zone(label: str, *, required: bool = True, aide: str = "", lignes: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=LONGUEUR_MAX,
        help_text=aide,
        widget=forms.Textarea(attrs={"rows": lignes}),
        error_messages={
            "required": "Ce champ est obligatoire : écrivez quelques mots.",
            "max_length": f"{LONGUEUR_MAX} caractères au plus.",
        },
    )


class ChoixQuestionForm(forms.Form):
    """Page autonome : choisir la question dont on veut parler (GET)."""

    question = forms.ChoiceField(label="Question", error_messages={"invalid_choice": "Cette question n'existe pas."})

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [("", "Choisissez une question")] + [
            (q.code, f"{q.code} — {q.libelle}") for q in questions
        ]


class SignalementForm(forms.Form):
    structure = forms.TypedChoiceField(
        label="Structure concernée",
        coerce=int,
        error_messages={"invalid_choice": "Choisissez l'une de vos structures."},
    )
    texte = _zone(
        "Qu'est-ce qui n'est pas clair dans cette question ?",
        aide="Votre message part chez vos correspondants SENACS (Caf et fédération), qui vous répondent ou "
        "le transmettent au comité technique national.",
    )

    def __init__(self, *args, structures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].choices = [(s.pk, s.nom) for s in structures]
        self.unique = self.fields["structure"].choices[0][0] if len(self.fields["structure"].choices) == 1 else None
        if self.unique is not None:  # une seule structure : pas de choix à faire
            self.fields["structure"].widget = forms.HiddenInput()
            self.fields["structure"].initial = self.unique
            self.fields["structure"].required = False

    def clean_structure(self):
        return self.cleaned_data.get("structure") or self.unique


class MessageForm(_FormulaireDuFil):
    nom = "completer"
    texte = _zone("Votre message")


class ReponseForm(_FormulaireDuFil):
    nom = "reponse"
    texte = _zone("Votre réponse à la structure")


class TransmissionForm(_FormulaireDuFil):
    nom = "transmission"
    texte = _zone(
        "Message au comité technique national (facultatif)",
        required=False,
        aide="Pourquoi la question appelle une réponse nationale, ce que vous avez déjà répondu…",
        lignes=3,
    )


class FAQForm(_FormulaireDuFil):
    nom = "faq"
    question = _zone(
        "Question, telle qu'elle figurera dans le guide",
        aide="Reformulez-la sans nommer la structure : toutes les structures la liront.",
        lignes=3,
    )
    reponse = _zone("Réponse du guide")
