from django.urls import include, path

from senacs.www.accueil import views as accueil

urlpatterns = [
    path("", accueil.accueil, name="accueil"),
    path("", include("senacs.www.comptes.urls")),
    path("public/structures/", include("senacs.www.annuaire.urls")),
    path("campagnes/", include("senacs.www.campagnes.urls")),
    path("structures/", include("senacs.www.structures.urls")),
    path("registre/", include("senacs.www.registre.urls")),
    path("controle/", include("senacs.www.controles.urls")),
    path("saisie/", include("senacs.www.saisie.urls")),
    path("revue/", include("senacs.www.revue.urls")),
    path("alertes/", include("senacs.www.alertes.urls")),
    path("imports/", include("senacs.www.imports.urls")),
    path("tableaux/", include("senacs.www.statistiques.urls")),
    path("copil/", include("senacs.www.copil.urls")),
    path("journal/", include("senacs.www.journal.urls")),
    path("plaquettes/", include("senacs.www.publications.urls")),
    path("analyses/", include("senacs.www.analyses.urls")),
    path("tendances/", include("senacs.www.tendances.urls")),
]
