from django import forms

from core.formats import ErreurSaisie, lire_date
from senacs.journal.models import Nature


class DateFrancaiseField(forms.CharField):
    """Date saisie en JJ/MM/AAAA (ou AAAA-MM-JJ)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return lire_date(value)
        except ErreurSaisie as exc:
            raise forms.ValidationError(exc.message) from exc


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
