from django.shortcuts import render

from senacs.territoires.models import Departement


def departements(request):
    return render(request, "annuaire/departements.html", {"departements": Departement.objects.all()})
