"""Secret secondaire : masquer assez de cellules pour qu'aucune cellule sensible ne puisse être
retrouvée, ni encadrée plus finement que son intervalle de protection, par différence.

Méthode (principe HiTaS / Modulaire, puis audit global) :

1. **Heuristique relation par relation, du haut vers le bas** (nation, régions, départements,
   zones) : dans chaque relation additive qui contient une cellule sensible masquée, les autres
   cellules masquées doivent pouvoir compenser un écart égal au niveau de protection, dans les deux
   sens, y compris quand un initié (gestionnaire seul contributeur d'une cellule masquée) retire sa
   propre cellule du jeu. Sinon on masque la cellule publiée de coût le plus faible
   (coût ∝ valeur^0,5, pondéré par niveau territorial) qui comble le manque.
2. **Audit global** (``core.secret.audit``) : les programmes linéaires de l'attaquant, avec et sans
   initié. Pour chaque cellule encore exposée, un programme linéaire de protection cherche la
   perturbation la moins coûteuse qui respecte toutes les relations et les bornes a priori, déplace
   la cellule d'au moins son niveau de protection et ne touche pas ce que l'initié connaît ; les
   cellules publiées qu'elle déplace sont masquées. Ce déplacement reste alors réalisable pour
   l'attaquant : la cellule est protégée, et masquer davantage ne réduit jamais un intervalle.
3. On recommence l'audit sur les composantes modifiées jusqu'à ce qu'il ne trouve plus rien.

``gel`` : cellules qui doivent rester masquées (motif déjà publié, figé pour la campagne).
``deja_publiees`` : cellules déjà publiées, qui ne peuvent plus être masquées (et sont connues).
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse

from core.secret.audit import Exposition, _ids_des_cles, examiner, preparer
from core.secret.lp import BORNE_ECHELLE, Bloc, Solveur
from core.secret.politique import Politique
from core.secret.primaire import appliquer_regles_primaires, finaliser_statuts
from core.secret.relations import Systeme
from core.stats.modele import PUBLIC_ENSEMBLE, STATUT_PUBLIE, STATUT_SECRET, QuestionStat, Relation


@dataclass
class ResultatSecret:
    """Table protégée (colonnes internes comprises) et bilan du secret secondaire."""

    cellules: pl.DataFrame
    tours: int
    primaires: int  # cellules (sommes, effectifs) sensibles ou masquées par une règle primaire
    secondaires: int  # cellules (sommes, effectifs) masquées en complément
    expositions_restantes: list[Exposition]
    duree_s: float
    programmes: int

    @property
    def ok(self) -> bool:
        return not self.expositions_restantes


def couts(cellules: pl.DataFrame, politique: Politique) -> np.ndarray:
    """Coût de masquage d'une cellule : poids du niveau × (|valeur| + 1)^exposant."""
    poids = cellules["niveau"].replace_strict(dict(politique.poids_niveau), default=1.0, return_dtype=pl.Float64)
    ens = pl.Series(np.where((cellules["public"] == PUBLIC_ENSEMBLE).to_numpy(), politique.poids_ensemble, 1.0))
    v = cellules["valeur_brute"].fill_null(0.0).abs()
    return (poids * ens * (v + 1.0) ** politique.cout_exposant).to_numpy()


