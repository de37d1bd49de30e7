from django.apps import AppConfig


class Config(AppConfig):
    name = "senacs.publications"
    label = "publications"
    verbose_name = "publications (plaquettes)"
