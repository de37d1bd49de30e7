from django.urls import path

from senacs.www.copil import views

app_name = "copil"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/membres/", views.membre_ajouter, name="membre_ajouter"),
    path("<int:pk>/membres/<int:membre>/retirer/", views.membre_retirer, name="membre_retirer"),
    path("<int:pk>/invites/", views.invite_ajouter, name="invite_ajouter"),
    path("<int:pk>/invites/inviter/", views.invite_inviter, name="invite_inviter"),
    path("<int:pk>/invites/<int:invite>/retirer/", views.invite_retirer, name="invite_retirer"),
    path("<int:pk>/designation/", views.designation_proposer, name="designation_proposer"),
    path(
        "<int:pk>/designation/<int:designation>/approuver/", views.designation_approuver, name="designation_approuver"
    ),
    path("<int:pk>/designation/<int:designation>/retirer/", views.designation_retirer, name="designation_retirer"),
    path("<int:pk>/partages/", views.partage_ajouter, name="partage_ajouter"),
    path("<int:pk>/partages/<int:partage>/", views.partage_detail, name="partage_detail"),
    path(
        "<int:pk>/partages/<int:partage>/tableaux.<str:format_>", views.partage_telecharger, name="partage_telecharger"
    ),
    path("<int:pk>/partages/<int:partage>/retirer/", views.partage_retirer, name="partage_retirer"),
]
