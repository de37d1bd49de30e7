"""Langage d'expressions du questionnaire (style XLSForm), analysé et évalué sans `eval`.

Une seule grammaire sert aux conditions de pertinence, aux règles de cohérence et aux calculs ; le
même évaluateur tourne dans le formulaire, à l'enregistrement et en lot (design §4).

Syntaxe :
- références : ``${E02}`` (réponse courante), ``.`` (la valeur de la question elle-même, dans une
  contrainte), ``precedent(${F04})`` (réponse de l'année précédente) ;
- littéraux : nombres (``12``, ``0.5``), chaînes (``'associatif'`` ou ``"associatif"``),
  ``true()``/``false()`` ;
- opérateurs : ``+ - * div mod`` (``/`` accepté), ``= != < <= > >=``, ``and or``, ``-x`` ;
- fonctions : ``not``, ``if``, ``sum``, ``min``, ``max``, ``abs``, ``round``, ``int``, ``coalesce``,
  ``selected``, ``count-selected``, ``string-length``, ``concat``, ``regex``, ``number``,
  ``today``, ``precedent`` (les fonctions XPath d'ODK du même nom ont le même sens, voir
  ``core.questionnaire.odk`` pour la traduction exacte à l'export).

Valeurs manquantes : une réponse absente vaut ``None`` ; toute opération arithmétique ou comparaison
qui en dépend vaut ``None`` (« inconnu »), sauf ``sum`` qui ignore les absences et ``coalesce``.
Une règle dont la condition vaut ``None`` n'est pas déclenchée. ``and``/``or`` suivent la logique à
trois valeurs de SQL.
"""

import datetime
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

LONGUEUR_MAX = 2000
PROFONDEUR_MAX = 60


class ErreurExpression(ValueError):
    """Expression invalide : message en français et position (0 = premier caractère)."""

    def __init__(self, message: str, position: int | None = None):
        self.message = message
        self.position = position
        suffixe = f" (caractère {position + 1})" if position is not None else ""
        super().__init__(f"{message}{suffixe}")


# --------------------------------------------------------------------------- lexique


@dataclass(frozen=True, slots=True)
class Jeton:
    genre: str  # nombre, chaine, ref, point, nom, op, '(', ')', ',', fin
    valeur: Any
    position: int


_OPERATEURS = ("<=", ">=", "!=", "=", "<", ">", "+", "-", "*", "/")
_RE_NOMBRE = re.compile(r"\d+(?:\.\d+)?")
_RE_NOM = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
# Nom XLSForm (nom XML) : une lettre ou « _ », puis lettres, chiffres, « _ », « - » ou « . ».
_RE_REF = re.compile(r"\$\{([^\W\d][\w.\-]*)\}")
MOTS_OPERATEURS = {"and", "or", "div", "mod"}
_CHIFFRES = "0123456789"


def _lexer(texte: str) -> list[Jeton]:
    jetons: list[Jeton] = []
    i = 0
    n = len(texte)
    while i < n:
        c = texte[i]
        if c in " \t\r\n":
            i += 1
            continue
        if c == "$":
            m = _RE_REF.match(texte, i)
            if not m:
                raise ErreurExpression("Référence mal formée : écrivez ${CODE}", i)
            jetons.append(Jeton("ref", m.group(1), i))
            i = m.end()
            continue
        if c in _CHIFFRES:
            m = _RE_NOMBRE.match(texte, i)
            assert m
            jetons.append(Jeton("nombre", Decimal(m.group(0)), i))
            i = m.end()
            continue
        if c == "." and (i + 1 >= n or texte[i + 1] not in _CHIFFRES):
            jetons.append(Jeton("point", ".", i))
            i += 1
            continue
        if c in "'\"":
            fin = texte.find(c, i + 1)
            if fin == -1:
                raise ErreurExpression("Chaîne de caractères non fermée", i)
            jetons.append(Jeton("chaine", texte[i + 1 : fin], i))
            i = fin + 1
            continue
        if c in "(),":
            jetons.append(Jeton(c, c, i))
            i += 1
            continue
        op = next((o for o in _OPERATEURS if texte.startswith(o, i)), None)
        if op:
            jetons.append(Jeton("op", op, i))
            i += len(op)
            continue
        if (c.isascii() and c.isalpha()) or c == "_":
            m = _RE_NOM.match(texte, i)
            assert m
            mot = m.group(0)
            # « a-b » est une soustraction si « a » n'est pas une fonction connue suivie de « ( ».
            if "-" in mot and mot not in FONCTIONS and mot.split("-")[0] in MOTS_OPERATEURS | set(FONCTIONS):
                mot = mot.split("-")[0]
            jetons.append(Jeton("op" if mot in MOTS_OPERATEURS else "nom", mot, i))
            i += len(mot)
            continue
        raise ErreurExpression(f"Caractère inattendu « {c} »", i)
    jetons.append(Jeton("fin", None, n))
    return jetons


