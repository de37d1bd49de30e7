"""Campagnes : liste, détail (frise, journal des phases, prorogations), changement de phase, suivi de la collecte."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from core import capacites
from senacs.campagnes.models import Campagne, Phase
from senacs.campagnes.selectors import (
    CHAMPS_ETATS,
    LIBELLES_ETATS,
    avancement_par_departement,
    avec_etat,
    campagne_courante,
    etat_de,
    filtrer_etat,
    frise,
    structures_attendues,
    total,
)
from senacs.campagnes.services import PHASES_PROROGEABLES, campagne_changer_phase, prorogation_accorder
from senacs.controles.models import departements_controle
from senacs.structures.models import Structure
from senacs.territoires.models import Departement
from senacs.www.campagnes.affichage import CLASSES_ETATS, libelle_departement
from senacs.www.campagnes.forms import AVANCER, RECULER, ChangementPhaseForm, FiltreSuiviForm, ProrogationForm
from senacs.www.decorators import lecture_get_atomique_post, mandat_requis, perimetre_requis

PAR_PAGE = 50


@mandat_requis
@lecture_get_atomique_post
def liste(request):
    campagnes = Campagne.objects.order_by("-annee")
    return render(request, "campagnes/liste.html", {"campagnes": campagnes, "courante": campagne_courante()})


def _departements_visibles(perimetre) -> set[str]:
    """Départements dont l'utilisateur voit les prorogations : ceux qu'il suit ou dont il voit des données."""
    departements = set(perimetre.departements_suivi) | set(perimetre.departements_donnees)
    if perimetre.structures_propres:
        departements |= set(
            Structure.objects.visibles_par(perimetre)
            .filter(pk__in=perimetre.structures_propres)
            .values_list("departement_id", flat=True)
        )
    return departements


def _formulaires_phase(campagne, form=None):
    """Les deux formulaires (avancer, reculer), avec des identifiants distincts ; ``form`` remplace celui envoyé."""
    formulaires = {}
    for sens, possible in ((AVANCER, campagne.phase_suivante()), (RECULER, campagne.phase_precedente())):
        if not possible:
            continue
        if form is not None and form.data.get("sens") == sens:
            formulaires[sens] = form
        else:
            formulaires[sens] = ChangementPhaseForm(
                campagne=campagne, auto_id=f"{sens}_%s", initial={"sens": sens, "phase_actuelle": campagne.phase}
            )
    return formulaires


def _rendre_detail(request, campagne, *, form_phase=None, form_prorogation=None, status=200):
    perimetre = request.perimetre
    visibles = _departements_visibles(perimetre)
    prorogations = sorted(
        (p for p in campagne.prorogations.all() if perimetre.est_national or p.departement_id in visibles),
        key=lambda p: p.departement_id,
    )
    contexte = {
        "campagne": campagne,
        "frise": frise(campagne),
        "changements": campagne.changements_phase.select_related("par").order_by("-le"),
        "prorogations": [{"p": p, "departement": libelle_departement(p.departement_id)} for p in prorogations],
        "est_national": perimetre.est_national,
    }
    if perimetre.est_national:
        contexte["formulaires_phase"] = _formulaires_phase(campagne, form_phase)
        suivante, precedente = campagne.phase_suivante(), campagne.phase_precedente()
        contexte["libelle_phase_suivante"] = Phase(suivante).label if suivante else ""
        contexte["libelle_phase_precedente"] = Phase(precedente).label if precedente else ""
    if form_prorogation is not None or (capacites.proroger(perimetre) and campagne.phase in PHASES_PROROGEABLES):
        contexte["form_prorogation"] = form_prorogation or ProrogationForm(
            campagne=campagne, departements=perimetre.departements_suivi, auto_id="prorogation_%s"
        )
    return render(request, "campagnes/detail.html", contexte, status=status)


def _campagne(annee: int) -> Campagne:
    return get_object_or_404(Campagne.objects.prefetch_related("prorogations"), annee=annee)


@mandat_requis
@lecture_get_atomique_post
def detail(request, annee: int):
    return _rendre_detail(request, _campagne(annee))


@require_POST
@perimetre_requis(capacites.piloter_au_national)
@lecture_get_atomique_post
def changer_phase(request, annee: int):
    campagne = _campagne(annee)
    sens = request.POST.get("sens")
    form = ChangementPhaseForm(
        request.POST, campagne=campagne, auto_id=f"{sens if sens in (AVANCER, RECULER) else AVANCER}_%s"
    )
    if form.is_valid():
        try:
            campagne = campagne_changer_phase(
                campagne=campagne,
                nouvelle_phase=form.cleaned_data["nouvelle_phase"],
                par=request.user,
                perimetre=request.perimetre,
                motif=form.cleaned_data["motif"],
            )
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            messages.success(
                request, f"La campagne {campagne.annee} est passée en phase « {campagne.get_phase_display()} »."
            )
            return redirect("campagnes:detail", annee=campagne.annee)
    return _rendre_detail(request, campagne, form_phase=form, status=400)


@require_POST
@perimetre_requis(capacites.proroger)
@lecture_get_atomique_post
def proroger(request, annee: int):
    campagne = _campagne(annee)
    perimetre = request.perimetre
    form = ProrogationForm(
        request.POST, campagne=campagne, departements=perimetre.departements_suivi, auto_id="prorogation_%s"
    )
    if form.is_valid():
        departement = Departement.objects.get(code=form.cleaned_data["departement"])
        try:
            prorogation = prorogation_accorder(
                campagne=campagne,
                departement=departement,
                date_fin_saisie=form.cleaned_data["date_fin_saisie"],
                par=request.user,
                perimetre=perimetre,
                motif=form.cleaned_data["motif"],
            )
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            messages.success(
                request,
                f"La date limite de saisie du département {libelle_departement(departement.code)} est reportée "
                f"au {prorogation.date_fin_saisie:%d/%m/%Y}.",
            )
            return redirect("campagnes:detail", annee=campagne.annee)
    return _rendre_detail(request, campagne, form_prorogation=form, status=400)


class PaginateurCompte(Paginator):
    """Paginateur dont le nombre total est déjà connu (les comptes du suivi) : pas de COUNT supplémentaire."""

    def __init__(self, object_list, per_page, *, nombre: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._nombre = nombre

    @cached_property
    def count(self):
        return self._nombre


@perimetre_requis(capacites.suivre_la_collecte)
@lecture_get_atomique_post
def suivi(request):
    perimetre = request.perimetre
    campagne = campagne_courante()
    form = FiltreSuiviForm(request.GET or None, departements=perimetre.departements_suivi)
    contexte = {"campagne": campagne, "form": form}
    if campagne is None:
        return render(request, "campagnes/suivi.html", contexte)

    departement = etat = ""
    if form.is_bound:
        form.is_valid()  # un filtre invalide est ignoré (et signalé), les autres s'appliquent
        departement = form.cleaned_data.get("departement", "")
        etat = form.cleaned_data.get("etat", "")
    # Le filtre de département vient du formulaire validé contre le périmètre : jamais de la requête brute.
    departements = [departement] if departement else sorted(perimetre.departements_suivi)
    structures = Structure.objects.suivies_par(perimetre).filter(departement_id__in=departements)

    resume = total(avancement_par_departement(campagne, structures, departements))
    nombre = getattr(resume, CHAMPS_ETATS[etat]) if etat else resume.attendues

    lignes = avec_etat(campagne, structures_attendues(campagne, structures))
    if etat:
        lignes = filtrer_etat(lignes, etat)
    lignes = lignes.select_related("departement").order_by("departement_id", "nom", "pk")
    page = PaginateurCompte(lignes, PAR_PAGE, nombre=nombre).get_page(request.GET.get("page"))
    controle = departements_controle(perimetre)
    contexte |= {
        "controle": bool(controle),
        "resume": resume,
        "page": page,
        "lignes": [
            {
                "structure": s,
                "etat": etat_de(s.statut),
                "libelle_etat": LIBELLES_ETATS[etat_de(s.statut)],
                "classe_etat": CLASSES_ETATS[etat_de(s.statut)],
                "fin_saisie": campagne.fin_saisie_pour(s.departement_id),
                "lien": perimetre.peut_voir_donnees_structure(s.pk, s.departement_id),
                # Réponse déposée ou validée d'un département contrôlé : « Valider ou interpeller » à un clic.
                "controle": s.reponse_id
                if s.statut in ("soumise", "validee") and s.departement_id in controle
                else None,
            }
            for s in page.object_list
        ],
        "departement": departement,
        "libelle_departement": libelle_departement(departement) if departement else "",
        "etat": etat,
        "libelle_etat": LIBELLES_ETATS.get(etat, ""),
    }
    return render(request, "campagnes/suivi.html", contexte)
