from django.urls import path

from senacs.www.publications import views

app_name = "publications"

urlpatterns = [
    path("", views.index, name="index"),
    path("publiques/", views.publiques, name="publiques"),
    path("publiques/<int:annee>/<str:territoire>/", views.publique_html, name="publique_html"),
    path("publiques/<int:annee>/<str:territoire>.pdf", views.publique_pdf, name="publique_pdf"),
    path("partage/<int:partage>/", views.depuis_partage, name="depuis_partage"),
    path("gabarit/<int:annee>/", views.gabarit, name="gabarit"),
    path("lots/<int:annee>/", views.lots, name="lots"),
    path("lots/suivi/<int:pk>/", views.lot_progression, name="lot_progression"),
    path("lots/suivi/<int:pk>/<str:territoire>.pdf", views.lot_fichier, name="lot_fichier"),
    path("<int:annee>/<str:territoire>/", views.detail, name="detail"),
    path("<int:annee>/<str:territoire>/enregistrer/", views.enregistrer, name="enregistrer"),
    path("<int:annee>/<str:territoire>/apercu/<str:bloc>/", views.apercu, name="apercu"),
    path("<int:annee>/<str:territoire>/soumettre/", views.soumettre, name="soumettre"),
    path("<int:annee>/<str:territoire>/approuver/", views.approuver, name="approuver"),
    path("<int:annee>/<str:territoire>/refuser/", views.refuser, name="refuser"),
    path("<int:annee>/<str:territoire>/publier/", views.publier, name="publier"),
    path("<int:annee>/<str:territoire>/embargo/", views.embargo, name="embargo"),
    path("<int:annee>/<str:territoire>/partager/", views.partager, name="partager"),
    path("<int:annee>/<str:territoire>/projet.pdf", views.projet_pdf, name="projet_pdf"),
    path("<int:annee>/<str:territoire>/version-html/", views.projet_html, name="projet_html"),
]