# --------------------------------------------------------------------------- arbre


@dataclass(frozen=True, slots=True)
class Litteral:
    valeur: Any


@dataclass(frozen=True, slots=True)
class Reference:
    code: str


@dataclass(frozen=True, slots=True)
class Courant:
    """``.`` : la valeur de la question que la contrainte porte."""


@dataclass(frozen=True, slots=True)
class Unaire:
    op: str
    operande: "Noeud"


@dataclass(frozen=True, slots=True)
class Binaire:
    op: str
    gauche: "Noeud"
    droite: "Noeud"


@dataclass(frozen=True, slots=True)
class Appel:
    fonction: str
    arguments: tuple["Noeud", ...]


Noeud = Litteral | Reference | Courant | Unaire | Binaire | Appel

# Priorités (plus grand = plus lié).
_PRIORITES = {
    "or": 1,
    "and": 2,
    "=": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "div": 6,
    "mod": 6,
}


class _Analyseur:
    def __init__(self, texte: str):
        self.jetons = _lexer(texte)
        self.i = 0
        self.profondeur = 0

    def courant(self) -> Jeton:
        return self.jetons[self.i]

    def avancer(self) -> Jeton:
        j = self.jetons[self.i]
        self.i += 1
        return j

    def attendre(self, genre: str, libelle: str) -> Jeton:
        j = self.courant()
        if j.genre != genre:
            raise ErreurExpression(f"{libelle} attendu", j.position)
        return self.avancer()

    def expression(self, priorite_min: int = 0) -> Noeud:
        self.profondeur += 1
        if self.profondeur > PROFONDEUR_MAX:
            raise ErreurExpression("Expression trop imbriquée", self.courant().position)
        gauche = self.primaire()
        while True:
            j = self.courant()
            if j.genre != "op" or j.valeur not in _PRIORITES:
                break
            priorite = _PRIORITES[j.valeur]
            if priorite <= priorite_min:
                break
            self.avancer()
            droite = self.expression(priorite)
            gauche = Binaire(j.valeur, gauche, droite)
        self.profondeur -= 1
        return gauche

    def primaire(self) -> Noeud:
        j = self.avancer()
        if j.genre == "nombre":
            return Litteral(j.valeur)
        if j.genre == "chaine":
            return Litteral(j.valeur)
        if j.genre == "ref":
            return Reference(j.valeur)
        if j.genre == "point":
            return Courant()
        if j.genre == "op" and j.valeur == "-":
            return Unaire("-", self.expression(_PRIORITES["*"]))
        if j.genre == "(":
            noeud = self.expression()
            self.attendre(")", "« ) »")
            return noeud
        if j.genre == "nom":
            if j.valeur not in FONCTIONS:
                raise ErreurExpression(f"Fonction inconnue « {j.valeur} »", j.position)
            self.attendre("(", f"« ( » après « {j.valeur} »")
            arguments: list[Noeud] = []
            if self.courant().genre != ")":
                arguments.append(self.expression())
                while self.courant().genre == ",":
                    self.avancer()
                    arguments.append(self.expression())
            self.attendre(")", "« ) »")
            mini, maxi = FONCTIONS[j.valeur].arite
            if len(arguments) < mini or (maxi is not None and len(arguments) > maxi):
                raise ErreurExpression(f"Nombre d'arguments incorrect pour « {j.valeur} »", j.position)
            if j.valeur == "precedent" and not isinstance(arguments[0], Reference):
                raise ErreurExpression("precedent() prend une référence ${CODE}", j.position)
            if j.valeur == "regex" and not isinstance(arguments[1], Litteral):
                raise ErreurExpression("regex() prend un motif littéral", j.position)
            if j.valeur == "regex":
                try:
                    re.compile(str(arguments[1].valeur))
                except re.error as exc:
                    raise ErreurExpression("Motif regex invalide", j.position) from exc
            return Appel(j.valeur, tuple(arguments))
        if j.genre == "fin":
            raise ErreurExpression("Expression incomplète", j.position)
        raise ErreurExpression(f"« {j.valeur} » inattendu", j.position)


