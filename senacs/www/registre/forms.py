from django import forms

from core import registre
from core.registre import FichierIllisible

TAILLE_MAX = 5 * 1024 * 1024  # 5 Mo


class ImportRegistreForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier du registre",
        help_text="Classeur XLSX ou ODS, ou fichier CSV (UTF-8, séparateur « ; » ou « , »), 5 Mo au plus.",
        widget=forms.FileInput(attrs={"accept": ".xlsx,.ods,.xls,.csv"}),
        error_messages={"required": "Choisissez le fichier du registre à importer."},
    )

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
