from django.apps import AppConfig


class Config(AppConfig):
    name = "senacs.structures"
    label = "structures"
