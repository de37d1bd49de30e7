from django.apps import AppConfig


class Config(AppConfig):
    name = "senacs.www"
    label = "www"