def _heuristique(
    systeme: Systeme,
    cache: np.ndarray,
    sensible: np.ndarray,
    upl: np.ndarray,
    lpl: np.ndarray,
    initie: np.ndarray,
    bmin: np.ndarray,
    bmax: np.ndarray,
    modifiable: np.ndarray,
    cout: np.ndarray,
) -> int:
    """Passe relation par relation, du haut vers le bas, avec propagation ; modifie ``cache``.

    Chaque cellule masquée porte une exigence de déplacement (haut, bas) : son niveau de protection
    si elle est sensible, ou l'écart qu'elle doit absorber si elle a été masquée en complément. Dans
    chaque relation, les autres cellules masquées doivent pouvoir compenser cette exigence, même
    privées des cellules d'un initié ; sinon on masque la cellule publiée la moins coûteuse qui
    comble le manque, et elle reçoit à son tour l'exigence, vérifiée dans ses autres relations.
    Renvoie le nombre de cellules ajoutées.
    """
    import heapq

    A = systeme.A
    Ac = systeme.A_csc
    variable = systeme.variable
    masque_sens = cache & sensible
    exig_h = np.where(masque_sens, upl, 0.0).tolist()
    exig_b = np.where(masque_sens, lpl, 0.0).tolist()
    depart = np.unique(Ac[:, np.flatnonzero(masque_sens)].tocoo().row)
    if depart.size == 0:
        return 0
    niveau_ligne = np.full(A.shape[0], 9, dtype=np.int64)
    coo = A.tocoo()
    np.minimum.at(niveau_ligne, coo.row, systeme.niveau[coo.col].astype(np.int64))
    niveau_ligne = niveau_ligne.tolist()
    v = systeme.valeur
    inf = float("inf")
    haut = np.where(np.isfinite(bmax), bmax - v, inf).tolist()
    bas = np.where(np.isfinite(bmin), v - bmin, inf).tolist()
    # Lignes réduites aux inconnues possibles : [(cellule, coef > 0)].
    Av = A[:, np.flatnonzero(variable)]
    ids_var = np.flatnonzero(variable)
    indptr = Av.indptr.tolist()
    indices = ids_var[Av.indices].tolist()
    positif = (Av.data > 0).tolist()
    cptr, cind = Ac.indptr.tolist(), Ac.indices.tolist()
    modif = modifiable.tolist()
    ini = initie.tolist()
    cout_l = cout.tolist()
    cach = cache.tolist()
    tas = [(niveau_ligne[r], r) for r in depart.tolist()]
    heapq.heapify(tas)
    en_attente = set(depart.tolist())
    ajoutes = 0
    while tas:
        _, r = heapq.heappop(tas)
        en_attente.discard(r)
        a, b = indptr[r], indptr[r + 1]
        if b - a < 2:
            continue
        ligne = list(zip(indices[a:b], positif[a:b], strict=True))
        for i, pi in ligne:
            if not cach[i] or (exig_h[i] <= 0 and exig_b[i] <= 0):
                continue
            gi = ini[i]
            for monte, besoin in ((True, exig_h[i]), (False, exig_b[i])):
                if besoin <= 0:
                    continue
                # Capacités des autres cellules masquées (une cellule de même signe compense en sens
                # inverse), totales et par initié (cellules dont un gestionnaire est seul contributeur).
                fini_total = 0.0
                infinis = 0
                par_g: dict[int, list] = {}
                candidats = []
                for k, pk in ligne:
                    if k == i:
                        continue
                    c = haut[k] if (pk != pi) == monte else bas[k]
                    if not cach[k]:
                        if modif[k] and c > 0:
                            candidats.append((k, c))
                        continue
                    g = ini[k]
                    if c == inf:
                        infinis += 1
                    else:
                        fini_total += c
                    if g >= 0 and g != gi:
                        s = par_g.setdefault(g, [0.0, 0])
                        if c == inf:
                            s[1] += 1
                        else:
                            s[0] += c
                dispo = fini_total + (inf if infinis else 0.0)
                for f_g, i_g in par_g.values():
                    reste = (fini_total - f_g) + (inf if infinis - i_g > 0 else 0.0)
                    dispo = min(dispo, reste)
                manque = besoin - dispo
                if manque <= 1e-9 * max(1.0, besoin) or not candidats:
                    continue
                suffisants = [x for x in candidats if x[1] >= manque]
                if suffisants:
                    choix = [min(suffisants, key=lambda x: cout_l[x[0]])]
                else:
                    choix = []
                    reste = manque
                    for x in sorted(candidats, key=lambda x: -x[1] / cout_l[x[0]]):
                        choix.append(x)
                        reste -= x[1]
                        if reste <= 0:
                            break
                for k, c in choix:
                    cach[k] = True
                    ajoutes += 1
                    quantite = min(c, besoin)
                    exig_h[k] = max(exig_h[k], min(quantite, haut[k]))
                    exig_b[k] = max(exig_b[k], min(quantite, bas[k]))
                    for t in range(cptr[k], cptr[k + 1]):
                        r2 = cind[t]
                        if r2 not in en_attente:
                            en_attente.add(r2)
                            heapq.heappush(tas, (niveau_ligne[r2], r2))
    cache[:] = np.asarray(cach, dtype=bool)
    return ajoutes