@dataclass(frozen=True, slots=True)
class Expression:
    texte: str
    racine: Noeud

    def references(self) -> frozenset[str]:
        """Codes des questions lues (``precedent(${X})`` compris)."""
        return frozenset(_refs(self.racine))

    def references_precedentes(self) -> frozenset[str]:
        return frozenset(_refs(self.racine, precedent_seulement=True))

    def evaluer(self, valeurs: Mapping[str, Any], precedentes: Mapping[str, Any] | None = None, courant: Any = None):
        return _evaluer(self.racine, _Contexte(valeurs, precedentes or {}, courant))


@lru_cache(maxsize=4096)
def analyser(texte: str) -> Expression:
    """Analyse une expression ; lève ErreurExpression (message français, position) si elle est invalide."""
    if not isinstance(texte, str):
        raise ErreurExpression("Une expression est un texte")
    if len(texte) > LONGUEUR_MAX:
        raise ErreurExpression(f"Expression trop longue (plus de {LONGUEUR_MAX} caractères)")
    if not texte.strip():
        raise ErreurExpression("Expression vide", 0)
    a = _Analyseur(texte)
    racine = a.expression()
    fin = a.courant()
    if fin.genre != "fin":
        raise ErreurExpression(f"« {fin.valeur} » inattendu", fin.position)
    return Expression(texte, racine)


def _refs(noeud: Noeud, precedent_seulement: bool = False, dans_precedent: bool = False):
    if isinstance(noeud, Reference):
        if not precedent_seulement or dans_precedent:
            yield noeud.code
    elif isinstance(noeud, Unaire):
        yield from _refs(noeud.operande, precedent_seulement, dans_precedent)
    elif isinstance(noeud, Binaire):
        yield from _refs(noeud.gauche, precedent_seulement, dans_precedent)
        yield from _refs(noeud.droite, precedent_seulement, dans_precedent)
    elif isinstance(noeud, Appel):
        for arg in noeud.arguments:
            yield from _refs(arg, precedent_seulement, dans_precedent or noeud.fonction == "precedent")


# --------------------------------------------------------------------------- évaluation


@dataclass(slots=True)
class _Contexte:
    valeurs: Mapping[str, Any]
    precedentes: Mapping[str, Any]
    courant: Any
    dans_precedent: bool = False


