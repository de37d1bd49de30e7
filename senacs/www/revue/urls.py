from django.urls import path

from senacs.www.revue import views

app_name = "revue"

urlpatterns = [
    path("", views.index, name="index"),
    path("structures/<int:pk>/", views.structure, name="structure"),
    path("reponses/<int:pk>/tout-accepter/", views.tout_accepter, name="tout_accepter"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/accepter/", views.accepter, name="accepter"),
    path("<int:pk>/contester/", views.contester, name="contester"),
    path("<int:pk>/repondre/", views.repondre, name="repondre"),
    path("<int:pk>/corriger/", views.corriger, name="corriger"),
]
