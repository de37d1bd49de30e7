from django import forms
from django.utils import timezone

from senacs.comptes.models import Utilisateur
from senacs.copil.models import Cote
from senacs.www.journal.forms import DateFrancaiseField


class CompteField(forms.EmailField):
    """Adresse électronique d'un compte existant et actif."""

    def clean(self, value):
        email = super().clean(value)
        if not email:
            return None
        utilisateur = Utilisateur.objects.filter(email__iexact=email, is_active=True).first()
        if utilisateur is None:
            raise forms.ValidationError(
                "Aucun compte actif n'a cette adresse : l'administrateur de la plateforme doit d'abord le créer."
            )
        return utilisateur


class MembreForm(forms.Form):
    utilisateur = CompteField(label="Adresse électronique du membre")
    cote = forms.ChoiceField(label="Côté", choices=Cote.choices, widget=forms.RadioSelect)
    date_debut = DateFrancaiseField(label="Début", required=False, help_text="JJ/MM/AAAA ; vide : aujourd'hui.")
    date_fin = DateFrancaiseField(label="Fin", required=False, help_text="JJ/MM/AAAA ; vide : sans limite.")


class InviteForm(forms.Form):
    utilisateur = CompteField(label="Adresse électronique de l'invité")
    qualite = forms.CharField(label="Qualité", max_length=200, required=False, help_text="Centre, partenaire…")


class InvitationCourrielForm(forms.Form):
    """Un membre invite une personne par son adresse ; le compte est créé s'il n'existe pas."""

    email = forms.EmailField(
        label="Adresse électronique de l'invité",
        max_length=254,
        error_messages={
            "required": "Indiquez l'adresse électronique de la personne à inviter.",
            "invalid": "Cette adresse électronique n'est pas valide (exemple : prenom.nom@exemple.fr).",
        },
    )
    prenom = forms.CharField(label="Prénom", max_length=100, required=False)
    nom = forms.CharField(label="Nom", max_length=100, required=False)
    qualite = forms.CharField(label="Qualité", max_length=200, required=False, help_text="Centre, partenaire…")
    date_fin = DateFrancaiseField(
        label="Fin de l'invitation", required=False, help_text="JJ/MM/AAAA ; vide : jusqu'au retrait."
    )

    def clean_date_fin(self):
        fin = self.cleaned_data["date_fin"]
        if fin is not None and fin < timezone.localdate():
            raise forms.ValidationError("La fin de l'invitation ne peut pas précéder aujourd'hui.")
        return fin


class PropositionForm(forms.Form):
    designe = CompteField(label="Adresse électronique de la personne proposée")
    campagne = forms.ChoiceField(label="Campagne")

    def __init__(self, *args, campagnes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campagne"].choices = [(str(c.annee), f"Campagne {c.annee}") for c in campagnes]


class PartageForm(forms.Form):
    campagne = forms.ChoiceField(label="Tableaux de la campagne")
    section = forms.ChoiceField(label="Section", required=False)
    titre = forms.CharField(label="Titre du document", max_length=200)

    def __init__(self, *args, campagnes=(), sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campagne"].choices = [(str(c.annee), f"Campagne {c.annee}") for c in campagnes]
        self.fields["section"].choices = [("", "Toutes les sections"), *[(c, f"{c}. {t}") for c, t in sections]]
