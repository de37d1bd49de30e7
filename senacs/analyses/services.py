"""Services des analyses thématiques (moteur dans ``core.analyses``).

Interface utilisée par les pages web (``senacs.www``) :

- ``indicateurs_disponibles()`` : catalogue des indicateurs ;
- ``territoires_autorises(perimetre)`` : territoires (clé, libellé) que l'utilisateur peut analyser ;
- ``analyse_calculer(utilisateur=, perimetre=, definition=, audience=None)`` : calcule, protège
  (secret primaire, secondaire, compléments de filtres, marges, registre) et inscrit au registre ;
- ``analyse_enregistrer``, ``analyse_partager``, ``analyses_visibles``, ``analyse_ouvrir`` ;
- ``exporter(resultat, "xlsx" | "csv")`` ;
- ``tendance(...)`` : un indicateur sur plusieurs campagnes, tous répondants et panel constant.

Erreurs : ``ErreurAnalyse`` (message français) pour une définition invalide ; ``PermissionError``
quand le territoire (ou l'analyse) est hors du périmètre : la vue répond 404.

Publics du registre (``senacs.analyses.registre``) : une personne qui a accès aux réponses brutes de
toutes les structures du territoire (préparateur désigné, correspondant sur son département) n'est
pas inscrite ; un membre de COPIL l'est pour « copil:<id> », un invité pour « invites:<id> », toute
autre personne (correspondant hors de son territoire, national) pour « utilisateur:<id> ».
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.analyses.calcul import calculer, calculer_tendance
from core.analyses.modele import (
    DIMENSIONS,
    MARGE,
    CelluleAnalyse,
    DefinitionAnalyse,
    Indicateur,
    ResultatAnalyse,
    dimension_territoire,
)
from core.analyses.protection import Regles
from core.erreurs import ErreurMetier
from core.territoires import departements_par_code, regions
from senacs.analyses.catalogue import INDICATEURS, PAR_CODE
from senacs.analyses.donnees import ensembles_diffusion, microdonnees, question_sensible, variable_campagne
from senacs.analyses.models import Analyse
from senacs.analyses.registre import ensembles_connus, inscrire
from senacs.campagnes.models import Campagne
from senacs.statistiques.models import Diffusion
from senacs.statistiques.selectors import Territoire
from senacs.statistiques.services import politique_secret, publication_autorisee

CAMPAGNES_MAX_TENDANCE = 10


class ErreurAnalyse(ErreurMetier, ValueError):
    """Définition ou demande invalide ; ``message`` est en français, à afficher tel quel."""


@dataclass
class ResultatTendance:
    indicateur: Indicateur
    territoire: str
    campagnes: list[int]
    tous: list[CelluleAnalyse]  # une cellule par campagne (modalites == ()), tous répondants
    panel: list[CelluleAnalyse]  # une cellule par campagne, structures ayant répondu à toutes
    panel_effectif: int
    correspondances: list[str]  # correspondances de questions appliquées, en français
    spec: dict
    texte_alternatif: str
    note_methodologique: str
    libelle_territoire: str = ""
    avertissements: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- catalogue et territoires


def indicateurs_disponibles() -> list[Indicateur]:
    return list(INDICATEURS)


def _territoire(cle: str) -> Territoire:
    t = Territoire.depuis_cle(cle) if cle and (cle == "FR" or cle[:2] in ("R:", "D:")) else None
    if t is None:
        raise ErreurAnalyse(f"Territoire inconnu : « {cle} ».")
    return t


def departements_du_territoire(cle: str) -> frozenset[str]:
    return _territoire(cle).departements()


def territoires_diffusion(cle: str, subdivisions: bool = True) -> list[tuple[str, str]]:
    """(niveau, code) des cellules de la diffusion qui portent sur le territoire et, si ``subdivisions``,
    sur ses subdivisions (régions, départements ; les zones des départements suivent)."""
    t = _territoire(cle)
    sortie = [(t.niveau, t.code)]
    if not subdivisions:
        return sortie
    if t.niveau == "nation":
        sortie += [("region", r.code) for r in regions()]
    if t.niveau in ("nation", "region"):
        sortie += [("departement", d) for d in sorted(t.departements())]
    return sortie


def territoires_autorises(perimetre) -> list[tuple[str, str]]:
    """(clé, libellé) des territoires analysables : ceux des agrégats du périmètre et leurs subdivisions
    (un territoire national ouvre régions et départements ; une région ses départements)."""
    cles: set[str] = set()
    for cle in perimetre.territoires_agregats:
        t = Territoire.depuis_cle(cle) if cle == "FR" or cle[:2] in ("R:", "D:") else None
        if t is None:
            continue
        cles.add(t.cle)
        if t.niveau == "nation":
            cles |= {f"R:{r.code}" for r in regions()}
        if t.niveau in ("nation", "region"):
            cles |= {f"D:{d}" for d in t.departements()}
    ordre = {"F": 0, "R": 1, "D": 2}
    territoires = [Territoire.depuis_cle(c) for c in cles]
    territoires.sort(key=lambda t: (ordre[t.cle[0]], t.code))
    return [(t.cle, t.libelle_complet) for t in territoires]


def _verifier_territoire(perimetre, cle: str) -> Territoire:
    t = _territoire(cle)
    if t.cle not in {c for c, _ in territoires_autorises(perimetre)}:
        raise PermissionError("Territoire hors de votre périmètre.")
    return t


def audience_par_defaut(utilisateur, perimetre, territoire: Territoire) -> str | None:
    """Le public du registre pour ce lecteur (None : il a accès aux réponses brutes de tout le territoire)."""
    if territoire.departements() <= perimetre.departements_donnees:
        return None
    from senacs.copil.models import MembreCopil

    membres = MembreCopil.objects.valides().filter(utilisateur=utilisateur).select_related("copil")
    couvrants = [
        m.copil for m in membres if territoire.departements() <= _territoire(m.copil.cle_territoire).departements()
    ]
    if couvrants:
        # Le comité le plus proche du territoire analysé (département, puis région, puis national).
        copil = min(couvrants, key=lambda c: len(_territoire(c.cle_territoire).departements()))
        return f"copil:{copil.pk}"
    return f"utilisateur:{utilisateur.pk}"


# --------------------------------------------------------------------------- calcul


def _campagnes(definition: DefinitionAnalyse) -> list[Campagne]:
    if definition.campagnes:
        campagnes = list(Campagne.objects.filter(annee__in=definition.campagnes).order_by("annee"))
        manquantes = set(definition.campagnes) - {c.annee for c in campagnes}
        if manquantes:
            raise ErreurAnalyse(f"Campagne inconnue : {', '.join(str(a) for a in sorted(manquantes))}.")
    else:
        derniere = (
            Diffusion.objects.filter(audit_ok=True).order_by("-campagne__annee").select_related("campagne").first()
        )
        if derniere is None:
            raise ErreurAnalyse("Aucune campagne n'a encore diffusé ses agrégats : aucune analyse possible.")
        campagnes = [derniere.campagne]
    for c in campagnes:
        if c.questionnaire_id is None or not publication_autorisee(c):
            raise ErreurAnalyse(
                f"La campagne {c.annee} n'a pas de diffusion des agrégats validée par l'audit : les analyses "
                "ne portent que sur des campagnes diffusées."
            )
    return campagnes


def _valider(definition) -> DefinitionAnalyse:
    if isinstance(definition, dict):
        try:
            definition = DefinitionAnalyse.depuis_json(definition)
        except ValueError as exc:
            raise ErreurAnalyse(str(exc)) from exc
    if not isinstance(definition, DefinitionAnalyse):
        raise ErreurAnalyse("Définition d'analyse illisible.")
    erreurs = definition.erreurs(PAR_CODE)
    if erreurs:
        raise ErreurAnalyse(" ".join(erreurs))
    return definition.normalisee()


def _dimensions(territoire: Territoire) -> dict:
    deps = departements_par_code()
    dims = dict(DIMENSIONS)
    dims["territoire"] = dimension_territoire([(d, f"{deps[d].nom} ({d})") for d in sorted(territoire.departements())])
    return dims


def _calculer(
    definition: DefinitionAnalyse, territoire: Territoire, audience: str | None, source: str
) -> ResultatAnalyse:
    if territoire.niveau == "nation" and "territoire" in definition.dimensions and len(definition.dimensions) == 2:
        raise ErreurAnalyse(
            "Pour la France entière, la ventilation par département ne se croise pas avec une seconde dimension "
            "(plus de 400 cellules, protection trop longue à calculer) : choisissez une région, ou une seule "
            "dimension."
        )
    indicateur = PAR_CODE[definition.indicateur]
    dims = _dimensions(territoire)
    for code, modalites in definition.filtres:
        if code == "territoire":
            inconnus = set(modalites) - {m for m, _ in dims["territoire"].modalites}
            if inconnus:
                raise ErreurAnalyse(f"Département hors du territoire analysé : {', '.join(sorted(inconnus))}.")
    campagnes = _campagnes(definition)
    regles = Regles.depuis_politique(politique_secret())
    deps = set(territoire.departements())
    # Les cellules de la diffusion des subdivisions (départements, zones) ne se combinent utilement qu'avec
    # des cellules départementales : on les prend en compte quand l'analyse ventile ou filtre par
    # département, ou porte sur un seul département (ses zones).
    fin = (
        territoire.niveau == "departement"
        or "territoire" in definition.dimensions
        or any(code == "territoire" for code, _ in definition.filtres)
    )
    morceaux, fond, registre, secrets, variables, avertissements = [], {}, {}, {}, {}, []
    sensible = False
    for campagne in campagnes:
        codes, variable, note = variable_campagne(indicateur, campagne)
        if note:
            avertissements.append(note)
        connus = ensembles_connus(audience, campagne.annee, variable) if audience and variable else []
        charges = set(deps)
        for c in connus:
            charges |= departements_du_territoire(c.territoire)
        micro = microdonnees(campagne, indicateur, charges)
        morceaux.append(micro)
        variables[campagne.annee] = variable
        sensible = sensible or question_sensible(indicateur, campagne)
        presents = frozenset(micro.filter(pl.col("valeur").is_not_null())["structure"].to_list())
        publies, masques = ensembles_diffusion(
            campagne, indicateur, micro, territoires_diffusion(territoire.cle, subdivisions=fin)
        )
        fond[campagne.annee], secrets[campagne.annee] = publies, masques
        registre[campagne.annee] = [frozenset(c.structures) & presents for c in connus]
    micro = pl.concat(morceaux)
    definition = DefinitionAnalyse(
        definition.indicateur,
        territoire.cle,
        definition.dimensions,
        definition.filtres,
        tuple(c.annee for c in campagnes),
    )
    calcul = calculer(
        micro,
        definition,
        indicateur,
        dims,
        regles,
        fond=fond,
        registre=registre,
        secrets=secrets,
        question_sensible=sensible,
        libelle_territoire=territoire.libelle_complet,
        departements=deps,
    )
    calcul.resultat.avertissements.extend(dict.fromkeys(avertissements))
    if audience:
        inscrire(
            audience=audience,
            liberations=calcul.liberations,
            territoire=territoire.cle,
            indicateur=indicateur.code,
            variables=variables,
            source=source,
        )
    return calcul.resultat


def analyse_calculer(*, utilisateur, perimetre, definition, audience: str | None = None) -> ResultatAnalyse:
    """Calcule et protège l'analyse. Lève ``ErreurAnalyse`` (définition invalide) ou ``PermissionError``
    (territoire hors périmètre). Inscrit les cellules libérées au registre du public ``audience``
    (« copil:<id> », « invites:<id> », « public ») ou du public par défaut de l'utilisateur ; rien n'est
    inscrit pour qui a accès aux réponses brutes de tout le territoire (préparateur, correspondant
    sur son département)."""
    definition = _valider(definition)
    territoire = _verifier_territoire(perimetre, definition.territoire)
    if audience is None:
        audience = audience_par_defaut(utilisateur, perimetre, territoire)
    return _calculer(definition, territoire, audience, source=f"analyse:{utilisateur.pk}")


# --------------------------------------------------------------------------- analyses enregistrées


def _peut_animer(copil, utilisateur) -> bool:
    from senacs.copil.services import est_preparateur_de, membre_de

    return membre_de(copil, utilisateur) is not None or est_preparateur_de(copil, utilisateur)


def analyse_enregistrer(*, par, nom: str, definition, copil=None) -> Analyse:
    """Enregistre une analyse nommée ; rattachée à un COPIL, son auteur doit en être membre ou préparateur
    et le territoire doit être celui du comité ou l'une de ses subdivisions."""
    nom = (nom or "").strip()
    if not nom:
        raise ErreurAnalyse("Donnez un nom à l'analyse.")
    if len(nom) > 200:
        raise ErreurAnalyse("Le nom de l'analyse ne doit pas dépasser 200 caractères.")
    definition = _valider(definition)
    territoire = _territoire(definition.territoire)
    if copil is not None:
        if not _peut_animer(copil, par):
            raise PermissionError("Seuls les membres du comité et son préparateur y rattachent une analyse.")
        if not territoire.departements() <= departements_du_territoire(copil.cle_territoire):
            raise ErreurAnalyse("Le territoire de l'analyse doit être celui du comité ou l'une de ses subdivisions.")
    return Analyse.objects.create(nom=nom, proprietaire=par, definition=definition.vers_json(), copil=copil)


