from django.urls import path

from senacs.www.saisie import views

app_name = "saisie"

urlpatterns = [
    path("<int:annee>/<int:pk>/", views.sommaire, name="sommaire"),
    path("<int:annee>/<int:pk>/commencer/", views.commencer, name="commencer"),
    path("<int:annee>/<int:pk>/deposer/", views.soumettre, name="soumettre"),
    path("<int:annee>/<int:pk>/rouvrir/", views.rouvrir, name="rouvrir"),
    path("<int:annee>/<int:pk>/depots/", views.depots, name="depots"),
    path("<int:annee>/<int:pk>/depots/<int:numero>/", views.recu_html, name="recu"),
    path("<int:annee>/<int:pk>/depots/<int:numero>/accuse.pdf", views.recu_pdf_vue, name="recu_pdf"),
    path("<int:annee>/<int:pk>/historique/<str:code>/", views.historique, name="historique"),
    path(
        "<int:annee>/<int:pk>/historique/<str:code>/restaurer/<int:historique_pk>/",
        views.restaurer,
        name="restaurer",
    ),
    path("<int:annee>/<int:pk>/<str:section>/", views.section, name="section"),
    path("<int:annee>/<int:pk>/<str:section>/<str:code>/", views.champ, name="champ"),
    path("<int:annee>/<int:pk>/<str:section>/<str:code>/resoudre/", views.resoudre, name="resoudre"),
]
