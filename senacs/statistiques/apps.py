from django.apps import AppConfig


class Config(AppConfig):
    name = "senacs.statistiques"
    label = "statistiques"
    verbose_name = "statistiques et secret statistique"
