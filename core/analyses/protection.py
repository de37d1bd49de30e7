"""Protection des analyses : secret primaire, secondaire, compléments et registre des libérations.

Une analyse libère des **ensembles de structures** (une cellule = les répondants d'un territoire qui
vérifient des conditions) avec la somme d'une variable (montant, ou 1/0 pour un comptage). Un lecteur
connaît aussi d'autres ensembles : les cellules publiées de la diffusion, les cellules déjà libérées
à son public (registre), et les figures non filtrées dont une analyse filtrée est le complément.

Tout ce qu'un attaquant peut déduire par différences (A ⊂ B ⇒ B − A, ensembles qui se chevauchent…)
se lit sur les **atomes** : les classes de structures qu'aucun ensemble connu ne sépare. L'attaquant
connaît exactement, et au mieux, des sommes d'atomes. Pour chaque atome *sensible* (mêmes règles que
les tableaux : moins de ``frequence_min`` gestionnaires, dominance, règle p %, répartition sur moins de
``repartition_min_repondants`` répondants, effectif de 1 ou 2), on calcule par programmation linéaire
l'intervalle de ses valeurs compatibles avec tout ce qui est connu (bornes a priori : montants ≥ 0,
effectif entre 0 et le nombre de répondants) ; l'atome est **exposé** si l'intervalle ne s'écarte pas
de sa vraie valeur d'au moins son niveau de protection (≥ ``intervalle_protection`` et
``protection_min``, niveaux de dominance et p % pour un montant). Variante initié : un gestionnaire
seul dans un atome connaît sa valeur ; l'atome sensible d'un autre ne doit pas devenir exactement
calculable (norme PS2*).

Secret secondaire : tant qu'un atome est exposé, on masque en plus la cellule libérable la moins
coûteuse qui entre dans sa détermination (petites cellules d'abord, marges ensuite, total général en
dernier), puis on recommence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from core.secret.lp import BORNE_ECHELLE, Bloc, Solveur, bornes_echelle

GRANDEUR = "grandeur"
COMPTAGE = "comptage"
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Regles:
    """Les paramètres de ``core.secret.Politique`` utiles aux analyses (copiés, pour rester découplé)."""

    frequence_min: int = 3
    dominance_k: float = 85.0
    p_pourcent: float = field(default=10.0, repr=False)
    repartition_min_repondants: int = 5
    intervalle_protection: float = 0.10
    protection_min: float = 1.0

    @classmethod
    def depuis_politique(cls, pol) -> Regles:
        return cls(
            frequence_min=pol.frequence_min,
            dominance_k=pol.dominance_k,
            p_pourcent=pol.p_pourcent,
            repartition_min_repondants=pol.repartition_min_repondants,
            intervalle_protection=pol.intervalle_protection,
            protection_min=pol.protection_min,
        )


@dataclass(frozen=True)
class Contribution:
    """Réponse d'une structure à la variable : ``valeur`` (montant, ou 1/0 pour un comptage)."""

    gestionnaire: str
    valeur: float


@dataclass
class Ensemble:
    """Un ensemble de structures dont la somme est (ou serait) connue du lecteur.

    ``liberable`` : cellule du résultat en cours, que la protection peut masquer ; sinon ensemble déjà
    connu (diffusion publiée, registre) ou supposé connu (figure non filtrée, complément).
    ``cout`` : coût de suppression (plus grand pour les marges et le total général)."""

    cle: str
    structures: frozenset[int]
    liberable: bool = False
    cout: float = 1.0
    masque: bool = False
    motif: str | None = None
    ombre: bool = False  # figure non filtrée supposée connue (complément d'un filtre) : même tableau


@dataclass
class Examen:
    exposes: list[tuple[frozenset[int], str]]  # (atome, scénario « externe » | « initié »)
    atomes: int
    sensibles: int
    programmes: int


# --------------------------------------------------------------------------- règles primaires


