"""Le modèle de relations tiré du questionnaire : ce qu'un lecteur peut déduire de sa logique.

Le secret secondaire et l'audit ne protègent que contre les relations qu'ils connaissent. Celles que
le questionnaire implique ne sont donc pas listées à la main : elles sont **dérivées de sa
définition** (``core.questionnaire.modele.Questionnaire``), question par question et règle par règle.
Chaque pertinence, chaque règle, chaque calcul et chaque contrainte reçoit un *genre* ; une forme
que la dérivation ne sait pas classer lève ``FormeInconnue`` (un test le vérifie pour chaque
questionnaire du dépôt, celui de l'année prochaine compris) : une relation nouvelle ne peut pas
passer inaperçue.

Ce qui en sort, au niveau des cellules (sommes d'un territoire et d'un public) :

- ``Pertinence`` : une question posée seulement après une réponse donnée (``${A22} = true()``,
  ``${X} = 'code'``, ``selected(${X}, 'code')``) a pour répondants les structures qui ont donné cette
  réponse : répondants(enfant) = effectif(parent, modalité) (à l'écart près, supposé connu) ;
- ``Egalite`` : total = Σ composantes — calculs additifs (F26 = F06 + … + F20), identités tenues
  (règle ``abs(A − B) <= …`` : ETP R02, budget R04b ; l'écart est supposé connu de l'attaquant,
  hypothèse prudente), indicateurs faits de plusieurs questions ;
- ``Inegalite`` : Σ coef·somme ≤ 0 tirée d'une règle **bloquante** linéaire (E03 + E04 ≤ E01,
  D04 ≤ 1 600 × D03…) : vraie structure par structure, donc pour toute somme de structures ;
- ``Borne`` : minimum et maximum par structure (``min``/``max`` de la question, contrainte
  ``. > 0 and . <= 84``, règle bloquante ``${E01} >= 1``) : somme ∈ [min·n, max·n].

Les formes connues mais sans relation entre cellules publiées (dates, formats, évolutions d'une
année sur l'autre, avertissements non garantis, implications entre comptes non publiés) sont
gardées dans ``ignorees`` avec leur raison : c'est ce qui est sciemment accepté
(``docs/secret-statistique.md``).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from core.questionnaire.expressions import Appel, Binaire, Courant, Litteral, Reference, Unaire, analyser
from core.stats.modele import Inegalite

TYPES_NUMERIQUES = ("entier", "decimal", "euros", "pourcentage")
TYPES_CHOIX = ("choix_unique", "choix_multiple", "oui_non")
TYPES_SANS_STATISTIQUE = ("texte", "date", "note", "adresse", "telephone", "courriel", "siret")


class FormeInconnue(ValueError):
    """Une pertinence, une règle ou un calcul que la dérivation ne sait pas classer."""


@dataclass(frozen=True, slots=True)
class Pertinence:
    """répondants(enfant) = effectif(parent, modalite), dans chaque territoire et public."""

    enfant: str
    parent: str
    modalite: str
    source: str


@dataclass(frozen=True, slots=True)
class Egalite:
    """somme(total) = Σ somme(composantes) ; ``exacte`` : sinon l'écart est supposé connu."""

    total: str
    composantes: tuple[str, ...]
    exacte: bool
    source: str


@dataclass(frozen=True, slots=True)
class Borne:
    """Valeur par structure comprise entre ``min`` et ``max`` (None : pas de borne)."""

    code: str
    min: float | None
    max: float | None
    source: str


@dataclass(frozen=True, slots=True)
class Classement:
    """Le genre donné à une expression du questionnaire (toutes sont classées)."""

    source: str  # « pertinence A24 », « règle R03a », « calcul F26 », « contrainte B09 »…
    genre: str
    raison: str = ""


