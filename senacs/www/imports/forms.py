from django import forms

from core import registre
from core.registre import FichierIllisible
from senacs.campagnes.models import Campagne
from senacs.reponses.importation import PHASES_IMPORT

TAILLE_MAX = 5 * 1024 * 1024  # 5 Mo


class ImportReponsesForm(forms.Form):
    campagne = forms.ModelChoiceField(
        label="Campagne",
        queryset=Campagne.objects.none(),
        to_field_name="annee",
        empty_label=None,
        error_messages={
            "required": "Choisissez la campagne.",
            "invalid_choice": "Les réponses s'importent dans une campagne en saisie ou en contrôle.",
        },
    )
    fichier = forms.FileField(
        label="Fichier des réponses",
        help_text="Classeur XLSX ou ODS, ou fichier CSV (UTF-8, séparateur « ; » ou « , »), 5 Mo au plus.",
        widget=forms.FileInput(attrs={"accept": ".xlsx,.ods,.xls,.csv"}),
        error_messages={"required": "Choisissez le fichier des réponses à importer."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campagne"].queryset = Campagne.objects.filter(phase__in=PHASES_IMPORT).order_by("-annee")
        self.fields["campagne"].label_from_instance = lambda c: f"Campagne {c.annee} ({c.get_phase_display().lower()})"

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX:
            taille = f"{fichier.size / 1024 / 1024:.1f}".replace(".", ",")
            raise forms.ValidationError(f"Le fichier pèse {taille} Mo : la limite est de 5 Mo.")
        try:
            self.extension = registre.extension_de(fichier.name or "")
        except FichierIllisible as e:
            message = str(e)
            raise forms.ValidationError(message[0].upper() + message[1:]) from e
        self.contenu = fichier.read(TAILLE_MAX + 1)
        if len(self.contenu) > TAILLE_MAX:
            raise forms.ValidationError("Le fichier dépasse la limite de 5 Mo.")
        if not self.contenu:
            raise forms.ValidationError("Le fichier est vide.")
        return fichier
