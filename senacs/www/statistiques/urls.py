from django.urls import path

from senacs.www.statistiques import views

app_name = "tableaux"

urlpatterns = [
    path("", views.index, name="index"),
    path("ma-structure/", views.ma_structure, name="ma_structure"),
    path("ma-structure/<int:pk>/<str:format_>/", views.fichier_automatise, name="fichier_automatise"),
    path("<int:annee>/<str:territoire>/", views.tableaux, name="tableaux"),
    path("<int:annee>/<str:territoire>/tableaux.<str:format_>", views.telecharger, name="telecharger"),
    path("<int:annee>/<str:territoire>/reponses.csv", views.reponses_brutes, name="reponses_brutes"),
]
