"""Annuaire public des structures (sans connexion) : régions et départements, liste d'un département,
fiche identité d'une structure.

La fiche identité ne montre que les champs du registre que senacs.fr publie (section A, « fiche
identité ») ; aucune réponse au questionnaire n'est lue ici.
"""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.recherche import cle_tri
from core.registre import normaliser
from senacs.structures.importation import agrement_courant
from senacs.structures.models import Structure, TypeStructure
from senacs.territoires.models import Departement
from senacs.www.decorators import lecture_get_atomique_post

TYPES = {"CS": "Centres sociaux", "EVS": "Espaces de vie sociale"}


def cle_departement(code: str) -> tuple[int, str]:
    """Ordre des codes : 01…19, 2A, 2B, 21…95, puis l'outre-mer."""
    return (len(code), code.replace("2A", "20A").replace("2B", "20B"))


@require_safe
@lecture_get_atomique_post
def departements(request):
    """Régions et départements, avec le nombre de centres sociaux et d'EVS actifs (une requête)."""
    lignes = Departement.objects.select_related("region").annotate(
        nb_cs=Count("structures", filter=Q(structures__active=True, structures__type=TypeStructure.CS)),
        nb_evs=Count("structures", filter=Q(structures__active=True, structures__type=TypeStructure.EVS)),
    )
    regions: dict[str, dict] = {}
    for d in lignes:
        region = regions.setdefault(
            d.region_id, {"region": d.region, "departements": [], "nb_cs": 0, "nb_evs": 0, "total": 0}
        )
        d.total = d.nb_cs + d.nb_evs
        region["departements"].append(d)
        region["nb_cs"] += d.nb_cs
        region["nb_evs"] += d.nb_evs
        region["total"] += d.total
    for region in regions.values():
        region["departements"].sort(key=lambda d: cle_departement(d.code))
    liste = sorted(regions.values(), key=lambda r: normaliser(r["region"].nom))
    return render(
        request,
        "annuaire/departements.html",
        {
            "regions": liste,
            "nb_cs": sum(r["nb_cs"] for r in liste),
            "nb_evs": sum(r["nb_evs"] for r in liste),
        },
    )


@require_safe
@lecture_get_atomique_post
def departement(request, code):
    """Structures actives d'un département, filtrables par type ; la liste est complète."""
    dep = get_object_or_404(Departement.objects.select_related("region"), code=code.upper())
    actives = Structure.objects.actives().filter(departement=dep)
    comptes = actives.aggregate(
        nb_cs=Count("pk", filter=Q(type=TypeStructure.CS)), nb_evs=Count("pk", filter=Q(type=TypeStructure.EVS))
    )
    type_choisi = request.GET.get("type", "").upper()
    if type_choisi not in TYPES:
        type_choisi = ""
    structures = actives.filter(type=type_choisi) if type_choisi else actives
    # Ordre alphabétique français (« Léo » avant « Lucie ») sur SQLite comme sur PostgreSQL : trié ici.
    structures = sorted(
        structures.only("identifiant", "nom", "type", "commune_nom", "mode_gestion"),
        key=lambda s: (cle_tri(s.nom), cle_tri(s.commune_nom)),
    )
    filtres = [
        {"code": "", "libelle": "Toutes les structures", "nombre": comptes["nb_cs"] + comptes["nb_evs"]},
        {"code": "CS", "libelle": "Centres sociaux", "nombre": comptes["nb_cs"]},
        {"code": "EVS", "libelle": "Espaces de vie sociale", "nombre": comptes["nb_evs"]},
    ]
    return render(
        request,
        "annuaire/departement.html",
        {
            "departement": dep,
            "structures": list(structures),
            "filtres": filtres,
            "type_choisi": type_choisi,
            "libelle_type": TYPES.get(type_choisi, ""),
            **comptes,
        },
    )


def siret_lisible(siret: str) -> str:
    """123 456 789 00012 : SIREN en trois groupes, puis le NIC."""
    if len(siret) != 14:
        return siret
    return f"{siret[:3]}\u00a0{siret[3:6]}\u00a0{siret[6:9]}\u00a0{siret[9:]}"


@require_safe
@lecture_get_atomique_post
def structure(request, identifiant):
    """Fiche identité publique d'une structure (champs publiés par senacs.fr)."""
    s = get_object_or_404(
        Structure.objects.select_related("departement__region").prefetch_related("agrements"),
        identifiant=identifiant,
    )
    site_web = s.site_web if s.site_web.lower().startswith(("https://", "http://")) else ""
    aujourd_hui = timezone.localdate()
    agrement = agrement_courant(s, aujourd_hui)
    return render(
        request,
        "annuaire/structure.html",
        {
            "s": s,
            "agrement": agrement,
            "agrement_en_vigueur": bool(agrement and agrement.date_debut <= aujourd_hui <= agrement.date_fin),
            "siret": siret_lisible(s.siret),
            "site_web": site_web,
        },
    )
