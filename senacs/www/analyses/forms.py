"""Le formulaire GET du constructeur d'analyses, lu et validé par un ``Form`` Django."""

from django import forms
from django.http import Http404

from core.analyses.modele import DIMENSIONS
from senacs.statistiques.selectors import Territoire


class _Liste(forms.Field):
    """Toutes les valeurs non vides d'un paramètre répété (cases à cocher) ; validées par le formulaire."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return [v for v in (value or []) if v.strip()]


class ConstructeurForm(forms.Form):
    """Indicateur × territoire × ventilations × campagnes × filtres. Les messages sont en français ; un
    territoire connu mais hors des mandats lève ``Http404`` (on ne révèle rien au-delà)."""

    indicateur = forms.CharField(required=False)
    territoire = forms.CharField(required=False)
    dimension1 = forms.CharField(required=False)
    dimension2 = forms.CharField(required=False)
    campagne = _Liste(required=False)

    def __init__(self, *args, indicateurs, territoires, campagnes, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicateurs = {i.code for i in indicateurs}
        self.territoires = {c for c, _ in territoires}
        self.annees = {c.annee for c in campagnes}
        self.campagnes_lues: list[int] = []
        for code in DIMENSIONS:
            self.fields[f"filtre_{code}"] = _Liste(required=False)

    def clean_indicateur(self):
        indicateur = self.cleaned_data["indicateur"]
        if indicateur not in self.indicateurs:
            raise forms.ValidationError("Choisissez un indicateur dans la liste.")
        return indicateur

    def clean_territoire(self):
        territoire = self.cleaned_data["territoire"]
        if not territoire:
            raise forms.ValidationError("Choisissez un territoire.")
        if territoire not in self.territoires:
            if Territoire.depuis_cle(territoire) is None or territoire[:2] not in ("FR", "R:", "D:"):
                raise forms.ValidationError("Territoire inconnu : choisissez un territoire dans la liste.")
            raise Http404("Territoire hors de vos mandats.")
        return territoire

    def _dimension(self, nom: str) -> str:
        valeur = self.cleaned_data[nom]
        if valeur and valeur not in DIMENSIONS:
            raise forms.ValidationError("Choisissez une ventilation dans la liste.")
        return valeur

    def clean_dimension1(self):
        return self._dimension("dimension1")

    def clean_dimension2(self):
        return self._dimension("dimension2")

    def clean_campagne(self):
        """Les campagnes lisibles et diffusées sont gardées (pour réafficher les cases) même si une autre
        est refusée ; le dernier motif de refus l'emporte."""
        erreur = None
        for brut in self.cleaned_data["campagne"]:
            try:
                annee = int(brut)
            except ValueError:
                erreur = "Campagne illisible : cochez des campagnes dans la liste."
                continue
            if annee not in self.annees:
                erreur = "Cochez uniquement des campagnes diffusées."
            elif annee not in self.campagnes_lues:
                self.campagnes_lues.append(annee)
        if erreur is None and not self.campagnes_lues:
            erreur = "Cochez au moins une campagne."
        if erreur:
            raise forms.ValidationError(erreur)
        return list(self.campagnes_lues)

    def clean(self):
        donnees = super().clean()
        dimension1 = self.data.get("dimension1", "").strip()
        if dimension1 and dimension1 == self.data.get("dimension2", "").strip():
            self.errors.pop("dimension2", None)  # ce motif l'emporte sur « dans la liste »
            self.add_error("dimension2", "La seconde ventilation doit être différente de la première.")
        for code, dimension in DIMENSIONS.items():
            valeurs = donnees.get(f"filtre_{code}") or []
            if valeurs and code != "territoire" and not set(valeurs) <= {m for m, _ in dimension.modalites}:
                self.add_error(f"filtre_{code}", f"Modalité inconnue pour « {dimension.libelle} ».")
        return donnees

    def filtres(self) -> dict[str, list[str]]:
        """Filtres lus (modalités triées, sans doublon), hors de ceux qui sont refusés."""
        return {
            code: sorted(set(valeurs))
            for code in DIMENSIONS
            if f"filtre_{code}" not in self.errors and (valeurs := self.cleaned_data.get(f"filtre_{code}"))
        }
