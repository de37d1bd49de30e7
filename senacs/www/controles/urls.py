from django.urls import path

from senacs.www.controles import views

app_name = "controles"

urlpatterns = [
    path("<int:annee>/", views.tableau_de_bord, name="tableau_de_bord"),
    path("<int:annee>/export.<str:format>", views.exporter, name="exporter"),
    path("<int:annee>/ma-reponse/", views.ma_reponse, name="ma_reponse"),
    path("<int:annee>/relances/", views.relances, name="relances"),
    path("<int:annee>/lancer/", views.lancer, name="lancer"),
    path("<int:annee>/interpellations/", views.interpeller_en_masse, name="interpeller_en_masse"),
    path("<int:annee>/anomalie/<int:pk>/interpeller/", views.interpeller_anomalie, name="interpeller_anomalie"),
    path("<int:annee>/reponse/<int:pk>/", views.reponse, name="reponse"),
    path("<int:annee>/reponse/<int:pk>/interpeller/", views.interpeller, name="interpeller"),
    path("<int:annee>/reponse/<int:pk>/valider/", views.valider, name="valider"),
    path("<int:annee>/reponse/<int:pk>/deverrouiller/", views.deverrouiller, name="deverrouiller"),
    path("<int:annee>/interpellation/<int:pk>/", views.interpellation, name="interpellation"),
    path("<int:annee>/interpellation/<int:pk>/<str:action>/", views.interpellation_agir, name="interpellation_agir"),
]