class _Familles:
    """Cellules et relations de chaque famille (composante du graphe complet des relations)."""

    def __init__(self, systeme: Systeme) -> None:
        self.s = systeme
        f = systeme.famille
        ids = np.flatnonzero(f >= 0)
        ordre = ids[np.argsort(f[ids], kind="stable")]
        self.ordre = ordre
        fam_tri = f[ordre]
        self.debut = {}
        frontieres = np.flatnonzero(np.diff(fam_tri)) + 1
        for morceau in np.split(np.arange(ordre.shape[0]), frontieres):
            if morceau.size:
                self.debut[int(fam_tri[morceau[0]])] = (int(morceau[0]), int(morceau[-1]) + 1)
        self._cache: dict[int, tuple] = {}

    def structure(self, famille: int):
        if famille not in self._cache:
            a, b = self.debut[famille]
            cellules = self.ordre[a:b]
            sous = self.s.A_csc[:, cellules].tocoo()
            lignes_u, lignes_l = np.unique(sous.row, return_inverse=True)
            self._cache[famille] = (cellules, lignes_l, sous.col, sous.data, lignes_u.shape[0])
        return self._cache[famille]

    def voisinage(self, famille: int, locale: int, profondeur: int) -> np.ndarray:
        """Masque des cellules de la famille à au plus ``profondeur`` relations de ``locale``."""
        cellules, lignes, cols, _, n_lignes = self.structure(famille)
        cle = ("M", famille)
        if cle not in self._cache:
            self._cache[cle] = sparse.csr_array(
                (np.ones(lignes.shape[0]), (lignes, cols)), shape=(n_lignes, cellules.shape[0])
            )
        M = self._cache[cle]
        x = np.zeros(cellules.shape[0])
        x[locale] = 1.0
        for _ in range(profondeur):
            x = M.T @ ((M @ x) != 0).astype(np.float64)
        return x != 0


def _bloc_de_protection(
    familles: _Familles,
    e: Exposition,
    cache: np.ndarray,
    modifiable: np.ndarray,
    bmin: np.ndarray,
    bmax: np.ndarray,
    cout: np.ndarray,
    profondeur: int | None = None,
) -> tuple[Bloc, np.ndarray, np.ndarray] | None:
    """Programme de protection d'une exposition : min Σ coût·|déplacement des cellules publiées|
    sous A·y = 0, bornes a priori, y_i ≥ niveau (dans le sens exposé), cellules connues de l'initié fixes.

    Avec ``profondeur``, seules les cellules à au plus autant de relations de la cellule exposée
    peuvent bouger (les autres restent à leur valeur : le déplacement trouvé reste valable).
    """
    s = familles.s
    famille = int(s.famille[e.cellule])
    cellules, lignes, cols, coefs, n_lignes = familles.structure(famille)
    v = s.valeur[cellules]
    echelle = float(max(1.0, abs(s.valeur[e.cellule]), e.requis))
    libre = np.ones(cellules.shape[0], dtype=bool)
    if profondeur is not None:
        locale = np.flatnonzero(cellules == e.cellule)
        if locale.size != 1:
            return None
        libre = familles.voisinage(famille, int(locale[0]), profondeur)
    cachee = cache[cellules] & libre
    connue = np.zeros(cellules.shape[0], dtype=bool)
    if e.connues.size:
        connue = np.isin(cellules, e.connues)
    mobile = ~cache[cellules] & modifiable[cellules] & libre
    iy = np.flatnonzero(cachee)
    im = np.flatnonzero(mobile)
    ny, nm = iy.shape[0], im.shape[0]
    col_y = np.full(cellules.shape[0], -1)
    col_y[iy] = np.arange(ny)
    col_p = np.full(cellules.shape[0], -1)
    col_p[im] = ny + np.arange(nm)
    ey = col_y[cols] >= 0
    ep = col_p[cols] >= 0
    L = np.concatenate([lignes[ey], lignes[ep], lignes[ep]])
    C = np.concatenate([col_y[cols[ey]], col_p[cols[ep]], col_p[cols[ep]] + nm])
    V = np.concatenate([coefs[ey], coefs[ep], -coefs[ep]])
    lignes_utiles, L = np.unique(L, return_inverse=True)
    bmin_f = bmin[cellules]
    bmax_f = bmax[cellules]
    if e.bornes:
        # Ce que l'initié sait de sa propre part : le déplacement doit le respecter aussi.
        bmin_f = bmin_f.copy()
        bmax_f = bmax_f.copy()
        for j, cel in enumerate(cellules.tolist()):
            if cel in e.bornes:
                bmin_f[j] = max(bmin_f[j], e.bornes[cel][0])
                bmax_f[j] = min(bmax_f[j], e.bornes[cel][1])
    with np.errstate(invalid="ignore"):
        haut = np.clip((bmax_f - v) / echelle, 0.0, BORNE_ECHELLE)
        bas = np.clip((v - bmin_f) / echelle, 0.0, BORNE_ECHELLE)
    y_min = -bas[iy]
    y_max = haut[iy].copy()
    y_min[connue[iy]] = 0.0
    y_max[connue[iy]] = 0.0
    cible = np.flatnonzero(cellules[iy] == e.cellule)
    if cible.size != 1:
        return None
    j = cible[0]
    requis = e.requis / echelle
    # Un peu plus que le niveau (marge numérique), sans dépasser ce que permettent les bornes.
    tol = 1e-9 * max(1.0, requis)
    cible_ecart = requis * (1 + 1e-6) + 1e-9
    if e.sens > 0:
        if y_max[j] < requis - tol:
            return None
        y_min[j] = min(cible_ecart, y_max[j])
    else:
        if -y_min[j] < requis - tol:
            return None
        y_max[j] = max(-cible_ecart, y_min[j])
    bmin_b = np.concatenate([y_min, np.zeros(2 * nm)])
    bmax_b = np.concatenate([y_max, haut[im], bas[im]])
    vm = np.abs(v[im])
    poids = cout[cellules[im]] / np.minimum(np.maximum(vm, 1.0), max(e.requis, 1e-9))
    poids = poids * echelle / max(poids.min(), 1e-12) if nm else poids
    objectif = np.concatenate([np.zeros(ny), poids, poids])
    bloc = Bloc(
        lignes=L,
        colonnes=C,
        coefs=V,
        n_lignes=int(lignes_utiles.shape[0]),
        cellules=np.concatenate([cellules[iy], cellules[im], cellules[im]]),
        bmin=bmin_b,
        bmax=bmax_b,
        echelle=echelle,
    )
    return bloc, objectif, cellules[im]


