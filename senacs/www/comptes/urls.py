from django.urls import path

from senacs.www.comptes import views

app_name = "comptes"

urlpatterns = [
    path("connexion/", views.Connexion.as_view(), name="connexion"),
    path("deconnexion/", views.deconnexion, name="deconnexion"),
    path("charte/", views.charte, name="charte"),
    path("compte/notifications/", views.notifications, name="notifications"),
    path("second-facteur/", views.verifier_second_facteur, name="verifier"),
    path("second-facteur/inscription/", views.inscrire_second_facteur, name="inscrire"),
    path("compte/", views.compte, name="compte"),
    path("compte/mot-de-passe/", views.ChangerMotDePasse.as_view(), name="changer_mot_de_passe"),
    path("compte/mot-de-passe-oublie/", views.MotDePasseOublie.as_view(), name="mot_de_passe_oublie"),
    path("compte/mot-de-passe-oublie/envoye/", views.MotDePasseEnvoye.as_view(), name="mot_de_passe_envoye"),
    path(
        "compte/nouveau-mot-de-passe/<uidb64>/<token>/",
        views.NouveauMotDePasse.as_view(),
        name="nouveau_mot_de_passe",
    ),
    path("compte/mandats/", views.mandats, name="mandats"),
    path("compte/mandats/<int:pk>/<str:action>/", views.mandat_agir, name="mandat_agir"),
    path("compte/inviter-structures/", views.inviter_structures, name="inviter_structures"),
]
