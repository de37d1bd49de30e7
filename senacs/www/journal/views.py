"""Journal des accès aux réponses brutes.

- ``/journal/ma-structure/`` : la structure voit qui a consulté ou exporté ses réponses (qui, à quel
  titre, quand, quoi) ;
- ``/journal/`` : le national et les administrateurs cherchent dans tout le journal (structure,
  personne, période, nature), page par page.
"""

import datetime

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from core import capacites
from core.recherche import motif_sans_accents
from senacs.journal.models import AccesDonnees
from senacs.structures.models import Structure
from senacs.www.decorators import lecture_get_atomique_post, perimetre_requis
from senacs.www.journal.forms import RechercheJournalForm

PAR_PAGE = 50


@perimetre_requis(capacites.consulter_le_journal_de_sa_structure)
@lecture_get_atomique_post
def ma_structure(request):
    structures = Structure.objects.filter(pk__in=request.perimetre.structures_propres).order_by("nom")
    acces = AccesDonnees.objects.de_structures(structures).select_related("campagne").order_by("-le", "-pk")
    page = Paginator(acces, PAR_PAGE).get_page(request.GET.get("page"))
    return render(request, "journal/ma_structure.html", {"structures": structures, "page": page})


@perimetre_requis(capacites.rechercher_dans_le_journal)
@lecture_get_atomique_post
def recherche(request):
    form = RechercheJournalForm(request.GET or None)
    acces = AccesDonnees.objects.select_related("campagne").order_by("-le", "-pk")
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        if d["structure"]:
            t = d["structure"].strip()
            structures = Structure.objects.filter(
                Q(nom__iregex=motif_sans_accents(t))
                | Q(identifiant__iexact=t)
                | Q(commune_nom__iregex=motif_sans_accents(t))
            )
            acces = acces.de_structures(structures)
        if d["utilisateur"]:
            acces = acces.filter(qui__icontains=d["utilisateur"].strip())
        tz = timezone.get_current_timezone()
        if d["du"]:
            acces = acces.filter(le__gte=datetime.datetime.combine(d["du"], datetime.time.min, tzinfo=tz))
        if d["au"]:
            acces = acces.filter(le__lte=datetime.datetime.combine(d["au"], datetime.time.max, tzinfo=tz))
        if d["nature"]:
            acces = acces.filter(nature=d["nature"])
    page = Paginator(acces, PAR_PAGE).get_page(request.GET.get("page"))
    lignes = list(page.object_list)
    consultees = {}
    for pk, identifiant, nom in (
        Structure.objects.filter(acces_journalises__acces__in=lignes)
        .values_list("acces_journalises__acces_id", "identifiant", "nom")
        .order_by("nom")
    ):
        consultees.setdefault(pk, []).append(f"{nom} ({identifiant})")
    return render(
        request,
        "journal/recherche.html",
        {
            "form": form,
            "page": page,
            "lignes": [{"acces": a, "structures": consultees.get(a.pk, [])} for a in lignes],
        },
    )
