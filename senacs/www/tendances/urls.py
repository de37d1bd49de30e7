from django.urls import path

from senacs.www.tendances import views

app_name = "tendances"

urlpatterns = [
    path("", views.tendances, name="index"),
    path("carte/", views.carte, name="carte"),
]
