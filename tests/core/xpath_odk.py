"""Petit évaluateur XPath 1.0 du sous-ensemble qu'ODK Collect (JavaRosa) évalue dans un XForm, pour
vérifier que l'export XLSForm a, une fois converti par pyxform, le même sens que dans SENACS.

Il suit les règles de typage de JavaRosa : la valeur d'un nœud est typée par son ``bind`` (``int``,
``decimal`` → nombre ; ``date`` → date ; le reste → texte ; vide → texte vide) ; ``=`` et ``!=``
comparent en booléens si un côté est booléen, sinon en nombres si un côté est un nombre, sinon en
textes ; ``< <= > >=`` comparent toujours en nombres (une date vaut ses jours depuis 1970, un texte
vide ou illisible vaut NaN, et toute comparaison avec NaN est fausse) ; ``regex`` cherche le motif
dans le texte ; ``round(x, n)`` arrondit la moitié en s'éloignant de zéro.

Écrit pour le test, indépendamment de ``core.questionnaire.expressions`` (aucun code partagé).
"""

import datetime
import math
import re
from decimal import ROUND_HALF_UP, Decimal

EPOQUE = datetime.date(1970, 1, 1)
NAN = float("nan")


class ErreurXPath(ValueError):
    pass


_RE_JETON = re.compile(
    r"\s*(?:(?P<nombre>\d+(?:\.\d*)?|\.\d+)|(?P<chaine>'[^']*'|\"[^\"]*\")|(?P<chemin>(?:/[A-Za-z_][\w.\-]*)+)"
    r"|(?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)|(?P<point>\.)|(?P<nom>[A-Za-z_][\w\-]*))"
)


def _jetons(texte: str) -> list[tuple[str, str]]:
    jetons, i = [], 0
    while i < len(texte):
        if texte[i:].strip() == "":
            break
        m = _RE_JETON.match(texte, i)
        if not m or m.end() == i:
            raise ErreurXPath(f"jeton illisible à la position {i} de « {texte} »")
        genre = m.lastgroup
        valeur = m.group(genre)
        if genre == "nom" and valeur in ("and", "or", "div", "mod"):
            genre = "op"
        jetons.append((genre, valeur))
        i = m.end()
    jetons.append(("fin", ""))
    return jetons


_PRIORITES = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5}
_PRIORITES.update({"*": 6, "div": 6, "mod": 6})


class _Analyseur:
    def __init__(self, texte: str):
        self.jetons = _jetons(texte)
        self.i = 0

    def suivant(self):
        j = self.jetons[self.i]
        self.i += 1
        return j

    def expression(self, minimum: int = 0):
        gauche = self.primaire()
        while True:
            genre, valeur = self.jetons[self.i]
            if genre != "op" or valeur not in _PRIORITES or _PRIORITES[valeur] <= minimum:
                return gauche
            self.i += 1
            gauche = ("bin", valeur, gauche, self.expression(_PRIORITES[valeur]))

    def primaire(self):
        genre, valeur = self.suivant()
        if genre == "nombre":
            return ("num", float(valeur))
        if genre == "chaine":
            return ("str", valeur[1:-1])
        if genre == "chemin":
            return ("noeud", valeur.rsplit("/", 1)[1])
        if genre == "point":
            return ("courant",)
        if genre == "op" and valeur == "-":
            return ("neg", self.expression(6))
        if genre == "op" and valeur == "(":
            noeud = self.expression()
            if self.suivant() != ("op", ")"):
                raise ErreurXPath("« ) » attendue")
            return noeud
        if genre == "nom" and self.jetons[self.i] == ("op", "("):
            self.i += 1
            arguments = []
            if self.jetons[self.i] != ("op", ")"):
                arguments.append(self.expression())
                while self.jetons[self.i] == ("op", ","):
                    self.i += 1
                    arguments.append(self.expression())
            if self.suivant() != ("op", ")"):
                raise ErreurXPath("« ) » attendue")
            return ("appel", valeur, arguments)
        raise ErreurXPath(f"« {valeur} » inattendu")


def analyser(texte: str):
    a = _Analyseur(texte)
    arbre = a.expression()
    if a.jetons[a.i][0] != "fin":
        raise ErreurXPath(f"« {a.jetons[a.i][1]} » inattendu dans « {texte} »")
    return arbre


# --------------------------------------------------------------------------- conversions (JavaRosa)


def nombre(v) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    if isinstance(v, datetime.date):
        return float((v - EPOQUE).days)
    texte = str(v).strip()
    try:
        return float(texte) if texte else NAN
    except ValueError:
        return NAN


