from django.shortcuts import render
from django.template.loader import get_template


def page_introuvable(request, exception=None):
    return render(request, "erreurs/404.html", status=404)


def acces_refuse(request, exception=None):
    return render(request, "erreurs/403.html", status=403)


def erreur_serveur(request):
    from django.http import HttpResponseServerError

    return HttpResponseServerError(get_template("erreurs/500.html").render())
