"""Programmes linéaires de l'attaquant, résolus par lots (``scipy.optimize.linprog``, HiGHS).

Une *composante* (bloc) est un ensemble de cellules masquées reliées par des relations additives ;
ses programmes linéaires sont indépendants de ceux des autres composantes. Les inconnues sont les
écarts à la vraie valeur, mis à l'échelle du bloc : y = (x − v) / échelle, avec A·y = 0 et les
bornes a priori. Plutôt que de résoudre des milliers de petits programmes un par un (≈ 1 ms de
surcoût chacun), on empile des blocs en une matrice diagonale par blocs : l'optimum d'une somme
d'objectifs indépendants est atteint bloc par bloc, donc un seul appel à HiGHS donne l'optimum de
chaque bloc. La matrice d'un bloc est construite une fois et réutilisée pour tous ses programmes
(min et max de chaque cellule).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

BORNE_ECHELLE = 1.0e4  # bornes infinies remplacées par ±10⁴ échelles (au-delà : « non borné »)
TOLERANCE = 1.0e-6  # en unités d'échelle
VARIABLES_PAR_LOT = 40_000


class ErreurLP(RuntimeError):
    pass


@dataclass
class Bloc:
    """Un programme linéaire : A·y = 0, bmin ≤ y ≤ bmax (y en unités d'échelle)."""

    lignes: np.ndarray
    colonnes: np.ndarray
    coefs: np.ndarray
    n_lignes: int
    cellules: np.ndarray  # identifiants globaux des colonnes
    bmin: np.ndarray
    bmax: np.ndarray
    echelle: float
    etiquette: int = -1  # scénario (-1 : attaquant extérieur ; sinon indice de l'initié)
    index: dict[int, int] = field(default_factory=dict)
    bornes_initie: dict[int, tuple[float, float]] = field(default_factory=dict)

    @property
    def n_colonnes(self) -> int:
        return self.cellules.shape[0]

    def local(self, cellule: int) -> int:
        if not self.index:
            self.index = {int(c): i for i, c in enumerate(self.cellules)}
        return self.index[int(cellule)]


def bornes_echelle(
    valeur: np.ndarray, bmin: np.ndarray, bmax: np.ndarray, echelle: float
) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore"):
        bas = np.clip((bmin - valeur) / echelle, -BORNE_ECHELLE, 0.0)
        haut = np.clip((bmax - valeur) / echelle, 0.0, BORNE_ECHELLE)
    return np.nan_to_num(bas, nan=0.0), np.nan_to_num(haut, nan=0.0)


class Solveur:
    """Résout des lots de blocs ; compte les appels à HiGHS."""

    def __init__(self, variables_par_lot: int = VARIABLES_PAR_LOT) -> None:
        self.variables_par_lot = variables_par_lot
        self.appels = 0
        self.programmes = 0
        self.infaisables = False

    def resoudre(
        self, blocs: Sequence[Bloc], objectifs: Sequence[np.ndarray], *, infaisables: bool = False
    ) -> list[np.ndarray]:
        """Minimise objectifs[i]·y sur chaque bloc ; renvoie la solution de chaque bloc.

        Avec ``infaisables=True``, un bloc sans solution renvoie ``None`` au lieu d'une erreur (les
        programmes de l'attaquant sont toujours réalisables : y = 0 ; ceux de protection pas toujours).
        """
        self.infaisables = infaisables
        solutions: list[np.ndarray | None] = [None] * len(blocs)
        lot: list[int] = []
        taille = 0
        for i, b in enumerate(blocs):
            self.programmes += 1
            if b.n_lignes == 0:
                c = objectifs[i]
                solutions[i] = np.where(c < 0, b.bmax, np.where(c > 0, b.bmin, 0.0))
                continue
            lot.append(i)
            taille += b.n_colonnes
            if taille >= self.variables_par_lot:
                self._lot(blocs, objectifs, lot, solutions)
                lot, taille = [], 0
        if lot:
            self._lot(blocs, objectifs, lot, solutions)
        return solutions  # type: ignore[return-value]

    def _lot(self, blocs, objectifs, lot: list[int], solutions: list) -> None:
        decal_l = 0
        decal_c = 0
        L, C, V, bas, haut, obj, bornes_c = [], [], [], [], [], [], []
        for i in lot:
            b = blocs[i]
            L.append(b.lignes + decal_l)
            C.append(b.colonnes + decal_c)
            V.append(b.coefs)
            bas.append(b.bmin)
            haut.append(b.bmax)
            obj.append(objectifs[i])
            bornes_c.append(decal_c)
            decal_l += b.n_lignes
            decal_c += b.n_colonnes
        A = sparse.csr_array((np.concatenate(V), (np.concatenate(L), np.concatenate(C))), shape=(decal_l, decal_c))
        bornes = np.column_stack([np.concatenate(bas), np.concatenate(haut)])
        self.appels += 1
        res = linprog(
            np.concatenate(obj),
            A_eq=A,
            b_eq=np.zeros(decal_l),
            bounds=bornes,
            method="highs",
        )
        if res.status != 0 or res.x is None:
            if len(lot) > 1:
                # Un bloc infaisable (programme de protection) ou une difficulté numérique : on
                # résout les blocs du lot un par un.
                for i in lot:
                    self._lot(blocs, objectifs, [i], solutions)
                return
            if res.status == 2 and self.infaisables:
                solutions[lot[0]] = None
                return
            raise ErreurLP(f"Programme linéaire non résolu (statut {res.status}) : {res.message}")
        for k, i in enumerate(lot):
            d = bornes_c[k]
            solutions[i] = res.x[d : d + blocs[i].n_colonnes]


def decouper_en_blocs(
    A_csc: sparse.csc_array,
    caches: np.ndarray,
    valeur: np.ndarray,
    bmin: np.ndarray,
    bmax: np.ndarray,
) -> list[Bloc]:
    """Composantes connexes des cellules masquées ``caches`` (identifiants globaux) : un bloc chacune."""
    if caches.size == 0:
        return []
    sous = A_csc[:, caches].tocoo()
    lignes_utilisees, lignes_locales = np.unique(sous.row, return_inverse=True)
    nr = lignes_utilisees.shape[0]
    nh = caches.shape[0]
    graphe = sparse.coo_array((np.ones(sous.nnz), (lignes_locales, nr + sous.col)), shape=(nr + nh, nr + nh))
    _, etiquettes = connected_components(graphe, directed=False)
    et_col = etiquettes[nr:]
    et_ligne = etiquettes[:nr]
    # Indices locaux dans chaque composante.
    n_et = int(etiquettes.max()) + 1
    ordre_c = np.argsort(et_col, kind="stable")
    debut_c = np.searchsorted(et_col[ordre_c], np.arange(n_et + 1))
    local_c = np.empty(nh, dtype=np.int64)
    local_c[ordre_c] = np.arange(nh) - debut_c[et_col[ordre_c]]
    ordre_l = np.argsort(et_ligne, kind="stable")
    debut_l = np.searchsorted(et_ligne[ordre_l], np.arange(n_et + 1))
    local_l = np.empty(nr, dtype=np.int64)
    local_l[ordre_l] = np.arange(nr) - debut_l[et_ligne[ordre_l]]
    et_nnz = et_col[sous.col]
    ordre_n = np.argsort(et_nnz, kind="stable")
    debut_n = np.searchsorted(et_nnz[ordre_n], np.arange(n_et + 1))
    ln = local_l[lignes_locales[ordre_n]]
    cn = local_c[sous.col[ordre_n]]
    vn = sous.data[ordre_n]
    blocs: list[Bloc] = []
    for e in range(n_et):
        cols = caches[ordre_c[debut_c[e] : debut_c[e + 1]]]
        if cols.size == 0:
            continue
        v = valeur[cols]
        echelle = float(max(1.0, np.max(np.abs(v))))
        bas, haut = bornes_echelle(v, bmin[cols], bmax[cols], echelle)
        s = slice(debut_n[e], debut_n[e + 1])
        blocs.append(
            Bloc(
                lignes=ln[s],
                colonnes=cn[s],
                coefs=vn[s],
                n_lignes=int(debut_l[e + 1] - debut_l[e]),
                cellules=cols,
                bmin=bas,
                bmax=haut,
                echelle=echelle,
            )
        )
    return blocs


def sous_bloc(bloc: Bloc, fixes: np.ndarray, etiquette: int) -> list[Bloc]:
    """Le bloc avec les colonnes locales ``fixes`` connues (écart nul), redécoupé en composantes."""
    garde = np.ones(bloc.n_colonnes, dtype=bool)
    garde[fixes] = False
    nouvelles = np.cumsum(garde) - 1
    e = garde[bloc.colonnes]
    lignes = bloc.lignes[e]
    cols = nouvelles[bloc.colonnes[e]]
    coefs = bloc.coefs[e]
    nc = int(garde.sum())
    if nc == 0:
        return []
    lignes_u, lignes_l = np.unique(lignes, return_inverse=True)
    nr = lignes_u.shape[0]
    graphe = sparse.coo_array((np.ones(lignes.shape[0]), (lignes_l, nr + cols)), shape=(nr + nc, nr + nc))
    n_et, et = connected_components(graphe, directed=False)
    et_col = et[nr:]
    et_ligne = et[:nr]
    cellules = bloc.cellules[garde]
    bmin = bloc.bmin[garde]
    bmax = bloc.bmax[garde]
    sortie = []
    for k in np.unique(et_col):
        mc = et_col == k
        ml = et_ligne == k
        idx_c = np.cumsum(mc) - 1
        idx_l = np.cumsum(ml) - 1
        me = mc[cols]
        sortie.append(
            Bloc(
                lignes=idx_l[lignes_l[me]],
                colonnes=idx_c[cols[me]],
                coefs=coefs[me],
                n_lignes=int(ml.sum()),
                cellules=cellules[mc],
                bmin=bmin[mc],
                bmax=bmax[mc],
                echelle=bloc.echelle,
                etiquette=etiquette,
            )
        )
    return sortie
