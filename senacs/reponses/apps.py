from django.apps import AppConfig


class Config(AppConfig):
    name = "senacs.reponses"
    label = "reponses"
