"""Tendances (``/tendances/``) et cartes (``/tendances/carte/``).

Qui voit quoi : les comptes qui ont des agrégats (correspondants, membres de COPIL, préparateur,
national) ; structures, invités et comptes sans agrégats : 403 ; un territoire hors des mandats : 404.

- **tendances** : un indicateur sur plusieurs campagnes pour un territoire, tous répondants et panel
  constant (``senacs.analyses.services.tendance``, qui protège et inscrit au registre : la vue n'est
  donc pas en lecture seule : ``@get_et_post_atomiques``) ;
- **carte** : un indicateur par département, pour la France ou une région, lu dans les cellules
  **publiées** de la diffusion en vigueur (rien de nouveau n'est libéré : ce sont les chiffres des
  tableaux et de l'open data). Un compte départemental peut afficher la carte de sa région : les
  cellules départementales publiées sont des données ouvertes.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.http import Http404
from django.shortcuts import render

from core import capacites
from core.cartes import carte as construire_carte
from core.cartes import valeurs_depuis_cellules
from core.graphiques import svg_accessible
from core.territoires import departements_par_code, regions
from senacs.statistiques.selectors import NATION, Territoire
from senacs.statistiques.services import cellules_publiques, diffusion_courante
from senacs.statistiques.tableaux import decimales
from senacs.www.decorators import get_et_post_atomiques, lecture_get_atomique_post, perimetre_requis
from senacs.www.statistiques.views import campagnes_diffusees

PUBLICS = (("ensemble", "Ensemble des structures"), ("CS", "Centres sociaux"), ("EVS", "Espaces de vie sociale"))
LIBELLES_STATISTIQUES = {"moyenne": "moyenne", "mediane": "médiane", "somme": "somme", "part": "part (%)"}


# --------------------------------------------------------------------------- tendances


def _catalogue():
    from senacs.analyses import services

    try:
        return services.indicateurs_disponibles()
    except NotImplementedError:
        return []


def _territoires_analyse(perimetre) -> list[tuple[str, str]]:
    from senacs.analyses import services

    try:
        return services.territoires_autorises(perimetre)
    except NotImplementedError:
        return []


@perimetre_requis(capacites.voir_des_agregats)
@get_et_post_atomiques
def tendances(request):
    """Formulaire GET (indicateur × territoire) ; le résultat est protégé et inscrit au registre."""
    from senacs.analyses.services import ErreurAnalyse, tendance

    indicateurs = _catalogue()
    territoires = _territoires_analyse(request.perimetre)
    choix = {
        "indicateur": request.GET.get("indicateur", ""),
        "territoire": request.GET.get("territoire", ""),
    }
    erreurs: dict[str, str] = {}
    resultat = graphique = None
    lignes = []
    if "indicateur" in request.GET or "territoire" in request.GET:
        codes = {i.code for i in indicateurs}
        if choix["indicateur"] not in codes:
            erreurs["indicateur"] = "Choisissez un indicateur dans la liste."
        cles = {c for c, _ in territoires}
        if not choix["territoire"]:
            erreurs["territoire"] = "Choisissez un territoire."
        elif choix["territoire"] not in cles:
            if Territoire.depuis_cle(choix["territoire"]) is None:
                erreurs["territoire"] = "Territoire inconnu."
            else:
                raise Http404("Territoire hors de vos mandats.")
        if not erreurs:
            try:
                with transaction.atomic():
                    resultat = tendance(
                        utilisateur=request.user,
                        perimetre=request.perimetre,
                        indicateur=choix["indicateur"],
                        territoire=choix["territoire"],
                    )
            except PermissionError as exc:
                raise Http404("Territoire hors de vos mandats.") from exc
            except ErreurAnalyse as exc:
                erreurs["general"] = exc.message
            else:
                titre = f"{resultat.indicateur.libelle} — {resultat.libelle_territoire or choix['territoire']}"
                graphique = svg_accessible(resultat.spec, titre, resultat.texte_alternatif) if resultat.spec else ""
                panel = {c.campagne: c for c in resultat.panel}
                lignes = [(c, panel.get(c.campagne)) for c in resultat.tous]
    return render(
        request,
        "tendances/index.html",
        {
            "indicateurs": indicateurs,
            "territoires": territoires,
            "choix": choix,
            "erreurs": erreurs,
            "resultat": resultat,
            "graphique": graphique,
            "lignes": lignes,
        },
        status=400 if erreurs and "general" not in erreurs else 200,
    )


# --------------------------------------------------------------------------- cartes


def territoires_carte(perimetre) -> list[Territoire]:
    """France (mandat national, qui ouvre aussi toutes les régions) et régions : celles des mandats, et
    celle de chaque département des mandats (carte de la région, cellules publiées seulement)."""
    trouves: set[Territoire] = set()
    for cle in perimetre.territoires_agregats:
        t = Territoire.depuis_cle(cle)
        if t is None:
            continue
        if t.niveau in ("nation", "region"):
            trouves.add(t)
        else:
            trouves.add(Territoire("region", departements_par_code()[t.code].code_region))
    if NATION in trouves:  # la France ouvre toutes ses régions
        trouves |= {Territoire("region", r.code) for r in regions()}
    noms = {r.code: r.nom for r in regions()}
    return sorted(trouves, key=lambda t: (t != NATION, noms.get(t.code, t.code)))


@dataclass
class OptionIndicateur:
    valeur: str  # « question|statistique|modalité »
    libelle: str
    question: str
    statistique: str
    modalite: str
    unite: str
    decimales: int
    titre: str = ""  # libellé complet, pour le titre de la carte


@dataclass
class GroupeIndicateurs:
    libelle: str
    options: list[OptionIndicateur] = field(default_factory=list)


def indicateurs_carte(diffusion) -> list[GroupeIndicateurs]:
    """Indicateurs cartographiables d'une diffusion : moyenne, médiane et somme d'une question chiffrée,
    part de chaque réponse d'une question à choix."""
    modele = diffusion.campagne.questionnaire.modele
    internes = set(diffusion.internes or ())
    groupes = []
    for q in diffusion.questions:
        code = q["code"]
        if code in internes:
            continue
        groupe = GroupeIndicateurs(f"{code} — {q['libelle']}")
        # La liste dit le libellé de la question, pas seulement son code (« A12 — moyenne » ne parle à personne).
        court = q["libelle"] if len(q["libelle"]) <= 70 else q["libelle"][:69].rstrip() + "…"
        qm = modele.question(code) if code in modele else None
        type_q, unite_q = (qm.type, qm.unite) if qm is not None else ("decimal", "")
        if q["nature"] == "nombre":
            unite = "€" if type_q == "euros" or unite_q == "€" else (unite_q or "")
            for stat in ("moyenne", "mediane", "somme"):
                groupe.options.append(
                    OptionIndicateur(
                        f"{code}|{stat}|",
                        f"{court} — {LIBELLES_STATISTIQUES[stat]} ({code})",
                        code,
                        stat,
                        "",
                        unite,
                        decimales(type_q, unite_q, stat),
                        f"{q['libelle']} ({code}), {LIBELLES_STATISTIQUES[stat]}",
                    )
                )
        else:
            libelles = {"oui": "Oui", "non": "Non"} if q["nature"] == "oui_non" else {}
            if qm is not None and q["nature"] != "oui_non":
                libelles = modele.libelles_choix(code)
            for m in q["modalites"]:
                groupe.options.append(
                    OptionIndicateur(
                        f"{code}|part|{m}",
                        f"{court} — part « {libelles.get(m, m)} » (%) ({code})",
                        code,
                        "part",
                        m,
                        "%",
                        1,
                        f"{q['libelle']} ({code}), part « {libelles.get(m, m)} »",
                    )
                )
        if groupe.options:
            groupes.append(groupe)
    return groupes