def sensibilite(
    structures: Iterable[int],
    contributions: Mapping[int, Contribution],
    nature: str,
    regles: Regles,
    *,
    question_sensible: bool = False,
) -> tuple[bool, float, float]:
    """(sensible, niveau haut, niveau bas) de la somme de la variable sur ``structures``."""
    ids = [s for s in structures if s in contributions]
    if not ids:
        return False, 0.0, 0.0
    if nature == COMPTAGE:
        m = len(ids)
        c = sum(contributions[s].valeur for s in ids)
        sensible = (
            m < regles.repartition_min_repondants
            or 0 < c < regles.frequence_min
            or 0 < m - c < regles.frequence_min
            or (question_sensible and (c >= m - 1 or c <= 1))
        )
        if not sensible:
            return False, 0.0, 0.0
        niveau = max(regles.intervalle_protection * c, regles.protection_min)
        haut = min(niveau, m - c)
        bas = min(niveau, c)
        if haut <= 0 and bas <= 0:  # toutes les réponses connues d'avance : rien à protéger
            haut = bas = min(regles.protection_min, m)
        return True, haut, bas
    parts: dict[str, float] = {}
    for s in ids:
        c = contributions[s]
        parts[c.gestionnaire] = parts.get(c.gestionnaire, 0.0) + c.valeur
    valeurs = sorted((abs(v) for v in parts.values()), reverse=True)
    total = sum(contributions[s].valeur for s in ids)
    X = sum(valeurs)
    x1 = valeurs[0] if valeurs else 0.0
    x2 = valeurs[1] if len(valeurs) > 1 else 0.0
    nc = len(valeurs)
    sensible = (
        0 < nc < regles.frequence_min
        or (X > 0 and x1 > regles.dominance_k / 100.0 * X)
        or (X > 0 and X - x1 - x2 < regles.p_pourcent / 100.0 * x1)
    )
    if not sensible:
        return False, 0.0, 0.0
    niveau = max(
        100.0 / regles.dominance_k * x1 - X,
        regles.p_pourcent / 100.0 * x1 - (X - x1 - x2),
        regles.intervalle_protection * abs(total),
        regles.protection_min,
    )
    return True, niveau, min(niveau, abs(total)) if all(contributions[s].valeur >= 0 for s in ids) else niveau


def motif_primaire(
    structures: Iterable[int],
    contributions: Mapping[int, Contribution],
    nature: str,
    regles: Regles,
    *,
    question_sensible: bool = False,
) -> bool:
    """Vrai si la cellule elle-même enfreint une règle primaire (elle est masquée)."""
    ids = [s for s in structures if s in contributions]
    if not ids:
        return False
    if nature == COMPTAGE and len(ids) < regles.repartition_min_repondants:
        return True
    return sensibilite(ids, contributions, nature, regles, question_sensible=question_sensible)[0]


# --------------------------------------------------------------------------- atomes et audit


def atomes(ensembles: Iterable[frozenset[int]]) -> tuple[list[frozenset[int]], np.ndarray]:
    """Classes de structures qu'aucun ensemble ne sépare, et matrice d'appartenance ensemble × atome."""
    ensembles = list(ensembles)
    signature: dict[int, list[int]] = {}
    for i, e in enumerate(ensembles):
        for s in e:
            signature.setdefault(s, []).append(i)
    classes: dict[tuple[int, ...], set[int]] = {}
    for s, sig in signature.items():
        classes.setdefault(tuple(sig), set()).add(s)
    cles = sorted(classes, key=lambda k: (min(classes[k]), k))
    liste = [frozenset(classes[k]) for k in cles]
    matrice = np.zeros((len(ensembles), len(liste)))
    for j, k in enumerate(cles):
        for i in k:
            matrice[i, j] = 1.0
    return liste, matrice


def _bornes_atome(atome: frozenset[int], contributions: Mapping[int, Contribution], nature: str):
    ids = [s for s in atome if s in contributions]
    if nature == COMPTAGE:
        return 0.0, float(len(ids))
    if all(contributions[s].valeur >= 0 for s in ids):
        return 0.0, None
    return None, None


