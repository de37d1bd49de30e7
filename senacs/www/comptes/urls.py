from django.urls import path

from senacs.www.comptes import views

app_name = "comptes"

urlpatterns = [
    path("connexion/", views.Connexion.as_view(), name="connexion"),
    path("deconnexion/", views.deconnexion, name="deconnexion"),
    path("charte/", views.charte, name="charte"),
    path("compte/notifications/", views.notifications, name="notifications"),
]