def _proteger_expositions(
    familles: _Familles,
    expositions: list[Exposition],
    cache: np.ndarray,
    modifiable: np.ndarray,
    bmin: np.ndarray,
    bmax: np.ndarray,
    cout: np.ndarray,
    solveur: Solveur,
) -> tuple[np.ndarray, list[Exposition]]:
    """Cellules à masquer pour protéger chaque exposition ; renvoie aussi les expositions impossibles."""
    nouvelles: list[np.ndarray] = []
    impossibles: list[Exposition] = []
    vues = set()
    a_traiter = []
    for e in expositions:
        cle = (e.cellule, e.sens, e.initie)
        if cle not in vues:
            vues.add(cle)
            a_traiter.append(e)
    # D'abord dans un voisinage (petits programmes), puis dans toute la famille si c'est impossible.
    for profondeur in (3, 5, None):
        blocs, objectifs, mobiles, gardees, echecs = [], [], [], [], []
        for e in a_traiter:
            r = _bloc_de_protection(familles, e, cache, modifiable, bmin, bmax, cout, profondeur)
            if r is None:
                echecs.append(e)
                continue
            blocs.append(r[0])
            objectifs.append(r[1])
            mobiles.append(r[2])
            gardees.append(e)
        if blocs:
            sols = solveur.resoudre(blocs, objectifs, infaisables=True)
            for b, y, m, e in zip(blocs, sols, mobiles, gardees, strict=True):
                if y is None:
                    echecs.append(e)
                    continue
                nm = m.shape[0]
                ny = b.n_colonnes - 2 * nm
                deplacement = y[ny : ny + nm] + y[ny + nm :]
                nouvelles.append(m[deplacement > 1e-9])
        a_traiter = echecs
        if not a_traiter:
            break
    impossibles = a_traiter
    ajout = np.unique(np.concatenate(nouvelles)) if nouvelles else np.empty(0, dtype=np.int64)
    return ajout, impossibles