@dataclass
class ModeleRelations:
    pertinences: list[Pertinence] = field(default_factory=list)
    egalites: list[Egalite] = field(default_factory=list)
    inegalites: list[Inegalite] = field(default_factory=list)
    bornes: list[Borne] = field(default_factory=list)
    classements: list[Classement] = field(default_factory=list)

    @property
    def ignorees(self) -> list[Classement]:
        return [c for c in self.classements if c.genre in GENRES_IGNORES]

    def genres(self) -> dict[str, str]:
        return {c.source: c.genre for c in self.classements}

    def restreint(self, publiees: Mapping[str, str]) -> "ModeleRelations":
        """Les relations dont toutes les questions sont publiées (``publiees`` : code → nature
        statistique, ``nombre`` ou une nature de choix) ; les bornes des seules questions numériques."""
        nombres = {c for c, n in publiees.items() if n == "nombre"}
        choix = {c for c, n in publiees.items() if n != "nombre"}
        sortie = ModeleRelations(classements=list(self.classements))
        sortie.pertinences = [p for p in self.pertinences if p.enfant in publiees and p.parent in choix]
        sortie.egalites = [
            e for e in self.egalites if e.total in nombres and e.composantes and set(e.composantes) <= nombres
        ]
        sortie.inegalites = [
            i
            for i in self.inegalites
            if all((q in nombres if s in ("somme",) else q in publiees) for q, s, _, _ in i.termes)
        ]
        sortie.bornes = [b for b in self.bornes if b.code in nombres]
        return sortie


GENRES_RELATION = (
    "pertinence",  # répondants(enfant) = effectif(parent, modalité)
    "calcul_additif",  # F26 = F06 + … + F20
    "identite_approchee",  # abs(A − B) <= tolérance : A = B à un écart près (supposé connu)
    "inegalite_lineaire",  # règle bloquante linéaire
    "borne",  # min / max par structure
    "indicateur",  # indicateur fait de plusieurs questions
)
GENRES_IGNORES = (
    "pertinence_repondants",  # répondants(enfant) = répondants(parent) : deux comptes publics
    "pertinence_composite",  # condition sur des nombres : aucun compte publié ne la mesure
    "calcul_non_additif",  # arrondi, rapport : la question calculée n'est pas publiée
    "calcul_non_publie",
    "dates",  # dates : jamais publiées
    "format",  # regex, identifiants : champs d'identité
    "evolution",  # precedent(…) : comparaison d'une année sur l'autre (bornes facultatives de l'audit)
    "avertissement",  # règle non bloquante : pas garantie par les données
    "implication",  # « si A > 0 alors B » : porte sur des comptes de structures non publiés
    "choix_contraint",  # nombre de choix cochés borné, modalité exclusive
    "hors_statistiques",  # porte sur une question non publiée
)


# --------------------------------------------------------------------------- formes linéaires


class _NonLineaire(Exception):
    pass


def _nombre(noeud) -> Decimal | None:
    if isinstance(noeud, Litteral) and isinstance(noeud.valeur, Decimal):
        return noeud.valeur
    if isinstance(noeud, Unaire) and noeud.op == "-":
        v = _nombre(noeud.operande)
        return -v if v is not None else None
    return None


def _lineaire(noeud, courant: str | None = None) -> dict[str, float]:
    """Forme linéaire {code: coef, "": constante} ; lève _NonLineaire sinon."""
    if isinstance(noeud, Reference):
        return {noeud.code: 1.0}
    if isinstance(noeud, Courant):
        if courant is None:
            raise _NonLineaire
        return {courant: 1.0}
    v = _nombre(noeud)
    if v is not None:
        return {"": float(v)}
    if isinstance(noeud, Unaire) and noeud.op == "-":
        return {k: -c for k, c in _lineaire(noeud.operande, courant).items()}
    if isinstance(noeud, Appel) and noeud.fonction == "sum":
        total: dict[str, float] = {}
        for a in noeud.arguments:
            for k, c in _lineaire(a, courant).items():
                total[k] = total.get(k, 0.0) + c
        return total
    if isinstance(noeud, Binaire) and noeud.op in ("+", "-"):
        g = _lineaire(noeud.gauche, courant)
        d = _lineaire(noeud.droite, courant)
        s = 1.0 if noeud.op == "+" else -1.0
        for k, c in d.items():
            g[k] = g.get(k, 0.0) + s * c
        return g
    if isinstance(noeud, Binaire) and noeud.op == "*":
        g, d = _lineaire(noeud.gauche, courant), _lineaire(noeud.droite, courant)
        if set(g) == {""}:
            return {k: g[""] * c for k, c in d.items()}
        if set(d) == {""}:
            return {k: d[""] * c for k, c in g.items()}
    raise _NonLineaire


