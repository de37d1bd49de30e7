from django import forms

from senacs.campagnes.models import Campagne
from senacs.campagnes.selectors import ETATS, LIBELLES_ETATS
from senacs.www.campagnes.affichage import choix_departements

AVANCER = "avancer"
RECULER = "reculer"
HORS_PERIMETRE = "Ce département n'est pas dans votre périmètre."
MOTIF_OBLIGATOIRE = "Indiquez le motif du retour à la phase précédente : il est obligatoire."


class ChangementPhaseForm(forms.Form):
    """Avancer ou reculer d'une phase. La phase affichée est renvoyée : un double envoi ne fait pas sauter de phase."""

    sens = forms.ChoiceField(choices=[(AVANCER, "Avancer"), (RECULER, "Reculer")], widget=forms.HiddenInput)
    phase_actuelle = forms.CharField(widget=forms.HiddenInput)
    motif = forms.CharField(label="Motif", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, campagne: Campagne, **kwargs):
        super().__init__(*args, **kwargs)
        self.campagne = campagne
        sens = self.data.get("sens") if self.is_bound else self.initial.get("sens")
        motif = self.fields["motif"]
        if sens == RECULER:
            motif.label = "Motif du retour à la phase précédente"
            motif.required = True
            motif.error_messages["required"] = MOTIF_OBLIGATOIRE
        else:
            motif.label = "Commentaire (facultatif)"

    def clean(self):
        donnees = super().clean()
        if self.errors:
            return donnees
        if donnees["phase_actuelle"] != self.campagne.phase:
            raise forms.ValidationError(
                "La phase de la campagne a changé entre-temps : vérifiez la phase en cours avant de recommencer."
            )
        cible = self.campagne.phase_suivante() if donnees["sens"] == AVANCER else self.campagne.phase_precedente()
        if cible is None:
            raise forms.ValidationError(
                "La campagne est déjà à la dernière phase."
                if donnees["sens"] == AVANCER
                else "La campagne est déjà à la première phase."
            )
        if donnees["sens"] == RECULER and not donnees.get("motif", "").strip():
            self.add_error("motif", MOTIF_OBLIGATOIRE)
        donnees["nouvelle_phase"] = cible
        return donnees


class ProrogationForm(forms.Form):
    departement = forms.ChoiceField(label="Département", error_messages={"invalid_choice": HORS_PERIMETRE})
    date_fin_saisie = forms.DateField(
        label="Nouvelle date limite de saisie",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide au format JJ/MM/AAAA."},
    )
    motif = forms.CharField(label="Motif", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, campagne: Campagne, departements, **kwargs):
        super().__init__(*args, **kwargs)
        self.campagne = campagne
        self.fields["departement"].choices = [("", "Choisissez un département")] + choix_departements(departements)
        if len(departements) == 1:
            self.fields["departement"].initial = next(iter(departements))
        self.fields["date_fin_saisie"].help_text = (
            f"Entre le {campagne.date_fin_saisie:%d/%m/%Y} (date nationale) et le "
            f"{campagne.date_fin_controle:%d/%m/%Y} (fin du contrôle de cohérence)."
        )

    def clean_date_fin_saisie(self):
        date = self.cleaned_data["date_fin_saisie"]
        if date < self.campagne.date_fin_saisie:
            raise forms.ValidationError(
                f"La nouvelle date limite ne peut pas précéder la date nationale de fin de saisie "
                f"({self.campagne.date_fin_saisie:%d/%m/%Y})."
            )
        if date > self.campagne.date_fin_controle:
            raise forms.ValidationError(
                f"La nouvelle date limite doit rester avant la fin du contrôle de cohérence "
                f"({self.campagne.date_fin_controle:%d/%m/%Y})."
            )
        return date


class FiltreSuiviForm(forms.Form):
    """Filtres de la liste de suivi ; les départements proposés (et acceptés) sont ceux du périmètre."""

    departement = forms.ChoiceField(
        label="Département", required=False, error_messages={"invalid_choice": HORS_PERIMETRE}
    )
    etat = forms.ChoiceField(
        label="État de la réponse",
        required=False,
        choices=[("", "Tous les états")] + [(e, LIBELLES_ETATS[e]) for e in ETATS],
        error_messages={"invalid_choice": "Cet état n'existe pas."},
    )

    def __init__(self, *args, departements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", "Tous vos départements")] + choix_departements(departements)
