from django.urls import path

from senacs.www.annuaire import views

app_name = "annuaire"

urlpatterns = [
    path("", views.departements, name="departements"),
    path("fiche/<str:identifiant>/", views.structure, name="structure"),
    path("<str:code>/", views.departement, name="departement"),
]
