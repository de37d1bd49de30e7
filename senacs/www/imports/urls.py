from django.urls import path

from senacs.www.imports import views

app_name = "imports"

urlpatterns = [
    path("reponses/", views.reponses, name="reponses"),
    path("reponses/confirmer/", views.confirmer, name="confirmer"),
    path("reponses/modele-<int:annee>.xlsx", views.modele, name="modele"),
]