def _comparaisons(noeud, courant: str | None = None) -> list[dict[str, float]]:
    """Conjonction de comparaisons linéaires → liste de formes « ≤ 0 » (égalité : deux formes).

    ``max(a, b) <= c`` donne a ≤ c et b ≤ c ; ``c >= max(…)`` de même."""
    if isinstance(noeud, Binaire) and noeud.op == "and":
        return _comparaisons(noeud.gauche, courant) + _comparaisons(noeud.droite, courant)
    if not (isinstance(noeud, Binaire) and noeud.op in ("<", "<=", ">", ">=", "=")):
        raise _NonLineaire
    petit, grand = (noeud.gauche, noeud.droite) if noeud.op in ("<", "<=", "=") else (noeud.droite, noeud.gauche)
    petits = list(petit.arguments) if isinstance(petit, Appel) and petit.fonction == "max" else [petit]
    grands = list(grand.arguments) if isinstance(grand, Appel) and grand.fonction == "min" else [grand]
    formes = []
    for p in petits:
        for g in grands:
            lp, lg = _lineaire(p, courant), _lineaire(g, courant)
            f = dict(lp)
            for k, c in lg.items():
                f[k] = f.get(k, 0.0) - c
            formes.append({k: c for k, c in f.items() if c != 0.0})
            if noeud.op == "=":
                formes.append({k: -c for k, c in f.items() if c != 0.0})
    return formes


def _ecart_borne(noeud) -> tuple[dict[str, float], dict[str, float]] | None:
    """``abs(A - B) <= tolérance`` → (A, B) linéaires (sans constante) ; None sinon."""
    if not (isinstance(noeud, Binaire) and noeud.op in ("<=", "<")):
        return None
    g = noeud.gauche
    if not (isinstance(g, Appel) and g.fonction == "abs"):
        return None
    try:
        diff = _lineaire(g.arguments[0])
    except _NonLineaire:
        return None
    positifs = {k: c for k, c in diff.items() if k and c > 0}
    negatifs = {k: -c for k, c in diff.items() if k and c < 0}
    return positifs, negatifs


def _appels(noeud) -> set[str]:
    if isinstance(noeud, Appel):
        return {noeud.fonction}.union(*(_appels(a) for a in noeud.arguments))
    if isinstance(noeud, Unaire):
        return _appels(noeud.operande)
    if isinstance(noeud, Binaire):
        return _appels(noeud.gauche) | _appels(noeud.droite)
    return set()


def _refs(noeud) -> set[str]:
    if isinstance(noeud, Reference):
        return {noeud.code}
    if isinstance(noeud, Appel):
        return set().union(*(_refs(a) for a in noeud.arguments))
    if isinstance(noeud, Unaire):
        return _refs(noeud.operande)
    if isinstance(noeud, Binaire):
        return _refs(noeud.gauche) | _refs(noeud.droite)
    return set()


def _condition_simple(noeud) -> tuple[str, str] | None:
    """``${X} = true()`` / ``= false()`` / ``= 'code'`` / ``selected(${X}, 'code')`` → (X, modalité)."""
    if isinstance(noeud, Binaire) and noeud.op == "=":
        ref, val = noeud.gauche, noeud.droite
        if isinstance(val, Reference):
            ref, val = val, ref
        if isinstance(ref, Reference):
            if isinstance(val, Appel) and val.fonction in ("true", "false") and not val.arguments:
                return ref.code, "oui" if val.fonction == "true" else "non"
            if isinstance(val, Litteral) and isinstance(val.valeur, str):
                return ref.code, val.valeur
    if isinstance(noeud, Appel) and noeud.fonction == "selected" and len(noeud.arguments) == 2:
        ref, val = noeud.arguments
        if isinstance(ref, Reference) and isinstance(val, Litteral) and isinstance(val.valeur, str):
            return ref.code, val.valeur
    return None


def _condition_composite(noeud) -> bool:
    """Combinaison (and, or, not) de comparaisons et de tests de choix : forme connue."""
    if isinstance(noeud, Binaire) and noeud.op in ("and", "or"):
        return _condition_composite(noeud.gauche) and _condition_composite(noeud.droite)
    if isinstance(noeud, Appel) and noeud.fonction == "not":
        return _condition_composite(noeud.arguments[0])
    if _condition_simple(noeud) is not None:
        return True
    if isinstance(noeud, Binaire) and noeud.op in ("<", "<=", ">", ">=", "=", "!="):
        return not (_appels(noeud) - {"count-selected", "sum", "selected", "number"})
    return False


