from django.urls import path

from senacs.www.campagnes import views

app_name = "campagnes"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("suivi/", views.suivi, name="suivi"),
]