@transaction.atomic
def analyse_partager(*, analyse: Analyse, par, avec_invites: bool) -> None:
    """Partage l'analyse avec les membres du COPIL et, si ``avec_invites``, avec ses invités (document
    « analyse » du comité). Les cellules montrées aux invités sont inscrites à leur registre dès le
    partage (« invites:<id> »)."""
    from senacs.copil.services import ErreurCopil, document_partager

    if analyse.copil_id is None:
        raise ErreurAnalyse("Cette analyse n'est rattachée à aucun comité : elle ne peut pas être partagée.")
    if not _peut_animer(analyse.copil, par):
        raise PermissionError("Seuls les membres du comité et son préparateur partagent une analyse.")
    if not analyse.partagee_copil:
        analyse.partagee_copil = True
        analyse.modifiee_le = timezone.now()
        analyse.save(update_fields=["partagee_copil", "modifiee_le"])
    if avec_invites:
        definition = _valider(analyse.definition)
        _calculer(
            definition,
            _territoire(definition.territoire),
            f"invites:{analyse.copil_id}",
            source=f"partage:{analyse.pk}",
        )
        try:
            document_partager(
                copil=analyse.copil, nature="analyse", reference=str(analyse.pk), titre=analyse.nom[:200], par=par
            )
        except ErreurCopil as exc:
            raise ErreurAnalyse(" ".join(exc.messages)) from exc


