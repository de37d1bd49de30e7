from django.apps import AppConfig


class Config(AppConfig):
    name = "senacs.analyses"
    label = "analyses"
    verbose_name = "analyses thématiques"
