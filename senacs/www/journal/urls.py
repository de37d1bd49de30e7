from django.urls import path

from senacs.www.journal import views

app_name = "journal"

urlpatterns = [
    path("", views.recherche, name="recherche"),
    path("ma-structure/", views.ma_structure, name="ma_structure"),
]