def supprimer_secondaire(
    cellules: pl.DataFrame,
    questions: Iterable[QuestionStat],
    relations: Iterable[Relation] = (),
    politique: Politique | None = None,
    *,
    gel: pl.DataFrame | None = None,
    deja_publiees: pl.DataFrame | None = None,
    bornes: pl.DataFrame | None = None,
    initie: bool = True,
) -> ResultatSecret:
    """Secret secondaire sur une table issue de ``appliquer_regles_primaires``."""
    debut = time.perf_counter()
    pol = politique or Politique()
    questions = list(questions)
    relations = list(relations)
    cellules = cellules.drop("id", strict=False).with_row_index("id")
    cellules, systeme, _, sensible, upl, lpl, ini, bmin, bmax, _, connues = preparer(
        cellules, questions, relations, pol, deja_publiees=deja_publiees, bornes=bornes, regles=cellules
    )
    # Inconnues de l'attaquant : les cellules masquées, sauf celles déjà publiées auparavant.
    n = cellules.height
    ecart = np.zeros(systeme.n_cellules, dtype=bool)
    ecart[n:] = True  # variables d'écart des inégalités : toujours inconnues
    cache = np.zeros(systeme.n_cellules, dtype=bool)
    cache[:n] = (cellules["statut"] == STATUT_SECRET).to_numpy()
    cache = (cache & systeme.variable & ~connues) | ecart
    primaires = int(cache[:n].sum())
    modifiable = systeme.variable & ~connues & ~ecart
    gel_ids = np.empty(0, dtype=np.int64)
    if gel is not None and gel.height:
        gel_ids = _ids_des_cles(cellules, gel)
        cache[gel_ids[systeme.variable[gel_ids] & ~connues[gel_ids]]] = True
    cout = np.concatenate([couts(cellules, pol), np.zeros(systeme.n_cellules - n)])
    solveur = Solveur()
    _heuristique(systeme, cache, sensible, upl, lpl, ini, bmin, bmax, modifiable, cout)
    familles = _Familles(systeme)
    restreindre = None
    tours = 0
    impossibles: dict[tuple[int, int, int], Exposition] = {}
    expositions: list[Exposition] = []
    while tours < pol.tours_max:
        tours += 1
        examen = examiner(
            systeme, cache, sensible, upl, lpl, ini, bmin, bmax,
            avec_inities=initie, restreindre_a=restreindre, intervalles_exposees=False, solveur=solveur,
        )  # fmt: skip
        expositions = examen.expositions
        if not expositions:
            break
        ajout, sans_solution = _proteger_expositions(
            familles, expositions, cache, modifiable, bmin, bmax, cout, solveur
        )
        for e in sans_solution:
            impossibles[(e.cellule, e.sens, e.initie)] = e
        ajout = ajout[~cache[ajout]]
        if ajout.size == 0:
            break
        cache[ajout] = True
        restreindre = ajout
    if impossibles or (expositions and tours >= pol.tours_max):
        # Ce qui reste exposé : on réexamine les composantes des expositions sans solution.
        cibles = np.array(sorted({e.cellule for e in [*impossibles.values(), *expositions]}), dtype=np.int64)
        examen = examiner(
            systeme, cache, sensible, upl, lpl, ini, bmin, bmax,
            avec_inities=initie, restreindre_a=cibles, intervalles_exposees=False, solveur=solveur,
        )  # fmt: skip
        expositions = examen.expositions
    restantes = expositions

    # Statuts finals : une cellule gelée reste masquée, même déjà connue ; motifs internes seulement.
    gele = np.zeros(cellules.height, dtype=bool)
    gele[gel_ids] = True
    masque = pl.Series(cache[:n] | (gele & systeme.variable[:n]))
    gele_s = pl.Series(gele)
    variable = pl.col("variable")
    sortie = cellules.with_columns(
        statut=pl.when(variable & masque)
        .then(pl.lit(STATUT_SECRET))
        .when(variable)
        .then(pl.lit(STATUT_PUBLIE))
        .otherwise(pl.col("statut")),
        motif=pl.when(variable & masque & pl.col("motif").is_null())
        .then(pl.when(gele_s).then(pl.lit("gel")).otherwise(pl.lit("secondaire")))
        .otherwise(pl.col("motif")),
    )
    sortie = finaliser_statuts(sortie, pol)
    if gele.any():
        # Cellules gelées hors relations (quantiles…) : masquées elles aussi.
        sortie = sortie.with_columns(
            statut=pl.when(gele_s).then(pl.lit(STATUT_SECRET)).otherwise(pl.col("statut")),
            motif=pl.when(gele_s & pl.col("motif").is_null()).then(pl.lit("gel")).otherwise(pl.col("motif")),
        ).with_columns(valeur=pl.when(pl.col("statut") == STATUT_PUBLIE).then(pl.col("valeur_brute")))
    return ResultatSecret(
        cellules=sortie.drop("id"),
        tours=tours,
        primaires=primaires,
        secondaires=int(cache[:n].sum()) - primaires,
        expositions_restantes=list(restantes),
        duree_s=time.perf_counter() - debut,
        programmes=solveur.programmes,
    )


def proteger(
    cellules: pl.DataFrame,
    questions: Iterable[QuestionStat],
    relations: Iterable[Relation] = (),
    politique: Politique | None = None,
    *,
    gel: pl.DataFrame | None = None,
    deja_publiees: pl.DataFrame | None = None,
    bornes: pl.DataFrame | None = None,
    initie: bool = True,
) -> ResultatSecret:
    """Secret primaire puis secondaire sur la sortie de ``calculer_statistiques``."""
    questions = list(questions)
    pol = politique or Politique()
    primaires = appliquer_regles_primaires(cellules, questions, pol)
    return supprimer_secondaire(
        primaires, questions, relations, pol, gel=gel, deja_publiees=deja_publiees, bornes=bornes, initie=initie
    )
