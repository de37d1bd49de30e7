from django.apps import AppConfig


class Config(AppConfig):
    name = "senacs.questionnaires"
    label = "questionnaires"