# --------------------------------------------------------------------------- dérivation


def deriver(questionnaire, indicateurs: Mapping[str, Iterable[str]] | None = None) -> ModeleRelations:
    """Le modèle de relations d'un questionnaire (``core.questionnaire.modele.Questionnaire``).

    ``indicateurs`` : indicateurs faits de plusieurs questions (code → questions sommées), par exemple
    ceux du constructeur d'analyses ; chacun devient une égalité exacte.
    """
    modele = ModeleRelations()
    types = {q.code: q.type for q in questionnaire.questions()}

    def classer(source: str, genre: str, raison: str = "") -> None:
        modele.classements.append(Classement(source, genre, raison))

    for q in questionnaire.questions():
        # Pertinence.
        if q.pertinence:
            racine = analyser(q.pertinence).racine
            simple = _condition_simple(racine)
            if simple is not None and types.get(simple[0]) in TYPES_CHOIX:
                modele.pertinences.append(Pertinence(q.code, simple[0], simple[1], f"pertinence {q.code}"))
                classer(f"pertinence {q.code}", "pertinence")
            elif (
                isinstance(racine, Binaire)
                and racine.op == ">"
                and isinstance(racine.gauche, Appel)
                and racine.gauche.fonction == "count-selected"
                and _nombre(racine.droite) == 0
            ):
                classer(f"pertinence {q.code}", "pertinence_repondants", "répondants de la question déclencheuse")
            elif _condition_composite(racine):
                classer(
                    f"pertinence {q.code}",
                    "pertinence_composite",
                    "condition sur des nombres : aucun compte publié ne mesure les structures concernées",
                )
            else:
                raise FormeInconnue(f"Pertinence de {q.code} non classée : {q.pertinence}")
        # Calcul.
        if q.type == "calcul" and q.calcul:
            racine = analyser(q.calcul).racine
            try:
                forme = _lineaire(racine)
            except _NonLineaire:
                if _appels(racine) & {"round", "div"} or (isinstance(racine, Binaire) and racine.op in ("div", "/")):
                    classer(f"calcul {q.code}", "calcul_non_additif", "arrondi ou rapport")
                    continue
                raise FormeInconnue(f"Calcul de {q.code} non classé : {q.calcul}") from None
            positifs = tuple(k for k, c in forme.items() if k and c == 1.0)
            negatifs = tuple(k for k, c in forme.items() if k and c == -1.0)
            if len(positifs) + len(negatifs) != len([k for k in forme if k]) or forme.get("", 0.0):
                raise FormeInconnue(f"Calcul de {q.code} non classé (coefficients) : {q.calcul}")
            if negatifs:
                # q = Σ positifs − Σ négatifs ⇔ positifs[0]… = q + négatifs (si un seul positif)
                if len(positifs) == 1:
                    modele.egalites.append(Egalite(positifs[0], (q.code, *negatifs), True, f"calcul {q.code}"))
                    classer(f"calcul {q.code}", "calcul_additif")
                else:
                    classer(f"calcul {q.code}", "calcul_non_publie", "différence de plusieurs termes")
            else:
                modele.egalites.append(Egalite(q.code, positifs, True, f"calcul {q.code}"))
                classer(f"calcul {q.code}", "calcul_additif")
        # Bornes et contraintes (numériques seulement).
        if q.type in TYPES_NUMERIQUES:
            bas = float(q.min) if isinstance(q.min, Decimal) else None
            haut = float(q.max) if isinstance(q.max, Decimal) else None
            if q.contrainte:
                racine = analyser(q.contrainte).racine
                try:
                    for f in _comparaisons(racine, courant=q.code):
                        autres = {k for k in f if k not in ("", q.code)}
                        if autres:
                            raise _NonLineaire
                        c, k = f.get(q.code, 0.0), f.get("", 0.0)
                        if c > 0:
                            haut = min(haut, -k / c) if haut is not None else -k / c
                        elif c < 0:
                            bas = max(bas, -k / c) if bas is not None else -k / c
                    classer(f"contrainte {q.code}", "borne")
                except _NonLineaire:
                    refs = _refs(racine)
                    if any(types.get(r) == "date" for r in refs):
                        classer(f"contrainte {q.code}", "dates")
                    else:
                        raise FormeInconnue(f"Contrainte de {q.code} non classée : {q.contrainte}") from None
            if bas is not None or haut is not None:
                modele.bornes.append(Borne(q.code, bas, haut, f"question {q.code}"))
                classer(f"bornes {q.code}", "borne")
        elif q.contrainte:
            racine = analyser(q.contrainte).racine
            appels = _appels(racine)
            if "regex" in appels or q.type in TYPES_SANS_STATISTIQUE:
                classer(f"contrainte {q.code}", "format" if "regex" in appels else "dates")
            elif q.type == "choix_multiple" and appels & {"count-selected", "selected"}:
                classer(f"contrainte {q.code}", "choix_contraint", "nombre de choix ou modalité exclusive")
            else:
                raise FormeInconnue(f"Contrainte de {q.code} non classée : {q.contrainte}")

    for r in questionnaire.regles:
        source = f"règle {r.code}"
        racine = analyser(r.expression).racine
        refs = _refs(racine)
        appels = _appels(racine)
        if "precedent" in appels:
            classer(source, "evolution", "comparaison avec l'année précédente")
            continue
        if "regex" in appels or any(types.get(c) in TYPES_SANS_STATISTIQUE for c in refs):
            classer(source, "format" if "regex" in appels else "dates")
            continue
        ecart = _ecart_borne(racine)
        if ecart is not None and ecart[0] and ecart[1]:
            (positifs, negatifs) = ecart
            if all(c == 1.0 for c in (*positifs.values(), *negatifs.values())):
                # A − B borné : A = B à un écart près, supposé connu de l'attaquant.
                gauche, droite = (positifs, negatifs) if len(positifs) <= len(negatifs) else (negatifs, positifs)
                if len(gauche) == 1:
                    modele.egalites.append(Egalite(next(iter(gauche)), tuple(droite), False, source))
                    classer(source, "identite_approchee")
                    continue
            if r.gravite != "bloquant":
                classer(source, "avertissement")
                continue
        if ecart is not None and (not ecart[0] or not ecart[1]) and r.gravite == "bloquant":
            # abs(Σ − constante) <= tolérance : somme constante par structure (H02A…F = 100).
            classer(source, "borne", "somme constante par structure (question interne de l'audit)")
            continue
        if r.gravite != "bloquant":
            classer(source, "avertissement", "règle non bloquante : pas garantie par les données")
            continue
        try:
            formes = _comparaisons(racine)
        except _NonLineaire:
            if (
                isinstance(racine, Binaire)
                and racine.op == "or"
                or isinstance(racine, Appel)
                and racine.fonction
                in (
                    "not",
                    "if",
                )
            ):
                if _condition_composite(racine) or "if" in appels:
                    classer(source, "implication", "porte sur des comptes de structures non publiés")
                    continue
            raise FormeInconnue(f"Règle {r.code} non classée : {r.expression}") from None
        for f in formes:
            codes = [k for k in f if k]
            if len(codes) == 1 and f.get(""):
                c, k = f[codes[0]], f[""]
                modele.bornes.append(Borne(codes[0], -k / c if c < 0 else None, -k / c if c > 0 else None, source))
            elif codes:
                termes = [(k, "somme", "", c) for k, c in f.items() if k]
                if f.get(""):
                    termes.append((codes[0], "repondants", "", f[""]))
                modele.inegalites.append(Inegalite(tuple(termes), source))
        classer(source, "inegalite_lineaire")

    for code, composantes in (indicateurs or {}).items():
        composantes = tuple(composantes)
        if len(composantes) >= 2:
            modele.egalites.append(Egalite(code, composantes, True, f"indicateur {code}"))
            classer(f"indicateur {code}", "indicateur")
    for c in modele.classements:
        if c.genre not in GENRES_RELATION and c.genre not in GENRES_IGNORES:
            raise FormeInconnue(f"{c.source} : genre inconnu {c.genre}")
    return modele