def examiner(
    connus: list[frozenset[int]],
    contributions: Mapping[int, Contribution],
    nature: str,
    regles: Regles,
    *,
    question_sensible: bool = False,
    inities: bool = True,
    secrets: Iterable[frozenset[int]] = (),
) -> Examen:
    """Audit de ce que révèlent ensemble les ensembles ``connus`` (sommes exactes de la variable).

    Divulgation exacte : un atome est calculable si sa coordonnée est nulle dans le noyau de la matrice
    ensembles × atomes. Sinon, les programmes linéaires de l'attaquant (écart maximal vers le haut et
    vers le bas) sont résolus par lots (``core.secret.lp.Solveur``). Initiés : un gestionnaire seul dans
    des atomes en fixe la valeur ; on vérifie qu'aucun autre atome sensible ne devient calculable."""
    connus = [e for e in {frozenset(e) for e in connus} if e]
    if not connus:
        return Examen([], 0, 0, 0)
    liste, A = atomes(connus)
    valeurs = np.array([sum(contributions[s].valeur for s in a if s in contributions) for a in liste])
    sens: dict[int, tuple[float, float]] = {}
    for j, a in enumerate(liste):
        sensible, haut, bas = sensibilite(a, contributions, nature, regles, question_sensible=question_sensible)
        if sensible and (haut > TOLERANCE or bas > TOLERANCE):
            sens[j] = (haut, bas)
    exposes: list[tuple[frozenset[int], str]] = []
    secrets = [frozenset(x) for x in secrets]
    if not sens and not secrets:
        return Examen(exposes, len(liste), 0, 0)
    noyau = _noyau(A)
    # Ensembles masqués par la diffusion (motif figé) : leur somme ne doit pas devenir calculable.
    index = {s: j for j, a in enumerate(liste) for s in a}
    for secret in secrets:
        cols = {index[s] for s in secret if s in index}
        if not cols or any(not liste[j] <= secret for j in cols):
            continue
        indicatrice = np.zeros(len(liste))
        indicatrice[list(cols)] = 1.0
        if noyau.shape[1] == 0 or np.allclose(indicatrice @ noyau, 0.0, atol=1e-9):
            exposes.append((frozenset(secret), "diffusion"))
    libres = {j for j in sens if noyau.shape[1] and not np.allclose(noyau[j], 0.0, atol=1e-9)}
    for j in sens:
        if j not in libres:
            exposes.append((liste[j], "externe"))
    programmes = 0
    if libres:
        echelle = max(1.0, float(np.abs(valeurs).max()))
        bas_a = np.array(
            [
                (-np.inf if b[0] is None else b[0])
                for b in map(lambda a: _bornes_atome(a, contributions, nature), liste)
            ]
        )
        haut_a = np.array(
            [(np.inf if b[1] is None else b[1]) for b in map(lambda a: _bornes_atome(a, contributions, nature), liste)]
        )
        bmin, bmax = bornes_echelle(valeurs, bas_a, haut_a, echelle)
        lignes, colonnes = np.nonzero(A)
        bloc = Bloc(
            lignes=lignes,
            colonnes=colonnes,
            coefs=A[lignes, colonnes],
            n_lignes=A.shape[0],
            cellules=np.arange(len(liste)),
            bmin=bmin,
            bmax=bmax,
            echelle=echelle,
        )
        solveur = Solveur()
        # Certification groupée : un point réalisable qui écarte un atome d'au moins son niveau de
        # protection suffit à le déclarer protégé dans ce sens. On cherche ce point pour beaucoup
        # d'atomes à la fois (objectif combiné, écarts plafonnés au niveau requis), puis l'on ne résout
        # le programme exact (maximum de l'écart) que pour les atomes restants.
        taches = []
        for signe in (1.0, -1.0):
            restants = {}
            for j in sorted(libres):
                requis = sens[j][0] if signe > 0 else sens[j][1]
                if requis > TOLERANCE:
                    restants[j] = requis / echelle
            for _ in range(4):
                if len(restants) < 4:
                    break
                bmin_c, bmax_c = bloc.bmin.copy(), bloc.bmax.copy()
                c = np.zeros(len(liste))
                for j, r in restants.items():
                    if signe > 0:
                        bmax_c[j] = min(bmax_c[j], r)
                    else:
                        bmin_c[j] = max(bmin_c[j], -r)
                    c[j] = -signe / r
                essai = Bloc(
                    bloc.lignes, bloc.colonnes, bloc.coefs, bloc.n_lignes, bloc.cellules, bmin_c, bmax_c, echelle
                )
                (y,) = solveur.resoudre([essai], [c])
                programmes += 1
                certifies = {j for j, r in restants.items() if signe * y[j] >= r * (1 - 1e-7) - 1e-12}
                if not certifies:
                    break
                for j in certifies:
                    del restants[j]
            for j, r in restants.items():
                taches.append((j, signe, r * echelle))
        objectifs = []
        for j, signe, _requis in taches:
            c = np.zeros(len(liste))
            c[j] = -signe
            objectifs.append(c)
        solutions = solveur.resoudre([bloc] * len(taches), objectifs) if taches else []
        programmes += len(taches)
        vus: set[int] = set()
        for (j, signe, requis), y in zip(taches, solutions, strict=True):
            if j in vus or y is None:
                continue
            atteint = signe * y[j] * echelle
            if signe * y[j] >= BORNE_ECHELLE - 1:
                continue  # non borné : protégé
            if atteint < requis - max(TOLERANCE, 1e-9 * abs(valeurs[j])):
                exposes.append((liste[j], "externe"))
                vus.add(j)
    if inities and noyau.shape[1]:
        deja = {a for a, _ in exposes}
        seuls: dict[str, list[int]] = {}
        for j, a in enumerate(liste):
            gs = {contributions[s].gestionnaire for s in a if s in contributions}
            if len(gs) == 1:
                seuls.setdefault(next(iter(gs)), []).append(j)
        for propres in seuls.values():
            candidats = [j for j in libres if j not in propres and liste[j] not in deja]
            if not candidats:
                continue
            # Avec les atomes « propres » fixés, l'atome j devient calculable ssi sa ligne du noyau est
            # dans l'espace engendré par les lignes des atomes fixés.
            base, sv, _ = np.linalg.svd(noyau[propres].T, full_matrices=False)
            base = base[:, sv > 1e-9]
            lignes_c = noyau[candidats]
            residu = lignes_c - (lignes_c @ base) @ base.T if base.shape[1] else lignes_c
            for j, r in zip(candidats, residu, strict=True):
                if np.allclose(r, 0.0, atol=1e-9):
                    exposes.append((liste[j], "initié"))
                    deja.add(liste[j])
    return Examen(exposes, len(liste), len(sens), programmes)


