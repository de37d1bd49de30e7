from django import forms
from django.contrib.auth.forms import AuthenticationForm

from senacs.comptes.models import Notifications


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
