from django.apps import AppConfig


class Config(AppConfig):
    name = "senacs.demo"
    label = "demo"
