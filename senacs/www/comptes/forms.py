from django import forms
from django.contrib.auth.forms import AuthenticationForm


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
