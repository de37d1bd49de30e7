"""Page d'accueil : ce que l'utilisateur peut faire maintenant, dans la phase en cours, sur son territoire.

Un bloc par rôle tenu (mandats en cours). Les comptes se font en une requête par agrégat (jamais
structure par structure) et toujours à partir de ``request.perimetre``.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from core.perimetre import departements_couverts
from core.roles import LIBELLES_ROLES, Niveau, Role
from senacs.campagnes.models import Campagne, Phase
from senacs.campagnes.selectors import (
    LIBELLES_ETATS,
    avancement_par_departement,
    avancement_par_region,
    avec_etat,
    campagne_courante,
    cle_departement,
    etat_de,
    frise,
    total,
)
from senacs.comptes.models import Mandat
from senacs.structures.models import Structure
from senacs.www.campagnes.affichage import CLASSES_ETATS, libelle_departement, libelle_territoire, lignes_avancement
from senacs.www.decorators import lecture_get_atomique_post

# Ce qu'une structure peut faire dans chaque phase (la saisie en ligne arrive avec le module de saisie).
CONSEILS_STRUCTURE = {
    Phase.PREPARATION: "La campagne est en préparation : la saisie n'est pas encore ouverte.",
    Phase.SAISIE: "",  # dépend de la date limite de chaque structure : voir _conseil_saisie
    Phase.CONTROLE: (
        "Le contrôle de cohérence est en cours : votre correspondant peut vous interroger sur certaines "
        "réponses, et vous ne les modifiez que pour y répondre."
    ),
    Phase.ANALYSE: "Les réponses sont closes et en cours d'analyse par les comités de pilotage.",
    Phase.PUBLICATION: "Les résultats agrégés de la campagne sont en cours de publication.",
    Phase.ARCHIVEE: "Cette campagne est archivée : ses réponses restent consultables.",
}
CONSEILS_CORRESPONDANT = {
    Phase.PREPARATION: "La campagne est en préparation : vérifiez le registre des structures attendues.",
    Phase.SAISIE: "Suivez l'avancement des structures de votre territoire et accordez si besoin une prorogation.",
    Phase.CONTROLE: "Contrôle de cohérence : vérifiez les réponses déposées et validez-les.",
    Phase.ANALYSE: "Les réponses sont closes : place à l'analyse avec le comité de pilotage.",
    Phase.PUBLICATION: "Les résultats agrégés sont en cours de publication.",
    Phase.ARCHIVEE: "Cette campagne est archivée : son suivi reste consultable.",
}


@login_required
@lecture_get_atomique_post
def accueil(request):
    perimetre = request.perimetre
    if perimetre.est_vide:
        return render(request, "accueil/sans_mandat.html")
    jour = timezone.localdate()
    campagne = campagne_courante()
    request.campagne_courante = campagne  # reprise par la liste « À faire » du menu
    contexte = {
        "campagne": campagne,
        "jour": jour,
        "roles": [LIBELLES_ROLES[r] for r in Role if r in perimetre.roles],
    }
    if campagne:
        contexte["frise"] = frise(campagne)

    mandats_structure = perimetre.territoires_du_role(Role.STRUCTURE)
    if mandats_structure:
        contexte["bloc_structures"] = _bloc_structures(perimetre, campagne, jour)
    if perimetre.a_role(Role.CORRESPONDANT):
        contexte["bloc_correspondant"] = _bloc_correspondant(perimetre, campagne)
    blocs_copil = _blocs_copil(perimetre, request.user)
    if blocs_copil:
        contexte["blocs_copil"] = blocs_copil
    if perimetre.est_national:
        contexte["est_national"] = True
        contexte["bloc_national"] = _bloc_national(perimetre, campagne)
    if perimetre.est_admin:
        contexte["bloc_admin"] = True
    if campagne:
        contexte["echeances"] = _echeances(perimetre, campagne, contexte)
    contexte["mandats"] = _mandats(request.user, jour)
    return render(request, "accueil/accueil.html", contexte)


def _mandats(utilisateur, jour) -> list[dict]:
    """Les mandats en cours et leur fin (annoncée quand elle approche : le temps de les faire renouveler)."""
    from senacs.comptes.a_faire import PREAVIS_MANDAT_JOURS

    lignes = []
    mandats = Mandat.objects.valides(jour).filter(utilisateur=utilisateur)
    for m in mandats.select_related("region", "departement", "structure").order_by("date_fin", "pk"):
        fin_proche = m.date_fin is not None and (m.date_fin - jour).days <= PREAVIS_MANDAT_JOURS
        lignes.append({"mandat": m, "fin_proche": fin_proche})
    return lignes


def _bloc_structures(perimetre, campagne: Campagne | None, jour):
    structures = Structure.objects.visibles_par(perimetre).filter(pk__in=perimetre.structures_propres)
    structures = structures.select_related("departement").prefetch_related("agrements").order_by("nom")
    if campagne:
        structures = avec_etat(campagne, structures)
    lignes = []
    for s in structures:
        ligne = {"structure": s}
        if campagne:
            etat = etat_de(s.statut)
            fin = campagne.fin_saisie_pour(s.departement_id)
            ligne |= {
                "etat": etat,
                "libelle_etat": LIBELLES_ETATS[etat],
                "classe_etat": CLASSES_ETATS[etat],
                "attendue": s.est_attendue(campagne.annee_donnees),
                "fin_saisie": fin,
                "prorogee": fin != campagne.date_fin_saisie,
                "conseil_saisie": _conseil_saisie(campagne, fin, jour),
                "delai_depasse": campagne.phase == Phase.SAISIE and jour > fin,
                "modifiee_le": s.reponse_modifiee_le,
                "soumise_le": s.reponse_soumise_le,
            }
        lignes.append(ligne)
    conseil = CONSEILS_STRUCTURE[Phase(campagne.phase)] if campagne else ""
    return {"lignes": lignes, "conseil": conseil}


def _conseil_saisie(campagne: Campagne, fin, jour) -> str:
    if campagne.phase != Phase.SAISIE:
        return ""
    if jour < campagne.date_ouverture_saisie:
        return f"La saisie ouvre le {campagne.date_ouverture_saisie:%d/%m/%Y}."
    if jour <= fin:
        return f"La saisie est ouverte : votre réponse doit être déposée au plus tard le {fin:%d/%m/%Y}."
    return ""


def _bloc_correspondant(perimetre, campagne: Campagne | None):
    mandats = perimetre.territoires_du_role(Role.CORRESPONDANT)
    departements = set()
    for m in mandats:
        departements |= departements_couverts(m.niveau, m.code)
    departements &= perimetre.departements_suivi
    territoires = []
    avancements = {}
    if campagne:
        # Une seule requête pour tous les départements suivis (un correspondant régional en couvre une douzaine).
        lignes = avancement_par_departement(campagne, Structure.objects.suivies_par(perimetre), departements)
        avancements = {a.code: a for a in lignes}
    for m in mandats:
        codes = sorted(departements_couverts(m.niveau, m.code) & departements, key=cle_departement)
        territoire = {"libelle": libelle_territoire(m), "departements": codes, "mandat": m}
        if campagne:
            territoire["legende"] = f"Avancement de la campagne {campagne.annee} — {territoire['libelle']}"
        if campagne:
            territoire["lignes"] = lignes_avancement(campagne, [avancements[c] for c in codes])
            if len(codes) > 1:
                territoire["total"] = total((avancements[c] for c in codes), libelle="Total")
        territoires.append(territoire)
    return {
        "territoires": territoires,
        "conseil": CONSEILS_CORRESPONDANT[Phase(campagne.phase)] if campagne else "",
        "departement_unique": next(iter(departements)) if len(departements) == 1 else "",
    }


def _blocs_copil(perimetre, utilisateur):
    from senacs.copil.models import InviteCopil, PartageDocument
    from senacs.www.statistiques.views import campagnes_diffusees

    blocs = []
    diffusees = None
    partages = None
    for role in (Role.COPIL, Role.PREPARATEUR, Role.INVITE):
        for m in perimetre.territoires_du_role(role):
            bloc = {"role": role.value, "titre": LIBELLES_ROLES[role], "territoire": libelle_territoire(m)}
            if role == Role.PREPARATEUR:
                departements = departements_couverts(m.niveau, m.code)
                bloc["structures_accessibles"] = (
                    Structure.objects.visibles_par(perimetre).filter(departement_id__in=departements).count()
                )
            if role in (Role.COPIL, Role.PREPARATEUR):
                if diffusees is None:
                    diffusees = [c.annee for c in campagnes_diffusees()]
                bloc["tableaux"] = sorted(diffusees)  # tableaux protégés déjà diffusés (« 2023 à 2025 »)
            if role == Role.INVITE:
                if partages is None:
                    copils = InviteCopil.objects.valides().filter(utilisateur=utilisateur).values_list("copil_id")
                    partages = list(
                        PartageDocument.objects.actifs().filter(copil_id__in=copils).order_by("-partage_le")
                    )
                bloc["partages"] = partages
            blocs.append(bloc)
    return blocs


def _bloc_national(perimetre, campagne: Campagne | None):
    if not campagne:
        return {}
    lignes = avancement_par_region(campagne, Structure.objects.suivies_par(perimetre))
    courante = next(e for e in frise(campagne) if e.courante)
    conseil = f"Phase en cours : « {courante.libelle} »"
    if courante.fin:
        conseil += f", prévue jusqu'au {courante.fin:%d/%m/%Y}"
    if suivante := campagne.phase_suivante():
        conseil += f". Le passage à la phase « {Phase(suivante).label} » se fait depuis la page de la campagne."
    else:
        conseil += "."
    return {
        "conseil": conseil,
        "lignes": [{"avancement": a} for a in lignes],
        "legende": f"Avancement national de la campagne {campagne.annee}, par région",
        "total": total(lignes, code="FR", libelle="France entière"),
        "nombre_prorogations": len(campagne.prorogations.all()),
    }


def _echeances(perimetre, campagne: Campagne, contexte) -> dict:
    """Date limite effective de l'utilisateur : départements de ses structures et de ses mandats territoriaux.

    Jusqu'à trois départements, chacun avec sa date ; au-delà (correspondant régional), seuls les départements
    prorogés sont listés, les autres suivent la date nationale.
    """
    lignes_structures = contexte.get("bloc_structures", {}).get("lignes", [])
    departements = {ligne["structure"].departement_id for ligne in lignes_structures}
    for m in perimetre.mandats:
        if m.niveau in (Niveau.REGION, Niveau.DEPARTEMENT):
            departements |= departements_couverts(m.niveau, m.code)
    lignes = []
    for code in sorted(departements, key=cle_departement):
        fin = campagne.fin_saisie_pour(code)
        lignes.append(
            {"departement": libelle_departement(code), "fin_saisie": fin, "prorogee": fin != campagne.date_fin_saisie}
        )
    detail = len(lignes) <= 3
    return {
        "lignes": lignes if detail else [ligne for ligne in lignes if ligne["prorogee"]],
        "detail": detail,
        "nombre_departements": len(lignes),
    }