def _noyau(A: np.ndarray) -> np.ndarray:
    if A.size == 0:
        return np.eye(A.shape[1])
    _, s, vt = np.linalg.svd(A, full_matrices=True)
    rang = int((s > 1e-9 * max(1.0, s[0] if s.size else 1.0)).sum())
    return vt[rang:].T


# --------------------------------------------------------------------------- protection


def proteger(
    ensembles: list[Ensemble],
    contributions: Mapping[int, Contribution],
    nature: str,
    regles: Regles,
    *,
    question_sensible: bool = False,
    secrets: Iterable[frozenset[int]] = (),
    tours_max: int = 200,
) -> list[Ensemble]:
    """Décide ``masque`` et ``motif`` de chaque ensemble libérable (les autres sont déjà connus).

    ``secrets`` : ensembles masqués par la diffusion ; une cellule qui en reproduit un reste masquée
    (motif figé, sinon la réunion des deux publications le révélerait). Une cellule qui reproduit un
    ensemble déjà connu n'apprend rien au lecteur : elle est montrée et n'est jamais masquée en plus.

    Motifs : « primaire » (la cellule enfreint une règle), « secondaire » (elle permettrait de
    retrouver une cellule masquée de ce résultat, ou reproduit une cellule masquée de la diffusion),
    « registre » (différence avec des chiffres déjà libérés à ce public)."""
    fonds = [e for e in ensembles if not e.liberable]
    fond = {e.structures for e in fonds}
    registre = [e.structures for e in fonds if e.cle.startswith("registre")]
    secrets = set(secrets) - fond
    for e in ensembles:
        if not e.liberable or e.masque:
            continue
        if e.structures in fond:
            continue
        if motif_primaire(e.structures, contributions, nature, regles, question_sensible=question_sensible):
            e.masque, e.motif = True, "primaire"
        elif e.structures in secrets:
            e.masque, e.motif = True, "secondaire"
    # Ce que le fond révèle à lui seul (déjà audité par ailleurs) n'est pas corrigible ici.
    deja = {a for a, _ in examiner(list(fond), contributions, nature, regles,
                                   question_sensible=question_sensible, secrets=secrets).exposes}  # fmt: skip
    for _ in range(tours_max):
        connus = [e.structures for e in ensembles if not e.masque]
        examen = examiner(connus, contributions, nature, regles, question_sensible=question_sensible, secrets=secrets)
        exposes = [(a, sc) for a, sc in examen.exposes if not any(a <= d for d in deja)]
        if not exposes:
            return ensembles
        # Une suppression par atome exposé (cellules distinctes), puis on recommence.
        lot = exposes
        choisis: set[str] = set()
        touches: set[int] = set()
        for atome, _scenario in lot:
            if atome & touches:
                continue
            libres = [e for e in ensembles if e.liberable and not e.masque and e.structures not in fond]
            if not libres:
                break
            # Candidats : dans le plus petit ensemble connu qui contient le groupe exposé (la relation
            # la plus serrée qui l'isole), les cellules montrées qui y sont incluses, d'abord celles qui
            # contiennent le groupe ; à défaut, les cellules qui le contiennent, puis les figures non
            # filtrées supposées connues (compléments).
            choix: list[Ensemble] = []
            for englobant in sorted((c for c in connus if atome <= c), key=len):
                choix = [e for e in libres if not e.ombre and e.structures <= englobant]
                if choix:
                    break
            contenant = [e for e in libres if atome & e.structures]
            choix = choix or [e for e in contenant if not e.ombre] or contenant or libres
            choix.sort(key=lambda e: (not atome <= e.structures, e.cout, len(e.structures), e.cle))
            cible = choix[0]
            if cible.cle in choisis:
                continue
            choisis.add(cible.cle)
            touches |= cible.structures
            # Le motif dit ce qui a rendu la différence possible : un chiffre déjà libéré à ce public,
            # ou ce résultat lui-même (marges, compléments, diffusion publiée).
            par_registre = any(atome & r for r in registre)
            cible.masque, cible.motif = True, "registre" if par_registre else "secondaire"
        if not choisis:
            break
    else:
        for e in ensembles:
            if e.liberable and not e.masque and e.structures not in fond:
                e.masque, e.motif = True, "secondaire"
    # Plus rien de libérable : ce qui reste exposé vient du fond seul.
    return ensembles
