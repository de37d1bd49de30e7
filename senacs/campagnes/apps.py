from django.apps import AppConfig


class Config(AppConfig):
    name = "senacs.campagnes"
    label = "campagnes"
