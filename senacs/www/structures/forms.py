from django import forms

from senacs.www.campagnes.affichage import choix_departements
from senacs.www.campagnes.forms import HORS_PERIMETRE


class FiltreStructuresForm(forms.Form):
    """Filtres de la liste des structures ; les départements proposés (et acceptés) sont ceux du périmètre."""

    q = forms.CharField(label="Nom, commune ou identifiant", required=False, max_length=100)
    departement = forms.ChoiceField(
        label="Département", required=False, error_messages={"invalid_choice": HORS_PERIMETRE}
    )

    def __init__(self, *args, departements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", "Tous vos départements")] + choix_departements(departements)
