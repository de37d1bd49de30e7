from django.urls import path

from senacs.www.analyses import views

app_name = "analyses"

urlpatterns = [
    path("", views.constructeur, name="index"),
    path("export.<str:format_>", views.exporter, name="exporter"),
    path("enregistrer/", views.enregistrer, name="enregistrer"),
    path("enregistrees/", views.liste, name="liste"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/export.<str:format_>", views.exporter_enregistree, name="exporter_enregistree"),
    path("<int:pk>/partager/", views.partager, name="partager"),
]