def _copils_invite(utilisateur) -> list[int]:
    from senacs.copil.models import InviteCopil

    return list(InviteCopil.objects.valides().filter(utilisateur=utilisateur).values_list("copil_id", flat=True))


def _copils_animes(utilisateur) -> set[int]:
    from senacs.copil.models import Designation, MembreCopil, StatutDesignation

    membres = set(MembreCopil.objects.valides().filter(utilisateur=utilisateur).values_list("copil_id", flat=True))
    jour = timezone.localdate()
    preparateur = set(
        Designation.objects.filter(designe=utilisateur, statut=StatutDesignation.EFFECTIVE, fin__gte=jour).values_list(
            "copil_id", flat=True
        )
    )
    return membres | preparateur


def _partagees_invites(copils: list[int]) -> list[int]:
    from senacs.copil.models import PartageDocument

    refs = (
        PartageDocument.objects.actifs()
        .filter(copil_id__in=copils, nature="analyse")
        .values_list("copil_id", "reference")
    )
    return [int(r) for _, r in refs if r.isdigit()]


def analyses_visibles(utilisateur, perimetre):
    """Analyses que l'utilisateur peut ouvrir : les siennes, celles partagées avec un COPIL qu'il anime
    (membre ou préparateur), celles partagées avec les invités d'un COPIL dont il est invité."""
    if not getattr(utilisateur, "is_authenticated", False):
        return Analyse.objects.none()
    animes = _copils_animes(utilisateur)
    invite = _copils_invite(utilisateur)
    q = Q(proprietaire=utilisateur) | Q(partagee_copil=True, copil_id__in=sorted(animes))
    partagees = _partagees_invites(invite)
    if partagees:
        q |= Q(pk__in=partagees, copil_id__in=invite)
    return Analyse.objects.filter(q).select_related("copil", "proprietaire").order_by("-creee_le", "pk")


