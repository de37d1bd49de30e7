from django.apps import AppConfig


class Config(AppConfig):
    name = "senacs.territoires"
    label = "territoires"
