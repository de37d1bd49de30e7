"""Audit : les programmes linéaires de l'attaquant, sur tout ce qui est publié.

Pour chaque cellule masquée, l'intervalle [min, max] de ses valeurs compatibles avec toutes les
cellules publiées (de cette publication et des précédentes), toutes les relations additives et les
bornes a priori (≥ 0 pour les comptes et les grandeurs positives, effectif ≤ répondants publiés,
bornes connues d'une année sur l'autre si on les fournit). Une cellule masquée **sensible** est
*exposée* quand max − valeur < niveau haut de protection ou valeur − min < niveau bas.

Variante **initié** : un gestionnaire seul contributeur d'une cellule masquée en connaît la valeur ;
pour chacun, on fixe toutes les cellules masquées qu'il connaît dans la composante (et l'on borne les
cellules qui contiennent sa part), puis on recontrôle les cellules sensibles qui partagent une
relation avec elles (norme PS2* : un initié ne doit pas retrouver, ni resserrer sous le seuil, la
cellule d'un autre). Ce que l'initié sait trivialement (sa propre part) n'est pas compté comme une
divulgation : ses niveaux de protection portent sur la part des autres.

Les programmes sont découpés en composantes connexes des cellules masquées (petites : quelques
dizaines de cellules) et résolus par lots (``core.secret.lp``). Pour décider qu'une cellule est
protégée, il suffit d'un point réalisable qui l'écarte assez de sa valeur : quelques programmes à
objectifs combinés certifient la plupart des cellules, et l'on ne résout le programme exact (min ou
max de la cellule) que pour les autres. Le verdict est exactement celui des programmes individuels ;
``intervalles_exacts=True`` calcule en plus l'intervalle exact de chaque cellule masquée.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from core.secret.lp import BORNE_ECHELLE, TOLERANCE, Bloc, Solveur, decouper_en_blocs, sous_bloc
from core.secret.politique import Politique
from core.secret.primaire import appliquer_regles_primaires, violations_primaires
from core.secret.relations import Systeme, construire_systeme
from core.stats.modele import STATUT_SECRET, QuestionStat, Relation

CLE = ["niveau", "territoire", "public", "question", "statistique", "modalite"]
EXTERNE = -1


@dataclass
class Exposition:
    cellule: int  # identifiant (numéro de ligne) dans la table de cellules
    sens: int  # +1 : le maximum est trop proche ; -1 : le minimum
    requis: float  # niveau de protection exigé (unités de la cellule)
    atteint: float  # écart maximal réalisable dans ce sens (unités de la cellule)
    initie: int  # EXTERNE, ou indice du gestionnaire initié
    connues: np.ndarray  # cellules masquées connues de l'initié (identifiants)
    bloc: Bloc | None = None
    bornes: dict[int, tuple[float, float]] = field(default_factory=dict)  # ce que l'initié sait en plus


@dataclass
class Examen:
    expositions: list[Exposition]
    bornes: dict[tuple[int, int], tuple[float, float]]  # (cellule, initié) → (min, max) exacts, si calculés
    programmes: int
    appels: int
    cellules_cachees: int
    composantes: int
    scenarios_inities: int


@dataclass
class _Taches:
    """Tâches de vérification : (bloc, variable locale, sens, niveau requis en unités d'échelle).

    ``exact`` : on peut résoudre le programme propre de la tâche (sinon certification seulement :
    blocs « stricts » où l'on a fixé plus que ce que sait l'attaquant) ; ``force`` : calculer la
    borne exacte même si la tâche est certifiée (intervalles exacts).
    """

    bloc: list[int] = field(default_factory=list)
    var: list[int] = field(default_factory=list)
    sens: list[int] = field(default_factory=list)
    requis: list[float] = field(default_factory=list)
    exact: list[bool] = field(default_factory=list)
    force: list[bool] = field(default_factory=list)

    def ajouter(self, bloc: int, var: int, sens: int, requis: float, exact: bool = True, force: bool = False) -> None:
        self.bloc.append(bloc)
        self.var.append(var)
        self.sens.append(sens)
        self.requis.append(requis)
        self.exact.append(exact)
        self.force.append(force)

    def __len__(self) -> int:
        return len(self.bloc)

    def tableaux(self):
        return (
            np.asarray(self.bloc, dtype=np.int64),
            np.asarray(self.var, dtype=np.int64),
            np.asarray(self.sens, dtype=np.int64),
            np.asarray(self.requis, dtype=np.float64),
        )


def verifier_taches(
    solveur: Solveur,
    blocs: list[Bloc],
    taches: _Taches,
    *,
    certifier: bool = True,
    tours_certification: int = 8,
    graine: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Pour chaque tâche : meilleur écart atteint (unités d'échelle) et s'il est exact (programme
    propre résolu, ou borne a priori atteinte).

    Protégée ⇔ atteint ≥ requis − tolérance ; exposée ⇔ exacte et atteint < requis − tolérance.
    Certification : tours à objectifs combinés (toutes les tâches en attente d'un bloc, vers le
    haut puis vers le bas, poids aléatoires) tant qu'ils font progresser ; puis un programme exact
    par tâche restante, une tâche par bloc et par tour (les blocs d'un tour sont empilés).
    """
    tb, tv, ts, tr = taches.tableaux()
    exact_ok = np.asarray(taches.exact, dtype=bool)
    force = np.asarray(taches.force, dtype=bool)
    n = tb.shape[0]
    meilleur = np.full(n, -np.inf)
    exacte = np.zeros(n, dtype=bool)
    fini = np.zeros(n, dtype=bool)
    if n == 0:
        return meilleur, exacte
    ordre = np.argsort(tb, kind="stable")
    frontieres = np.flatnonzero(np.diff(tb[ordre])) + 1
    par_bloc = {int(tb[g[0]]): g for g in np.split(ordre, frontieres)}
    rng = np.random.default_rng(graine)

    def noter(b: int, y: np.ndarray) -> None:
        t = par_bloc[b]
        yt = y[tv[t]]
        np.maximum.at(meilleur, t, ts[t] * yt)
        bloc = blocs[b]
        au_bord = np.where(ts[t] > 0, yt >= bloc.bmax[tv[t]] - TOLERANCE, yt <= bloc.bmin[tv[t]] + TOLERANCE)
        exacte[t] |= au_bord
        fini[t] |= exacte[t] | (~force[t] & (meilleur[t] >= tr[t] - TOLERANCE))

    if certifier:
        attente_avant = int((~fini & ~force).sum())
        for tour in range(tours_certification):
            objectifs: dict[int, np.ndarray] = {}
            vers_le_haut = tour % 2 == 0
            for b, t in par_bloc.items():
                t = t[~fini[t] & ~force[t]]
                t = t[(ts[t] > 0) if vers_le_haut else (ts[t] < 0)]
                if t.size == 0:
                    continue
                c = np.zeros(blocs[b].n_colonnes)
                poids = rng.uniform(0.5, 1.5, t.shape[0]) / np.maximum(tr[t], 1e-6)
                np.add.at(c, tv[t], -ts[t] * poids)
                objectifs[b] = c
            if objectifs:
                ids = list(objectifs)
                for b, y in zip(
                    ids, solveur.resoudre([blocs[b] for b in ids], [objectifs[b] for b in ids]), strict=True
                ):
                    noter(b, y)
            if tour % 2 == 1:
                attente = int((~fini & ~force).sum())
                if attente == 0 or attente > 0.6 * attente_avant:
                    break
                attente_avant = attente
    # Programmes exacts, une tâche par bloc et par tour.
    restants = {b: [int(x) for x in t[~fini[t] & exact_ok[t]]] for b, t in par_bloc.items()}
    restants = {b: t for b, t in restants.items() if t}
    while restants:
        objectifs = {}
        choisies = {}
        for b, liste in list(restants.items()):
            while liste and fini[liste[0]]:
                liste.pop(0)
            if not liste:
                del restants[b]
                continue
            t = liste.pop(0)
            c = np.zeros(blocs[b].n_colonnes)
            c[tv[t]] = -ts[t]
            objectifs[b] = c
            choisies[b] = t
        if not objectifs:
            break
        ids = list(objectifs)
        for b, y in zip(ids, solveur.resoudre([blocs[b] for b in ids], [objectifs[b] for b in ids]), strict=True):
            t = choisies[b]
            meilleur[t] = max(meilleur[t], ts[t] * y[tv[t]])
            exacte[t] = True
            fini[t] = True
            noter(b, y)
    return meilleur, exacte


STRICT = -2  # blocs où toutes les cellules d'initiés sont fixées (certification seulement)


def examiner(
    systeme: Systeme,
    cache: np.ndarray,
    sensible: np.ndarray,
    upl: np.ndarray,
    lpl: np.ndarray,
    initie: np.ndarray,
    borne_min: np.ndarray,
    borne_max: np.ndarray,
    *,
    avec_inities: bool = True,
    restreindre_a: np.ndarray | None = None,
    intervalles_exacts: bool = False,
    intervalles_exposees: bool = True,
    solveur: Solveur | None = None,
) -> Examen:
    """Cœur de l'audit sur des tableaux (indices = identifiants de cellules).

    ``cache`` : masque des inconnues de l'attaquant ; ``initie`` : indice du gestionnaire seul
    contributeur de la cellule (-1 sinon) ; ``restreindre_a`` : n'examiner que les composantes
    contenant l'une de ces cellules (audit incrémental du secret secondaire).

    Trois phases. A : dans chaque composante, on fixe d'abord *toutes* les cellules d'initiés
    (plus que n'en sait aucun attaquant) ; une cellule protégée là l'est contre l'attaquant
    extérieur et contre chaque initié, ce qui évite la plupart des programmes d'initié. B :
    l'attaquant extérieur pour les cellules restantes des composantes qui ont des initiés.
    C : chaque initié, pour les cellules sensibles voisines des siennes non certifiées en A.
    """
    solveur = solveur or Solveur()
    appels0, prog0 = solveur.appels, solveur.programmes
    caches = np.flatnonzero(cache & systeme.variable)
    blocs = decouper_en_blocs(systeme.A_csc, caches, systeme.valeur, borne_min, borne_max)
    if restreindre_a is not None:
        cibles = np.zeros(systeme.n_cellules, dtype=bool)
        cibles[restreindre_a] = True
        blocs = [b for b in blocs if cibles[b.cellules].any()]
    base = list(blocs)
    n_base = len(base)

    def exigences(cel: int) -> list[tuple[int, float]]:
        if not sensible[cel]:
            return []
        return [(sens, niv) for sens, niv in ((1, upl[cel]), (-1, lpl[cel])) if niv > 0]

    def ajouter_taches(taches: _Taches, k: int, b: Bloc, garder, exact: bool, force: bool) -> None:
        for j, cel in enumerate(b.cellules.tolist()):
            if not garder(j, cel):
                continue
            ex = dict(exigences(cel))
            if force:
                for sens in (1, -1):
                    niv = ex.get(sens, 0.0)
                    taches.ajouter(k, j, sens, niv / b.echelle if niv > 0 else np.inf, exact, True)
            else:
                for sens, niv in ex.items():
                    taches.ajouter(k, j, sens, niv / b.echelle, exact, False)

    # Phase A.
    taches_a = _Taches()
    avec_singletons: list[int] = []
    for k, b in enumerate(base):
        singletons = np.flatnonzero(initie[b.cellules] >= 0) if avec_inities else np.empty(0, dtype=np.int64)
        if singletons.size == 0:
            ajouter_taches(taches_a, k, b, lambda j, cel: True, True, intervalles_exacts)
            continue
        avec_singletons.append(k)
        for sb in sous_bloc(b, singletons, STRICT):
            k2 = len(blocs)
            blocs.append(sb)
            ajouter_taches(taches_a, k2, sb, lambda j, cel: True, False, False)
    m_a, ex_a = verifier_taches(solveur, blocs, taches_a)
    resultats = [(taches_a, m_a, ex_a)]
    ab, av, as_, ar = taches_a.tableaux()
    certifiees = set()
    for t in np.flatnonzero(m_a >= ar - TOLERANCE):
        certifiees.add((int(blocs[ab[t]].cellules[av[t]]), int(as_[t])))

    # Phases B et C.
    taches_bc = _Taches()
    scenarios = 0
    for k in avec_singletons:
        b = base[k]
        ajouter_taches(
            taches_bc,
            k,
            b,
            lambda j, cel: intervalles_exacts or any((cel, sens) not in certifiees for sens, _ in exigences(cel)),
            True,
            intervalles_exacts,
        )
        g = initie[b.cellules]
        for gest in np.unique(g[g >= 0]):
            connues = np.flatnonzero(g == gest)
            lignes_k = np.unique(b.lignes[np.isin(b.colonnes, connues)])
            voisines = np.zeros(b.n_colonnes, dtype=bool)
            voisines[np.unique(b.colonnes[np.isin(b.lignes, lignes_k)])] = True
            voisines[connues] = False
            cibles_g = {
                int(cel)
                for cel in b.cellules[voisines]
                if any((int(cel), sens) not in certifiees for sens, _ in exigences(int(cel)))
            }
            if not cibles_g:
                continue
            scenarios += 1
            bornes_g, niveaux_g = _connaissance_initie(systeme, initie, int(gest), b.cellules, upl, lpl)
            for sb in sous_bloc(b, connues, int(gest)):
                if not cibles_g.intersection(sb.cellules.tolist()):
                    continue
                sb.bmin = sb.bmin.copy()
                sb.bmax = sb.bmax.copy()
                appliquer_bornes(sb, bornes_g, systeme.valeur)
                sb.bornes_initie = bornes_g
                k2 = len(blocs)
                blocs.append(sb)
                for j, cel in enumerate(sb.cellules.tolist()):
                    if cel in cibles_g:
                        for sens, niv in niveaux_g[cel]:
                            if niv > 0:
                                taches_bc.ajouter(k2, j, sens, niv / sb.echelle, True, False)
    if len(taches_bc):
        m_bc, ex_bc = verifier_taches(solveur, blocs, taches_bc, graine=1)
        resultats.append((taches_bc, m_bc, ex_bc))

    expositions: list[Exposition] = []
    bornes: dict[tuple[int, int], tuple[float, float]] = {}
    for taches, meilleur, exacte in resultats:
        tb, tv, ts, tr = taches.tableaux()
        for t in np.flatnonzero(np.isfinite(tr) & exacte & (meilleur < tr - TOLERANCE)):
            b = blocs[tb[t]]
            if b.etiquette == STRICT:
                continue
            cel = int(b.cellules[tv[t]])
            expositions.append(
                Exposition(
                    cellule=cel,
                    sens=int(ts[t]),
                    requis=float(tr[t] * b.echelle),
                    atteint=float(max(meilleur[t], 0.0) * b.echelle),
                    initie=b.etiquette,
                    connues=_connues_de(b, initie) if b.etiquette >= 0 else np.empty(0, dtype=np.int64),
                    bloc=b,
                    bornes=getattr(b, "bornes_initie", None) or {},
                )
            )
        if intervalles_exacts:
            force = np.asarray(taches.force, dtype=bool)
            for t in np.flatnonzero(exacte & force):
                b = blocs[tb[t]]
                if b.etiquette == EXTERNE:
                    _noter_borne(bornes, b, int(tv[t]), int(ts[t]), float(meilleur[t]), systeme.valeur)
    if intervalles_exposees and expositions:
        complement = _Taches()
        vus = set()
        index_blocs = {id(b): i for i, b in enumerate(blocs)}
        for e in expositions:
            cle = (e.cellule, e.initie)
            if cle in vus or cle in bornes:
                continue
            vus.add(cle)
            k = index_blocs[id(e.bloc)]
            j = e.bloc.local(e.cellule)
            complement.ajouter(k, j, 1, np.inf, True, True)
            complement.ajouter(k, j, -1, np.inf, True, True)
        m2, _ = verifier_taches(solveur, blocs, complement, certifier=False)
        cb, cv, cs, _ = complement.tableaux()
        for t in range(cb.shape[0]):
            _noter_borne(bornes, blocs[cb[t]], int(cv[t]), int(cs[t]), float(m2[t]), systeme.valeur)
    return Examen(
        expositions=expositions,
        bornes=bornes,
        programmes=solveur.programmes - prog0,
        appels=solveur.appels - appels0,
        cellules_cachees=int(caches.shape[0]),
        composantes=n_base,
        scenarios_inities=scenarios,
    )


def _connaissance_initie(
    systeme: Systeme, initie: np.ndarray, gest: int, cellules: np.ndarray, upl: np.ndarray, lpl: np.ndarray
) -> tuple[dict[int, tuple[float, float]], dict[int, list[tuple[int, float]]]]:
    """Ce que sait l'initié ``gest`` des cellules d'une composante : bornes et niveaux de protection.

    Il connaît sa propre part de chaque cellule (``Systeme.parts_propres``) : la cellule vaut au moins
    cette part et, pour un effectif, au plus sa part + le nombre des autres répondants. Ces bornes
    s'ajoutent à son programme linéaire. Ce qu'il sait ainsi trivialement n'est pas une divulgation :
    les niveaux de protection sont plafonnés à ce que permet la part des autres (niveau bas ≤ valeur −
    part propre ; niveau haut ≤ autres répondants − part des autres).
    """
    parts = systeme.parts_propres(initie, gest, cellules)
    bornes: dict[int, tuple[float, float]] = {}
    niveaux: dict[int, list[tuple[int, float]]] = {}
    for cel, (propre, den_propre) in parts.items():
        v = float(systeme.valeur[cel])
        haut, bas = float(upl[cel]), float(lpl[cel])
        if (propre > 0 or den_propre > 0) and systeme.positive[cel]:
            autres = max(v - propre, 0.0)
            bmin = v - autres
            bmax = np.inf
            bas = min(bas, autres)
            est_compte = systeme.compte[cel] if systeme.compte is not None else np.isfinite(systeme.borne_max[cel])
            if est_compte:
                place = max(systeme.denominateur[cel] - den_propre, 0.0)
                bmax = bmin + max(place, autres)
                haut = min(haut, max(place - autres, 0.0))
            bornes[cel] = (bmin, bmax)
            den = float(systeme.denominateur[cel])
            est_compte_ = systeme.compte is not None and systeme.compte[cel]
            if not est_compte_ and den > 0 and den_propre <= den:
                # Somme d'une question bornée (min·n ≤ somme ≤ max·n) : les autres répondants ne
                # peuvent apporter que max·(n − les siens) au plus, min·(n − les siens) au moins.
                reste = (den - den_propre) / den
                if np.isfinite(systeme.borne_max[cel]):
                    haut = min(haut, max(float(systeme.borne_max[cel]) * reste - autres, 0.0))
                if np.isfinite(systeme.borne_min[cel]) and systeme.borne_min[cel] > 0:
                    bas = min(bas, max(autres - float(systeme.borne_min[cel]) * reste, 0.0))
            if autres <= 0 and systeme.compte is not None and systeme.compte[cel]:
                # Un compte fait de ses seules réponses : qu'aucune autre structure n'ait donné cette
                # réponse est un effectif nul, qui n'est pas sensible (règles primaires).
                haut = 0.0
        niveaux[cel] = [(1, haut), (-1, bas)]
    return bornes, niveaux


def appliquer_bornes(bloc: Bloc, bornes: dict[int, tuple[float, float]], valeur: np.ndarray) -> None:
    """Resserre les bornes (en unités d'échelle) d'un bloc avec des bornes absolues par cellule."""
    for j, cel in enumerate(bloc.cellules.tolist()):
        if cel in bornes:
            bas, haut = bornes[cel]
            v = valeur[cel]
            bloc.bmin[j] = max(bloc.bmin[j], min((bas - v) / bloc.echelle, 0.0))
            if np.isfinite(haut):
                bloc.bmax[j] = min(bloc.bmax[j], max((haut - v) / bloc.echelle, 0.0))


def _noter_borne(bornes: dict, b: Bloc, j: int, sens: int, ecart: float, valeur: np.ndarray) -> None:
    """Enregistre la borne exacte (min si sens < 0, max sinon) d'une cellule dans un scénario."""
    cel = int(b.cellules[j])
    bas, haut = bornes.get((cel, b.etiquette), (np.nan, np.nan))
    if ecart >= BORNE_ECHELLE * (1 - 1e-9):
        borne = np.inf
    else:
        borne = max(ecart, 0.0) * b.echelle
    if sens > 0:
        haut = valeur[cel] + borne
    else:
        bas = valeur[cel] - borne
    bornes[(cel, b.etiquette)] = (bas, haut)


def _connues_de(bloc: Bloc, initie: np.ndarray) -> np.ndarray:
    """Cellules connues de l'initié d'un bloc de scénario : celles qu'il a fixées (hors bloc)."""
    return np.flatnonzero(initie == bloc.etiquette)


# --------------------------------------------------------------------------------------------------


@dataclass
class RapportAudit:
    """Résultat de l'audit d'une publication (document interne : contient les vraies valeurs)."""

    cachees: pl.DataFrame
    exposees: pl.DataFrame
    violations_primaires: pl.DataFrame
    duree_s: float
    programmes: int
    appels_highs: int
    composantes: int
    scenarios_inities: int

    @property
    def ok(self) -> bool:
        return self.exposees.height == 0 and self.violations_primaires.height == 0

    def resume(self) -> str:
        return (
            f"audit : {self.cachees.height} cellules masquées, {self.exposees.height} exposées, "
            f"{self.violations_primaires.height} violations primaires ; {self.composantes} composantes, "
            f"{self.scenarios_inities} scénarios d'initié, {self.programmes} programmes linéaires "
            f"({self.appels_highs} appels HiGHS), {self.duree_s:.1f} s — {'OK' if self.ok else 'ÉCHEC'}"
        )


def preparer(
    cellules: pl.DataFrame,
    questions: Iterable[QuestionStat],
    relations: Iterable[Relation],
    politique: Politique,
    *,
    deja_publiees: pl.DataFrame | None = None,
    bornes: pl.DataFrame | None = None,
    systeme: Systeme | None = None,
    regles: pl.DataFrame | None = None,
):
    """Tableaux de l'audit : système, masque des cellules cachées, sensibilité, initiés.

    La sensibilité et les niveaux de protection sont recalculés à partir des colonnes internes (on
    ne fait pas confiance aux colonnes ``sensible``, ``upl``, ``lpl``), sauf si ``regles`` (sortie
    de ``appliquer_regles_primaires``, mêmes lignes) est fourni par l'appelant qui vient de les calculer.
    """
    questions = list(questions)
    cellules = cellules.drop("id", strict=False).with_row_index("id")
    systeme = systeme or construire_systeme(cellules, questions, relations)
    if regles is None:
        base = cellules.drop([c for c in ("sensible", "motif", "upl", "lpl", "variable") if c in cellules.columns])
        regles = appliquer_regles_primaires(base.with_columns(statut=pl.lit("a_decider")), questions, politique)
    sensible = regles["sensible"].to_numpy().astype(bool)
    upl = regles["upl"].fill_null(0.0).to_numpy()
    lpl = regles["lpl"].fill_null(0.0).to_numpy()
    cache = (cellules["statut"] == STATUT_SECRET).to_numpy()
    connues = np.zeros(cellules.height, dtype=bool)
    if deja_publiees is not None and deja_publiees.height:
        connues[_ids_des_cles(cellules, deja_publiees)] = True
        cache &= ~connues
    borne_min = systeme.borne_min.copy()
    borne_max = systeme.borne_max.copy()
    if bornes is not None and bornes.height:
        b = cellules.select(*CLE, "id").join(bornes, on=CLE, how="inner")
        ids = b["id"].to_numpy()
        if "borne_min" in b.columns:
            borne_min[ids] = np.maximum(borne_min[ids], b["borne_min"].fill_null(-np.inf).to_numpy())
        if "borne_max" in b.columns:
            borne_max[ids] = np.minimum(borne_max[ids], b["borne_max"].fill_null(np.inf).to_numpy())
    codes = cellules["contributeur_unique"]
    noms = sorted(codes.drop_nulls().unique().to_list())
    initie = (
        codes.replace_strict({n: i for i, n in enumerate(noms)}, default=-1, return_dtype=pl.Int64)
        .fill_null(-1)
        .to_numpy()
        .astype(np.int64)
    )
    suivies = [q.code for q in questions if q.declencheur]
    if suivies and systeme.rep_suivie is not None and systeme.rep_suivie.any():
        # Seul à répondre à une question de suivi ne suffit pas à connaître la cellule : tant que ses
        # répondants sont masqués, il ignore si d'autres, parmi les répondants de la question qui la
        # déclenche, y ont répondu. Il n'est initié que si tous ces répondants sont à lui.
        ids_rep = np.flatnonzero(systeme.rep_suivie[: cellules.height])
        doute = ids_rep[systeme.denominateur[ids_rep] > systeme.valeur[ids_rep]]
        if doute.size:
            # Ses répondants (le compte relié à la question déclencheuse) ne lui sont pas connus ; la
            # valeur de la cellule, qu'aucune relation ne relie à ce compte, reste sa part.
            initie[doute] = -1
    n, n_total = cellules.height, systeme.n_cellules
    if n_total > n:
        # Variables d'écart des inégalités : toujours inconnues, jamais sensibles ni connues.
        e = n_total - n
        sensible = np.concatenate([sensible, np.zeros(e, dtype=bool)])
        upl = np.concatenate([upl, np.zeros(e)])
        lpl = np.concatenate([lpl, np.zeros(e)])
        cache = np.concatenate([cache, np.ones(e, dtype=bool)])
        connues = np.concatenate([connues, np.zeros(e, dtype=bool)])
        initie = np.concatenate([initie, np.full(e, -1, dtype=np.int64)])
    # Ce que les bornes a priori disent déjà (une somme de J02 ≤ 53 × n ne monte pas au-delà) n'est
    # pas une divulgation : les niveaux de protection sont plafonnés par l'espace a priori.
    with np.errstate(invalid="ignore"):
        upl = np.where(sensible, np.minimum(upl, np.maximum(borne_max - systeme.valeur, 0.0)), upl)
        lpl = np.where(sensible, np.minimum(lpl, np.maximum(systeme.valeur - borne_min, 0.0)), lpl)
    return cellules, systeme, cache, sensible, upl, lpl, initie, borne_min, borne_max, noms, connues


def _ids_des_cles(cellules: pl.DataFrame, autres: pl.DataFrame) -> np.ndarray:
    """Identifiants des cellules désignées par ``autres`` (clé complète ; moyenne → somme, part → effectif)."""
    a = autres.with_columns(
        statistique=pl.col("statistique").replace({"moyenne": "somme", "part": "effectif"}),
        modalite=pl.col("modalite").fill_null(""),
    )
    on = list(CLE)
    if "campagne" in a.columns and "campagne" in cellules.columns:
        on.append("campagne")
    return cellules.select(*on, "id").join(a.select(on).unique(), on=on, how="inner")["id"].to_numpy()


def auditer(
    cellules: pl.DataFrame,
    questions: Iterable[QuestionStat],
    relations: Iterable[Relation] = (),
    politique: Politique | None = None,
    *,
    deja_publiees: pl.DataFrame | None = None,
    bornes: pl.DataFrame | None = None,
    initie: bool = True,
    intervalles_exacts: bool = False,
) -> RapportAudit:
    """Audite une table de cellules protégée (sortie de ``proteger``, colonnes internes comprises).

    ``deja_publiees`` : cellules déjà publiées (publications précédentes, registre…) à considérer
    comme connues même si elles sont masquées ici (colonnes de ``CLE``, ``campagne`` facultative) ;
    ``bornes`` : bornes a priori supplémentaires (``CLE`` + ``borne_min``/``borne_max``, par exemple
    ±10 % autour de la valeur publiée l'année précédente).
    """
    debut = time.perf_counter()
    pol = politique or Politique()
    questions = list(questions)
    relations = list(relations)
    cellules, systeme, cache, sensible, upl, lpl, ini, bmin, bmax, noms, connues = preparer(
        cellules, questions, relations, pol, deja_publiees=deja_publiees, bornes=bornes
    )
    examen = examiner(
        systeme,
        cache,
        sensible,
        upl,
        lpl,
        ini,
        bmin,
        bmax,
        avec_inities=initie,
        intervalles_exacts=intervalles_exacts,
    )
    rapport_audit = rapport(cellules, questions, pol, cache, sensible, upl, lpl, examen, noms, 0.0)
    if rapport_audit.exposees.height:
        voies = [voie(systeme, int(i), sc) for i, sc in rapport_audit.exposees.select("id", "scenario").iter_rows()]
        rapport_audit.exposees = rapport_audit.exposees.with_columns(voie=pl.Series(voies, dtype=pl.Utf8))
    else:
        rapport_audit.exposees = rapport_audit.exposees.with_columns(voie=pl.lit(None, dtype=pl.Utf8))
    # Une cellule sensible déjà publiée auparavant est connue : c'est une violation (irréparable).
    deja = np.flatnonzero(connues & sensible)
    if deja.size:
        lignes = cellules[deja].select(
            "niveau", "territoire", "public", "question", "statistique", "modalite", "statut",
            regle=pl.lit("sensible_deja_publiee"),
        )  # fmt: skip
        rapport_audit.violations_primaires = pl.concat([rapport_audit.violations_primaires, lignes])
    rapport_audit.duree_s = time.perf_counter() - debut
    return rapport_audit


def voie(systeme: Systeme, cellule: int, scenario: str) -> str:
    """La voie d'attaque (numérotation de l'issue du secret) d'une cellule exposée, d'après les
    relations qui la touchent et le scénario."""
    csc = systeme.A_csc
    lignes = csc.indices[csc.indptr[cellule] : csc.indptr[cellule + 1]]
    types = {int(t) for t in systeme.type_relation[lignes]}
    voisines = set()
    A = systeme.A
    for r in lignes:
        voisines.update(A.indices[A.indptr[r] : A.indptr[r + 1]].tolist())
    types_voisins = set()
    for k in voisines:
        types_voisins.update(int(t) for t in systeme.type_relation[csc.indices[csc.indptr[k] : csc.indptr[k + 1]]])
    if 4 in types or 4 in types_voisins:
        libelle = "voie 1 (questions de suivi)"
    elif 5 in types or 5 in types_voisins or 3 in types:
        libelle = "voie 2/4 (relations et règles du questionnaire)"
    elif np.isfinite(systeme.borne_max[cellule]) and not (systeme.compte is not None and systeme.compte[cellule]):
        libelle = "voie 4 (bornes des questions)"
    else:
        libelle = "relations additives"
    if scenario.startswith("initie"):
        libelle += ", initié"
    return libelle


def rapport(cellules, questions, pol, cache, sensible, upl, lpl, examen: Examen, noms, duree: float) -> RapportAudit:
    n = cellules.height
    cache, sensible, upl, lpl = cache[:n], sensible[:n], upl[:n], lpl[:n]
    ids_caches = np.flatnonzero(cache)
    bornes_ext = examen.bornes
    bmin_c = np.array([bornes_ext.get((int(i), EXTERNE), (np.nan, np.nan))[0] for i in ids_caches])
    bmax_c = np.array([bornes_ext.get((int(i), EXTERNE), (np.nan, np.nan))[1] for i in ids_caches])
    cachees = (
        cellules[ids_caches]
        .select(*CLE, "id", "valeur_brute")
        .with_columns(
            sensible=pl.Series(sensible[ids_caches], dtype=pl.Boolean),
            upl=pl.Series(upl[ids_caches], dtype=pl.Float64),
            lpl=pl.Series(lpl[ids_caches], dtype=pl.Float64),
            min=pl.Series(bmin_c, dtype=pl.Float64).fill_nan(None),
            max=pl.Series(bmax_c, dtype=pl.Float64).fill_nan(None),
        )
    )
    lignes = []
    vues = set()
    for e in examen.expositions:
        cle = (e.cellule, e.initie)
        if cle in vues:
            continue
        vues.add(cle)
        bas, haut = examen.bornes.get(cle, (np.nan, np.nan))
        lignes.append(
            {
                "id": e.cellule,
                "scenario": "externe" if e.initie == EXTERNE else f"initie:{noms[e.initie]}",
                "min": None if np.isnan(bas) else float(bas),
                "max": None if np.isnan(haut) else float(haut),
            }
        )
    schema = {"id": pl.UInt32, "scenario": pl.Utf8, "min": pl.Float64, "max": pl.Float64}
    expo = pl.DataFrame(lignes, schema=schema)
    exposees = (
        cellules.select(*CLE, "id", "valeur_brute")
        .with_columns(upl=pl.Series(upl, dtype=pl.Float64), lpl=pl.Series(lpl, dtype=pl.Float64))
        .join(expo, on="id", how="inner")
        .sort("id")
    )
    violations = violations_primaires(cellules.drop("id"), questions, pol)
    return RapportAudit(
        cachees=cachees,
        exposees=exposees,
        violations_primaires=violations,
        duree_s=duree,
        programmes=examen.programmes,
        appels_highs=examen.appels,
        composantes=examen.composantes,
        scenarios_inities=examen.scenarios_inities,
    )