def booleen(v) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        return not (v == 0 or math.isnan(v))
    if isinstance(v, datetime.date):
        return True
    return v != ""


def texte(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        return str(int(v)) if v == int(v) else repr(v)
    if isinstance(v, datetime.date):
        return v.isoformat()
    return str(v)


class Contexte:
    """Valeurs du formulaire (nom du nœud → texte tel qu'ODK le stocke) et types des binds."""

    def __init__(self, valeurs: dict[str, str], types: dict[str, str], aujourd_hui: datetime.date):
        self.valeurs = valeurs
        self.types = types
        self.aujourd_hui = aujourd_hui

    def noeud(self, nom: str):
        brut = self.valeurs.get(nom, "")
        if brut == "":
            return ""
        genre = self.types.get(nom, "string")
        if genre in ("int", "decimal"):
            return float(brut)
        if genre == "date":
            return datetime.date.fromisoformat(brut)
        return brut


def evaluer(arbre, ctx: Contexte, courant: str | None = None):
    genre = arbre[0]
    if genre == "num":
        return arbre[1]
    if genre == "str":
        return arbre[1]
    if genre == "noeud":
        return ctx.noeud(arbre[1])
    if genre == "courant":
        return ctx.noeud(courant)
    if genre == "neg":
        return -nombre(evaluer(arbre[1], ctx, courant))
    if genre == "bin":
        _, op, g, d = arbre
        if op == "and":
            return booleen(evaluer(g, ctx, courant)) and booleen(evaluer(d, ctx, courant))
        if op == "or":
            return booleen(evaluer(g, ctx, courant)) or booleen(evaluer(d, ctx, courant))
        a, b = evaluer(g, ctx, courant), evaluer(d, ctx, courant)
        if op in ("=", "!="):
            if isinstance(a, bool) or isinstance(b, bool):
                egal = booleen(a) == booleen(b)
            elif isinstance(a, float) or isinstance(b, float):
                egal = nombre(a) == nombre(b)
            else:
                egal = texte(a) == texte(b)
            return egal if op == "=" else not egal
        x, y = nombre(a), nombre(b)
        if op in ("<", "<=", ">", ">="):
            if math.isnan(x) or math.isnan(y):
                return False
            return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        if op == "div":
            if y == 0:
                return NAN if x == 0 or math.isnan(x) else math.copysign(math.inf, x)
            return x / y
        if op == "mod":
            return NAN if y == 0 else math.fmod(x, y)
    if genre == "appel":
        return _appel(arbre[1], arbre[2], ctx, courant)
    raise ErreurXPath(f"nœud {genre} inconnu")


def _appel(nom: str, arguments: list, ctx: Contexte, courant: str | None):
    def arg(i):
        return evaluer(arguments[i], ctx, courant)

    if nom == "true":
        return True
    if nom == "false":
        return False
    if nom == "not":
        return not booleen(arg(0))
    if nom == "if":
        return arg(1) if booleen(arg(0)) else arg(2)
    if nom == "selected":
        return texte(arg(1)).strip() in texte(arg(0)).split()
    if nom == "count-selected":
        return float(len(texte(arg(0)).split()))
    if nom == "string-length":
        return float(len(texte(arg(0))))
    if nom == "regex":
        return re.search(texte(arg(1)), texte(arg(0))) is not None
    if nom == "coalesce":
        premier = arg(0)
        return premier if texte(premier) != "" else arg(1)
    if nom == "concat":
        return "".join(texte(evaluer(a, ctx, courant)) for a in arguments)
    if nom == "number":
        return nombre(arg(0))
    if nom == "int":
        x = nombre(arg(0))
        return x if math.isnan(x) or math.isinf(x) else float(math.trunc(x))
    if nom == "round":
        x = nombre(arg(0))
        n = int(nombre(arg(1))) if len(arguments) > 1 else 0
        if math.isnan(x) or math.isinf(x):
            return x
        return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-n), rounding=ROUND_HALF_UP))
    if nom == "abs":
        return abs(nombre(arg(0)))
    if nom in ("min", "max"):
        valeurs = [nombre(evaluer(a, ctx, courant)) for a in arguments]
        if any(math.isnan(v) for v in valeurs):
            return NAN
        return min(valeurs) if nom == "min" else max(valeurs)
    if nom == "sum":  # un seul nœud : sa valeur (vide → NaN)
        return nombre(arg(0))
    if nom == "today":
        return ctx.aujourd_hui
    if nom == "date":
        return datetime.date.fromisoformat(texte(arg(0)))
    raise ErreurXPath(f"fonction « {nom} » absente de l'évaluateur du test")