def analyse_ouvrir(*, analyse: Analyse, utilisateur, perimetre) -> ResultatAnalyse:
    """Recalcule l'analyse pour son lecteur : membre ou préparateur du COPIL (public du comité, ou aucun
    s'il a accès aux réponses brutes), invité (« invites:<copil> »), auteur (son public par défaut)."""
    if not analyses_visibles(utilisateur, perimetre).filter(pk=analyse.pk).exists():
        raise PermissionError("Analyse introuvable.")
    definition = _valider(analyse.definition)
    territoire = _territoire(definition.territoire)
    if analyse.copil_id and analyse.copil_id in _copils_animes(utilisateur):
        if territoire.departements() <= perimetre.departements_donnees:
            audience = None
        else:
            audience = f"copil:{analyse.copil_id}"
    elif (
        analyse.copil_id
        and analyse.copil_id in _copils_invite(utilisateur)
        and analyse.proprietaire_id != utilisateur.pk
    ):
        audience = f"invites:{analyse.copil_id}"
    else:
        territoire = _verifier_territoire(perimetre, definition.territoire)
        audience = audience_par_defaut(utilisateur, perimetre, territoire)
    return _calculer(definition, territoire, audience, source=f"analyse:{analyse.pk}")


# --------------------------------------------------------------------------- exports


