from django.apps import AppConfig


class ControlesConfig(AppConfig):
    name = "senacs.controles"
    label = "controles"
    verbose_name = "Contrôle de cohérence"
