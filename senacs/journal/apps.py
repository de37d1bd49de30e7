from django.apps import AppConfig


class Config(AppConfig):
    name = "senacs.journal"
    label = "journal"
    verbose_name = "journal des accès aux données"
