from django.urls import path

from senacs.www.campagnes import views

app_name = "campagnes"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("suivi/", views.suivi, name="suivi"),
    path("<int:annee>/", views.detail, name="detail"),
    path("<int:annee>/phase/", views.changer_phase, name="changer_phase"),
    path("<int:annee>/prorogation/", views.proroger, name="proroger"),
]
