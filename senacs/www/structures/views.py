"""Structures dont l'utilisateur peut voir les réponses brutes : liste et fiche.

Toute lecture passe par ``Structure.objects.visibles_par(request.perimetre)`` : une structure hors
périmètre répond 404 (jamais 403), pour ne pas révéler qu'elle existe.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from core import capacites
from core.questions_identite import reponses_identite
from core.recherche import motif_sans_accents
from core.territoires import departements
from senacs.campagnes.models import Campagne
from senacs.campagnes.selectors import LIBELLES_ETATS, avec_etat, campagne_courante, etat_de
from senacs.controles.models import departements_controle
from senacs.journal.models import Nature
from senacs.journal.services import journaliser_acces
from senacs.structures.models import (
    AutreFederation,
    GeographiePrioritaire,
    ModeGestion,
    Structure,
    TailleTerritoire,
    TypeTerritoire,
)
from senacs.www.campagnes.affichage import CLASSES_ETATS, libelle_departement
from senacs.www.decorators import lecture_get_atomique_post, perimetre_requis
from senacs.www.structures.forms import FiltreStructuresForm

PAR_PAGE = 50

# Libellés des choix des questions d'identité qui reprennent un champ du registre.
LIBELLES_CHOIX_IDENTITE = {
    "A15": dict(ModeGestion.choices),
    "A16": dict(TypeTerritoire.choices),
    "A17": dict(TailleTerritoire.choices),
    "A18": dict(GeographiePrioritaire.choices),
    "A20": dict(AutreFederation.choices),
    "A05": {d.code: libelle_departement(d.code) for d in departements()},
}


@perimetre_requis(capacites.voir_reponses_structures)
@lecture_get_atomique_post
def liste(request):
    perimetre = request.perimetre
    codes = sorted(perimetre.departements_donnees)
    form = FiltreStructuresForm(request.GET or None, departements=codes)
    structures = Structure.objects.visibles_par(perimetre).select_related("departement")
    if form.is_bound:
        form.is_valid()  # un filtre invalide est ignoré (et signalé), les autres s'appliquent
        # Le département vient du formulaire, validé contre le périmètre (jamais de la requête brute).
        if departement := form.cleaned_data.get("departement"):
            structures = structures.filter(departement_id=departement)
        if recherche := form.cleaned_data.get("q", "").strip():
            structures = structures.filter(
                Q(nom__iregex=motif_sans_accents(recherche))
                | Q(commune_nom__iregex=motif_sans_accents(recherche))
                | Q(identifiant__iexact=recherche)
            )
    campagne = campagne_courante()
    if campagne:
        structures = avec_etat(campagne, structures)
    page = Paginator(structures.order_by("departement_id", "nom", "pk"), PAR_PAGE).get_page(request.GET.get("page"))
    lignes = []
    for s in page.object_list:
        ligne = {"structure": s}
        if campagne:
            etat = etat_de(s.statut)
            ligne |= {"libelle_etat": LIBELLES_ETATS[etat], "classe_etat": CLASSES_ETATS[etat]}
        lignes.append(ligne)
    return render(
        request,
        "structures/liste.html",
        {
            "form": form,
            "page": page,
            "lignes": lignes,
            "campagne": campagne,
            "filtre_departement": len(codes) > 1,
        },
    )


@login_required
@lecture_get_atomique_post
def detail(request, pk: int):
    structure = get_object_or_404(
        Structure.objects.visibles_par(request.perimetre)
        .select_related("departement__region", "zone", "gestionnaire", "federation")
        .prefetch_related("agrements"),
        pk=pk,
    )
    journaliser_acces(request, structures=[structure], nature=Nature.FICHE, detail="Fiche et réponses d'identité")
    jour = timezone.localdate()
    controleur = structure.departement_id in departements_controle(request.perimetre)
    reponses = {r.campagne_id: r for r in structure.reponses.order_by()}
    campagnes = []
    for campagne in Campagne.objects.prefetch_related("prorogations").order_by("-annee"):
        reponse = reponses.get(campagne.pk)
        attendue = structure.est_attendue(campagne.annee_donnees)
        if not attendue and reponse is None:
            continue
        etat = etat_de(reponse.statut if reponse else None)
        fin = campagne.fin_saisie_pour(structure.departement_id)
        campagnes.append(
            {
                "campagne": campagne,
                "reponse": reponse,
                "attendue": attendue,
                "etat": etat,
                "libelle_etat": LIBELLES_ETATS[etat],
                "classe_etat": CLASSES_ETATS[etat],
                "fin_saisie": fin,
                "prorogee": fin != campagne.date_fin_saisie,
                "saisie_ouverte": campagne.saisie_ouverte(structure.departement_id, jour),
                "identite": reponses_identite(reponse.valeurs, LIBELLES_CHOIX_IDENTITE) if reponse else [],
                # Réponse déposée ou validée : le correspondant la contrôle (valider, interpeller, lire) en un clic.
                "controle": controleur and reponse is not None and reponse.statut in ("soumise", "validee"),
            }
        )
    agrements = [
        {
            "agrement": a,
            "en_cours": a.date_debut <= jour <= a.date_fin,
            "a_venir": a.date_debut > jour,
        }
        for a in sorted(structure.agrements.all(), key=lambda a: a.date_debut, reverse=True)
    ]
    return render(
        request,
        "structures/detail.html",
        {
            "structure": structure,
            "agrements": agrements,
            "campagnes": campagnes,
        },
    )
