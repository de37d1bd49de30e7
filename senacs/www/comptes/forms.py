from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm

from core.roles import Niveau, Organisme, Role
from senacs.comptes.models import Notifications
from senacs.structures.models import Structure
from senacs.territoires.models import Caf, Departement, Federation, Region


class ConnexionForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


class CharteForm(forms.Form):
    accepte = forms.BooleanField(
        label="J'ai lu la charte d'utilisation des données SENACS et je m'engage à la respecter.",
        error_messages={"required": "Vous devez accepter la charte pour accéder aux données."},
    )


class NotificationsForm(forms.Form):
    notifications = forms.ChoiceField(
        label="Comment voulez-vous être prévenu de ce qui vous attend ?",
        choices=Notifications.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une des deux possibilités.", "invalid_choice": "Choix inconnu."},
    )


# --------------------------------------------------------------------------- mandats et invitations


class MandatCorrespondantForm(forms.Form):
    """Le national accorde un mandat de correspondant (ou de préparateur) pour le compte d'une Caf ou
    d'une fédération, sur un département ou une région."""

    email = forms.EmailField(label="Adresse électronique de la personne")
    prenom = forms.CharField(label="Prénom", required=False, max_length=100)
    nom = forms.CharField(label="Nom", required=False, max_length=100)
    role = forms.ChoiceField(
        label="Rôle",
        choices=[(Role.CORRESPONDANT.value, "Correspondant SENACS"), (Role.PREPARATEUR.value, "Préparateur du COPIL")],
    )
    departement = forms.ModelChoiceField(
        label="Département", queryset=Departement.objects.order_by("code"), required=False, empty_label="—"
    )
    region = forms.ModelChoiceField(label="ou région", queryset=Region.objects.order_by("nom"), required=False)
    caf = forms.ModelChoiceField(label="Caf mandante", queryset=Caf.objects.all(), required=False)
    federation = forms.ModelChoiceField(
        label="ou fédération mandante", queryset=Federation.objects.all(), required=False
    )
    date_debut = forms.DateField(label="Début", input_formats=["%d/%m/%Y", "%Y-%m-%d"], help_text="JJ/MM/AAAA")
    date_fin = forms.DateField(
        label="Fin", input_formats=["%d/%m/%Y", "%Y-%m-%d"], help_text="JJ/MM/AAAA", required=False
    )

    def clean(self):
        d = super().clean()
        if bool(d.get("departement")) == bool(d.get("region")):
            raise forms.ValidationError("Choisissez un département ou une région (l'un des deux).")
        if bool(d.get("caf")) == bool(d.get("federation")):
            raise forms.ValidationError("Choisissez l'organisme mandant : une Caf ou une fédération (l'un des deux).")
        if d.get("date_fin") and d.get("date_debut") and d["date_fin"] < d["date_debut"]:
            self.add_error("date_fin", "La fin doit suivre le début.")
        d["niveau"] = Niveau.DEPARTEMENT if d.get("departement") else Niveau.REGION
        d["organisme"] = Organisme.CAF if d.get("caf") else Organisme.FEDERATION
        return d


class InvitationStructuresForm(forms.Form):
    """Le correspondant invite les comptes de plusieurs structures à partir des adresses du registre."""

    structures = forms.ModelMultipleChoiceField(
        label="Structures à inviter",
        queryset=Structure.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins une structure."},
    )
    date_fin = forms.DateField(
        label="Fin des mandats", input_formats=["%d/%m/%Y", "%Y-%m-%d"], help_text="JJ/MM/AAAA", required=False
    )

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structures"].queryset = structures
        self.fields["structures"].label_from_instance = lambda s: f"{s.nom} ({s.identifiant}) — {s.email}"


class ReinitialisationForm(PasswordResetForm):
    email = forms.EmailField(label="Adresse électronique", widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class NouveauMotDePasseForm(SetPasswordForm):
    error_messages = {"password_mismatch": "Les deux mots de passe ne sont pas identiques."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Nouveau mot de passe"
        self.fields["new_password2"].label = "Confirmez le nouveau mot de passe"
        self.fields["new_password1"].help_text = "12 caractères au moins, pas uniquement des chiffres."


class ChangementMotDePasseForm(PasswordChangeForm):
    error_messages = {
        "password_mismatch": "Les deux mots de passe ne sont pas identiques.",
        "password_incorrect": "Le mot de passe actuel est incorrect.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Mot de passe actuel"
        self.fields["new_password1"].label = "Nouveau mot de passe"
        self.fields["new_password2"].label = "Confirmez le nouveau mot de passe"
        self.fields["new_password1"].help_text = "12 caractères au moins, pas uniquement des chiffres."


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code à usage unique",
        max_length=16,
        help_text="Les 6 chiffres affichés par votre application, ou un code de secours.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": "Saisissez le code."},
    )