def _nombre(v: Any) -> Decimal | None:
    if v is None or v == "" or isinstance(v, list | tuple | set):
        return None
    if isinstance(v, bool):
        return Decimal(int(v))
    if isinstance(v, Decimal):
        return _borner(v)
    if isinstance(v, int):
        return _borner(Decimal(v))
    if isinstance(v, float):
        return _borner(Decimal(str(v))) if math.isfinite(v) else None
    try:
        d = Decimal(str(v).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return _borner(d)


def _normaliser(v: Any) -> Any:
    """Valeur lue dans les réponses : nombres en Decimal, le reste tel quel."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int | float | Decimal):
        return _nombre(v)
    return v


def _choix(v: Any) -> list[str]:
    if v is None or v == "":
        return []
    if isinstance(v, list | tuple | set | frozenset):
        return [str(x) for x in v]
    return str(v).split()


def _comparer(op: str, a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    if isinstance(a, bool) or isinstance(b, bool):
        if op not in ("=", "!="):
            return None
        x, y = _vrai(a), _vrai(b)
        if x is None or y is None:
            return None
    else:
        na, nb = _nombre(a), _nombre(b)
        if na is not None and nb is not None and (isinstance(a, Decimal) or isinstance(b, Decimal)):
            x, y = na, nb
        elif isinstance(a, str) and isinstance(b, str):
            x, y = a, b
        elif op in ("=", "!="):
            x, y = str(a), str(b)
        else:
            return None
    if op == "=":
        return x == y
    if op == "!=":
        return x != y
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


_LIMITE_DECIMAL = Decimal("1e30")


def _borner(d: Decimal | None) -> Decimal | None:
    if d is None or not d.is_finite() or abs(d) > _LIMITE_DECIMAL:
        return None
    return d


def _evaluer(noeud: Noeud, ctx: _Contexte) -> Any:
    if isinstance(noeud, Litteral):
        return noeud.valeur
    if isinstance(noeud, Reference):
        source = ctx.precedentes if ctx.dans_precedent else ctx.valeurs
        return _normaliser(source.get(noeud.code))
    if isinstance(noeud, Courant):
        return _normaliser(ctx.courant)
    if isinstance(noeud, Unaire):
        v = _nombre(_evaluer(noeud.operande, ctx))
        return None if v is None else -v
    if isinstance(noeud, Binaire):
        op = noeud.op
        if op in ("and", "or"):
            g = _vrai(_evaluer(noeud.gauche, ctx))
            if op == "and" and g is False:
                return False
            if op == "or" and g is True:
                return True
            d = _vrai(_evaluer(noeud.droite, ctx))
            if op == "and":
                return False if d is False else (None if g is None or d is None else True)
            return True if d is True else (None if g is None or d is None else False)
        gauche = _evaluer(noeud.gauche, ctx)
        droite = _evaluer(noeud.droite, ctx)
        if op in ("=", "!=", "<", "<=", ">", ">="):
            return _comparer(op, gauche, droite)
        a, b = _nombre(gauche), _nombre(droite)
        if a is None or b is None:
            return None
        try:
            if op == "+":
                return _borner(a + b)
            if op == "-":
                return _borner(a - b)
            if op == "*":
                return _borner(a * b)
            if op in ("/", "div"):
                return None if b == 0 else _borner(a / b)
            if op == "mod":
                return None if b == 0 else _borner(a % b)
        except InvalidOperation:
            return None
    if isinstance(noeud, Appel):
        return FONCTIONS[noeud.fonction].appliquer(noeud.arguments, ctx)
    raise ErreurExpression("Nœud inconnu")  # pragma: no cover - arbre construit par l'analyseur


_VRAIS = {"oui", "true", "vrai", "1"}
_FAUX = {"non", "false", "faux", "0"}


def _vrai(v: Any) -> bool | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        t = v.strip().lower()
        if t in _VRAIS:
            return True
        if t in _FAUX:
            return False
    n = _nombre(v)
    if n is not None:
        return n != 0
    return bool(v)


# --------------------------------------------------------------------------- fonctions


@dataclass(frozen=True, slots=True)
class Fonction:
    arite: tuple[int, int | None]
    appliquer: Callable[[tuple[Noeud, ...], _Contexte], Any]


def _args(arguments, ctx):
    return [_evaluer(a, ctx) for a in arguments]


def _f_not(arguments, ctx):
    v = _vrai(_evaluer(arguments[0], ctx))
    return None if v is None else not v


def _f_if(arguments, ctx):
    c = _vrai(_evaluer(arguments[0], ctx))
    if c is None:
        return None
    return _evaluer(arguments[1] if c else arguments[2], ctx)


def _f_sum(arguments, ctx):
    nombres = [_nombre(v) for v in _args(arguments, ctx)]
    presents = [n for n in nombres if n is not None]
    return _borner(sum(presents, Decimal(0))) if presents else None


def _f_min_max(fonction):
    def appliquer(arguments, ctx):
        nombres = [_nombre(v) for v in _args(arguments, ctx)]
        if any(n is None for n in nombres):
            return None
        return fonction(nombres)

    return appliquer


def _f_abs(arguments, ctx):
    n = _nombre(_evaluer(arguments[0], ctx))
    return None if n is None else abs(n)


def _f_round(arguments, ctx):
    """Arrondi au plus proche, la moitié s'éloignant de zéro (``round(2.25, 1)`` = 2,3), comme ODK."""
    vals = _args(arguments, ctx)
    n = _nombre(vals[0])
    chiffres = _nombre(vals[1]) if len(vals) > 1 else Decimal(0)
    if n is None or chiffres is None or not (0 <= chiffres <= 10) or chiffres != int(chiffres):
        return None
    try:
        return n.quantize(Decimal(1).scaleb(-int(chiffres)), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None


def _f_int(arguments, ctx):
    """Partie entière, tronquée vers zéro (``int(-2.7)`` = -2), comme ODK."""
    n = _nombre(_evaluer(arguments[0], ctx))
    return None if n is None else n.to_integral_value(rounding=ROUND_DOWN)


def _f_concat(arguments, ctx):
    morceaux = []
    for v in _args(arguments, ctx):
        if v is None:
            continue
        if isinstance(v, bool):
            morceaux.append("true" if v else "false")
        elif isinstance(v, Decimal):
            morceaux.append(_texte_nombre(v))
        elif isinstance(v, list | tuple):
            morceaux.append(" ".join(str(x) for x in v))
        else:
            morceaux.append(str(v))
    return "".join(morceaux)


def _texte_nombre(n: Decimal) -> str:
    if n == n.to_integral_value():
        return str(n.quantize(Decimal(1)))
    return format(n.normalize(), "f")


def _f_today(arguments, ctx):
    """Date du jour, en jours depuis le 1er janvier 1970 (comme les réponses de type date)."""
    return Decimal((datetime.date.today() - datetime.date(1970, 1, 1)).days)


def _f_coalesce(arguments, ctx):
    for a in arguments:
        v = _evaluer(a, ctx)
        if v is not None and v != "":
            return v
    return None


def _f_selected(arguments, ctx):
    valeur, code = _args(arguments, ctx)
    if valeur is None:
        return None
    return str(code) in _choix(valeur)


def _f_count_selected(arguments, ctx):
    valeur = _evaluer(arguments[0], ctx)
    return None if valeur is None else Decimal(len(_choix(valeur)))


def _f_string_length(arguments, ctx):
    v = _evaluer(arguments[0], ctx)
    return Decimal(0) if v is None else Decimal(len(str(v)))


def _f_regex(arguments, ctx):
    v = _evaluer(arguments[0], ctx)
    if v is None:
        return None
    motif = _regex_compile(str(arguments[1].valeur))  # type: ignore[union-attr]
    return motif.fullmatch(str(v)[:LONGUEUR_MAX]) is not None


@lru_cache(maxsize=256)
def _regex_compile(motif: str) -> re.Pattern:
    return re.compile(motif)


def _f_precedent(arguments, ctx):
    sous = _Contexte(ctx.valeurs, ctx.precedentes, ctx.courant, dans_precedent=True)
    return _evaluer(arguments[0], sous)


def _f_number(arguments, ctx):
    return _nombre(_evaluer(arguments[0], ctx))


def _f_const(valeur):
    return lambda arguments, ctx: valeur


FONCTIONS: dict[str, Fonction] = {
    "not": Fonction((1, 1), _f_not),
    "if": Fonction((3, 3), _f_if),
    "sum": Fonction((1, None), _f_sum),
    "min": Fonction((1, None), _f_min_max(min)),
    "max": Fonction((1, None), _f_min_max(max)),
    "abs": Fonction((1, 1), _f_abs),
    "round": Fonction((1, 2), _f_round),
    "int": Fonction((1, 1), _f_int),
    "concat": Fonction((1, None), _f_concat),
    "today": Fonction((0, 0), _f_today),
    "coalesce": Fonction((1, None), _f_coalesce),
    "selected": Fonction((2, 2), _f_selected),
    "count-selected": Fonction((1, 1), _f_count_selected),
    "string-length": Fonction((1, 1), _f_string_length),
    "regex": Fonction((2, 2), _f_regex),
    "precedent": Fonction((1, 1), _f_precedent),
    "number": Fonction((1, 1), _f_number),
    "true": Fonction((0, 0), _f_const(True)),
    "false": Fonction((0, 0), _f_const(False)),
}