def _decimales(indicateur: Indicateur) -> int:
    if indicateur.statistique in ("part", "moyenne"):
        return 1
    return 1 if indicateur.unite == "etp" else 0


def exporter(resultat: ResultatAnalyse, format: str) -> tuple[bytes, str, str]:
    """Export XLSX ou CSV (« ; », UTF-8 avec BOM, virgule décimale) ; une cellule masquée vaut « s »."""
    from senacs.statistiques.ecriture import Feuille, en_csv, en_xlsx
    from senacs.statistiques.tableaux import Case

    if format not in ("xlsx", "csv"):
        raise ErreurAnalyse("Format d'export inconnu : « xlsx » ou « csv ».")
    ind = resultat.indicateur
    definition = resultat.definition
    dims = [DIMENSIONS[c] for c in definition.dimensions]
    libelles = []
    for i, code in enumerate(definition.dimensions):
        if code == "territoire":
            libelles.append(dict(resultat.lignes if i == 0 else resultat.colonnes))
        else:
            libelles.append(None)
    entetes = ["Campagne", *[d.libelle for d in dims], ind.libelle, "Répondants"]
    lignes = []
    dec = _decimales(ind)
    for c in resultat.cellules:
        mods = []
        for i, m in enumerate(c.modalites):
            if m == MARGE:
                mods.append("Ensemble")
            elif libelles[i]:
                mods.append(libelles[i].get(m, m))
            else:
                mods.append(dims[i].libelle_modalite(m))
        case = Case(None, "secret", dec) if c.masquee else Case(c.valeur, "publie", dec)
        lignes.append([str(c.campagne), *mods, case, Case(c.repondants, "publie", 0)])
    titre = f"{ind.libelle} — {resultat.libelle_territoire or definition.territoire}"
    avant = [titre, "s : valeur masquée (secret statistique)."]
    feuille = Feuille("Analyse", entetes, lignes, avant=avant, apres=["", *resultat.note_methodologique.split("\n")])
    base = f"analyse-{ind.code}-{definition.territoire.replace(':', '')}"
    if format == "csv":
        return en_csv(feuille), "text/csv; charset=utf-8", base + ".csv"
    contenu = en_xlsx([feuille], titre=titre)
    return contenu, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", base + ".xlsx"


# --------------------------------------------------------------------------- tendances