@perimetre_requis(capacites.voir_des_agregats)
@lecture_get_atomique_post
def carte(request):
    campagnes = campagnes_diffusees()
    territoires = territoires_carte(request.perimetre)
    erreurs: dict[str, str] = {}
    contexte: dict = {"campagnes": campagnes, "territoires": territoires, "publics": PUBLICS, "erreurs": erreurs}
    if not campagnes or not territoires:
        return render(request, "tendances/carte.html", contexte)

    annee = request.GET.get("campagne") or str(campagnes[0].annee)
    campagne = next((c for c in campagnes if str(c.annee) == annee), None)
    if campagne is None:
        erreurs["campagne"] = "Choisissez une campagne diffusée dans la liste."
        campagne = campagnes[0]
    cle = request.GET.get("territoire") or territoires[0].cle
    territoire = Territoire.depuis_cle(cle) if cle else None
    if territoire is None or territoire.niveau == "departement":
        erreurs["territoire"] = "Choisissez la France ou une région dans la liste."
        territoire = territoires[0]
    elif territoire not in territoires:
        raise Http404("Territoire hors de vos mandats.")
    public = request.GET.get("public") or "ensemble"
    if public not in dict(PUBLICS):
        erreurs["public"] = "Choisissez un public dans la liste."
        public = "ensemble"

    diffusion = diffusion_courante(campagne)
    groupes = indicateurs_carte(diffusion)
    options = {o.valeur: o for g in groupes for o in g.options}
    valeur = request.GET.get("indicateur") or next(iter(options), "")
    option = options.get(valeur)
    if option is None:
        erreurs["indicateur"] = "Choisissez un indicateur dans la liste."
        option = next(iter(options.values()), None)

    contexte.update(
        {
            "choix": {
                "campagne": campagne.annee,
                "territoire": territoire.cle,
                "public": public,
                "indicateur": option.valeur if option else "",
            },
            "groupes": groupes,
            "territoire": territoire,
            "campagne": campagne,
            "diffusion": diffusion,
            "option": option,
        }
    )
    if option is not None and not erreurs:
        departements = territoire.departements()
        cellules = cellules_publiques(diffusion, territoires=sorted(departements))
        valeurs = valeurs_depuis_cellules(
            cellules,
            departements=departements,
            public=public,
            question=option.question,
            statistique=option.statistique,
            modalite=option.modalite,
        )
        titre = (
            f"{option.titre or option.libelle} — {dict(PUBLICS)[public].lower()} — {territoire.libelle_complet}, "
            f"campagne {campagne.annee}"
        )
        resultat = construire_carte(
            valeurs, titre=titre, departements=departements, unite=option.unite, decimales=option.decimales
        )
        contexte.update(
            {
                "titre_carte": titre,
                "carte": resultat,
                "svg": svg_accessible(resultat.spec, titre, resultat.texte_alternatif),
            }
        )
    return render(request, "tendances/carte.html", contexte, status=400 if erreurs else 200)
