from django.urls import path

from senacs.www.structures import views

app_name = "structures"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("<int:pk>/", views.detail, name="detail"),
]