def tendance(
    *, utilisateur, perimetre, indicateur: str, territoire: str, campagnes: tuple[int, ...] | None = None
) -> ResultatTendance:
    """Un indicateur sur plusieurs campagnes (diffusées), pour tous les répondants et pour le panel
    constant, en suivant les correspondances de questions ; protégé et inscrit au registre comme une
    analyse."""
    ind = PAR_CODE.get(indicateur)
    if ind is None:
        raise ErreurAnalyse(f"Indicateur inconnu : « {indicateur} ».")
    t = _verifier_territoire(perimetre, territoire)
    if campagnes:
        if len(set(campagnes)) < 2:
            raise ErreurAnalyse("Choisissez au moins deux campagnes.")
        if len(set(campagnes)) > CAMPAGNES_MAX_TENDANCE:
            raise ErreurAnalyse(f"Au plus {CAMPAGNES_MAX_TENDANCE} campagnes.")
        liste = _campagnes(DefinitionAnalyse(ind.code, t.cle, campagnes=tuple(sorted(set(campagnes)))))
    else:
        annees = sorted(set(Diffusion.objects.filter(audit_ok=True).values_list("campagne__annee", flat=True)))[
            -CAMPAGNES_MAX_TENDANCE:
        ]
        if len(annees) < 2:
            raise ErreurAnalyse("Il faut au moins deux campagnes diffusées pour une tendance.")
        liste = _campagnes(DefinitionAnalyse(ind.code, t.cle, campagnes=tuple(annees)))
    audience = audience_par_defaut(utilisateur, perimetre, t)
    regles = Regles.depuis_politique(politique_secret())
    deps = set(t.departements())
    morceaux, fond, registre, secrets, variables, correspondances = [], {}, {}, {}, {}, []
    sensible = False
    for campagne in liste:
        codes, variable, note = variable_campagne(ind, campagne)
        if not codes:
            raise ErreurAnalyse(note or f"La campagne {campagne.annee} ne pose pas cette question.")
        if note:
            correspondances.append(f"Campagne {campagne.annee} : {' + '.join(codes)} — {note}")
        connus = ensembles_connus(audience, campagne.annee, variable) if audience else []
        charges = set(deps)
        for c in connus:
            charges |= departements_du_territoire(c.territoire)
        micro = microdonnees(campagne, ind, charges)
        morceaux.append(micro)
        variables[campagne.annee] = variable
        sensible = sensible or question_sensible(ind, campagne)
        presents = frozenset(micro.filter(pl.col("valeur").is_not_null())["structure"].to_list())
        publies, masques = ensembles_diffusion(
            campagne, ind, micro, territoires_diffusion(t.cle, subdivisions=t.niveau == "departement")
        )
        fond[campagne.annee], secrets[campagne.annee] = publies, masques
        registre[campagne.annee] = [frozenset(c.structures) & presents for c in connus]
    annees = tuple(c.annee for c in liste)
    calcul = calculer_tendance(
        pl.concat(morceaux),
        ind,
        t.cle,
        annees,
        regles,
        fond=fond,
        registre=registre,
        secrets=secrets,
        question_sensible=sensible,
        libelle_territoire=t.libelle_complet,
        departements=deps,
    )
    if audience:
        inscrire(
            audience=audience,
            liberations=calcul.liberations,
            territoire=t.cle,
            indicateur=ind.code,
            variables=variables,
            source=f"tendance:{utilisateur.pk}",
        )
    note = (
        f"Indicateur : {ind.libelle} (question {ind.question}). « Tous les répondants » : les structures qui ont "
        f"répondu à chaque campagne ; « panel constant » : les {calcul.panel_effectif} structures qui ont répondu "
        "à toutes les campagnes affichées — ses évolutions ne doivent rien aux entrées et sorties de structures. "
        "Les questions modifiées d'une version du questionnaire à l'autre suivent les correspondances déclarées. "
        "Secret statistique : mêmes règles que les tableaux ; l'écart entre les deux séries (structures hors "
        "panel) est protégé lui aussi ; toute valeur masquée porte le symbole « s »."
    )
    return ResultatTendance(
        indicateur=ind,
        territoire=t.cle,
        campagnes=list(annees),
        tous=calcul.tous,
        panel=calcul.panel,
        panel_effectif=calcul.panel_effectif,
        correspondances=correspondances,
        spec=calcul.spec,
        texte_alternatif=calcul.texte_alternatif,
        note_methodologique=note,
        libelle_territoire=t.libelle_complet,
    )
