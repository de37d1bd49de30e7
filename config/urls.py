from django.contrib import admin
from django.urls import include, path

from senacs.www.sante.views import sante

admin.site.site_header = "SENACS — administration"
admin.site.site_title = "SENACS"
admin.site.index_title = "Comptes, mandats et référentiels"

urlpatterns = [
    path("sante/", sante, name="sante"),
    path("admin/", admin.site.urls),
    path("", include("senacs.www.urls")),
]

handler404 = "senacs.www.erreurs.page_introuvable"
handler403 = "senacs.www.erreurs.acces_refuse"
handler500 = "senacs.www.erreurs.erreur_serveur"
