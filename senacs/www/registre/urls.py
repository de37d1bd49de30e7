from django.urls import path

from senacs.www.registre import views

app_name = "registre"

urlpatterns = [
    path("", views.importer, name="importer"),
    path("confirmer/", views.confirmer, name="confirmer"),
    path("export.<str:format>", views.exporter, name="exporter"),
]
