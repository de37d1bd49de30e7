from django.urls import path

from senacs.www.alertes import views

app_name = "alertes"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("signaler/", views.signaler, name="signaler"),
    path("faq/", views.faq, name="faq"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/repondre/", views.repondre, name="repondre"),
    path("<int:pk>/transmettre/", views.transmettre, name="transmettre"),
    path("<int:pk>/completer/", views.completer, name="completer"),
    path("<int:pk>/faq/", views.publier, name="publier"),
]
