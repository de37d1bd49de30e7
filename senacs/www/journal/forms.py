from django import forms

from core.formats import ErreurSaisie, lire_date
from senacs.journal.models import Nature


class DateFrancaiseField(forms.CharField):
    """Date saisie en JJ/MM/AAAA (ou AAAA-MM-JJ), entre 1900 et 2100 (au-delà, le passage en heure
    universelle déborderait : « 01/01/0001 » est refusé avec un message, jamais une erreur 500)."""

    ANNEES = (1900, 2100)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            date = lire_date(value)
        except (ErreurSaisie, ValueError, OverflowError) as exc:
            raise forms.ValidationError(getattr(exc, "message", "Date invalide : indiquez JJ/MM/AAAA.")) from exc
        if not self.ANNEES[0] <= date.year <= self.ANNEES[1]:
            raise forms.ValidationError(f"Indiquez une date entre {self.ANNEES[0]} et {self.ANNEES[1]}.")
        return date


class RechercheJournalForm(forms.Form):
    structure = forms.CharField(
        label="Structure", required=False, max_length=200, help_text="Nom, identifiant SENACS ou commune."
    )
    utilisateur = forms.CharField(label="Personne", required=False, max_length=200, help_text="Nom ou adresse.")
    du = DateFrancaiseField(label="Du", required=False, help_text="JJ/MM/AAAA")
    au = DateFrancaiseField(label="Au", required=False, help_text="JJ/MM/AAAA")
    nature = forms.ChoiceField(label="Nature de l'accès", required=False, choices=[("", "Toutes"), *Nature.choices])

    def clean(self):
        donnees = super().clean()
        du, au = donnees.get("du"), donnees.get("au")
        if du and au and au < du:
            self.add_error("au", "La fin de la période doit suivre son début.")
        return donnees
