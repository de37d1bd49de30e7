from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from senacs.campagnes.models import Campagne


@login_required
def liste(request):
    return render(request, "campagnes/liste.html", {"campagnes": Campagne.objects.all()})


@login_required
def suivi(request):
    return render(request, "campagnes/liste.html", {"campagnes": Campagne.objects.all()})
