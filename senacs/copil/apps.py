from django.apps import AppConfig


class Config(AppConfig):
    name = "senacs.copil"
    label = "copil"
    verbose_name = "comités de pilotage"
