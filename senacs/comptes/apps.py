from django.apps import AppConfig


class Config(AppConfig):
    name = "senacs.comptes"
    label = "comptes"
