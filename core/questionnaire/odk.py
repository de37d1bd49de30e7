"""Traduction d'une expression SENACS en expression XLSForm qui a le même sens dans ODK et Kobo.

Le langage SENACS est écrit dans la syntaxe XLSForm, mais quelques constructions n'y ont pas le
même sens une fois converties en XForm (XPath 1.0, tel que l'évaluent ODK Collect, Enketo et Kobo) :

- une question oui/non est exportée comme ``select_one senacs_oui_non`` (valeurs ``oui``/``non``) ;
  en XPath, ``${A22} = true()`` convertit le texte de la réponse en booléen (tout texte non vide est
  vrai) : la condition serait vraie pour « oui », « non »… La traduction compare donc à la valeur
  du choix : ``${A22} = true()`` → ``${A22} = 'oui'``, ``${A22} != true()`` → ``${A22} = 'non'`` et
  une réponse oui/non lue ailleurs devient ``(${A22} = 'oui')`` ;
- ``/`` est le séparateur de chemin en XPath : la division s'écrit ``div`` ;
- ``sum(a, b…)`` d'ODK prend un seul ensemble de nœuds ; la somme des réponses présentes s'écrit
  ``if(string-length(concat(a, b…)) = 0, '', coalesce(a, 0) + coalesce(b, 0)…)`` (vide si toutes
  manquent, comme dans SENACS) ;
- ``coalesce`` d'ODK prend deux arguments : ``coalesce(a, b, c)`` → ``coalesce(a, coalesce(b, c))`` ;
- ``regex`` d'ODK cherche le motif dans le texte ; SENACS exige que le texte entier corresponde : le
  motif est ancré (``^(?:…)$``).
- ``precedent()`` (réponse de l'an dernier) n'a pas d'équivalent dans un formulaire ODK.

Seules les valeurs connues comptent : quand une réponse lue manque, SENACS rend l'expression
« inconnue » (la question reste affichée, la règle se tait) alors qu'ODK l'évalue à faux ; les deux
s'accordent sur toute réponse où SENACS donne vrai ou faux (``tests/core/test_xlsform_semantique.py``).
"""

from collections.abc import Mapping
from decimal import Decimal

from core.questionnaire.expressions import Appel, Binaire, Courant, Litteral, Noeud, Reference, Unaire, analyser

OUI, NON = "oui", "non"

# Priorités XPath (plus grand = plus lié), pour ne mettre que les parenthèses utiles.
_PRIORITES = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5}
_PRIORITES.update({"*": 6, "/": 6, "div": 6, "mod": 6})


class ExpressionIntraduisible(ValueError):
    """L'expression n'a pas d'équivalent XLSForm (message en français)."""


def vers_xlsform(texte: str, types: Mapping[str, str], type_courant: str | None = None) -> str:
    """Texte XLSForm de l'expression SENACS ``texte``. ``types`` : code de question → type SENACS ;
    ``type_courant`` : type de la question que ``.`` désigne (contraintes)."""
    return _Traducteur(types, type_courant).texte(analyser(texte).racine)


class _Traducteur:
    def __init__(self, types: Mapping[str, str], type_courant: str | None):
        self.types = types
        self.type_courant = type_courant

    def oui_non(self, noeud: Noeud) -> bool:
        if isinstance(noeud, Reference):
            return self.types.get(noeud.code) == "oui_non"
        return isinstance(noeud, Courant) and self.type_courant == "oui_non"

    def texte(self, noeud: Noeud, priorite: int = 0) -> str:
        if isinstance(noeud, Litteral):
            return _litteral(noeud.valeur)
        if isinstance(noeud, Reference | Courant):
            brut = f"${{{noeud.code}}}" if isinstance(noeud, Reference) else "."
            if self.oui_non(noeud):
                return f"({brut} = '{OUI}')"
            return brut
        if isinstance(noeud, Unaire):
            return f"-{self.texte(noeud.operande, 7)}"
        if isinstance(noeud, Binaire):
            return self.binaire(noeud, priorite)
        return self.appel(noeud)

    def brut(self, noeud: Noeud) -> str:
        return f"${{{noeud.code}}}" if isinstance(noeud, Reference) else "."

    def binaire(self, noeud: Binaire, priorite: int) -> str:
        op = "div" if noeud.op == "/" else noeud.op
        if op in ("=", "!="):
            # Réponse oui/non comparée à true() / false() : comparaison à la valeur du choix.
            for q, autre in ((noeud.gauche, noeud.droite), (noeud.droite, noeud.gauche)):
                booleen = _booleen_litteral(autre)
                if self.oui_non(q) and booleen is not None:
                    vrai = booleen if op == "=" else not booleen
                    return self.parentheses(f"{self.brut(q)} = '{OUI if vrai else NON}'", 3, priorite)
            # Deux réponses oui/non, ou une réponse oui/non et un texte « oui »/« non » : valeurs comparables.
            if self.oui_non(noeud.gauche) and (self.oui_non(noeud.droite) or _texte_oui_non(noeud.droite)):
                return self.parentheses(f"{self.brut(noeud.gauche)} {op} {self.cote(noeud.droite, 3)}", 3, priorite)
            if self.oui_non(noeud.droite) and _texte_oui_non(noeud.gauche):
                return self.parentheses(f"{self.texte(noeud.gauche, 3)} {op} {self.brut(noeud.droite)}", 3, priorite)
        p = _PRIORITES[op]
        texte = f"{self.texte(noeud.gauche, p - 1)} {op} {self.texte(noeud.droite, p)}"
        return self.parentheses(texte, p, priorite)

    def cote(self, noeud: Noeud, priorite: int) -> str:
        return self.brut(noeud) if self.oui_non(noeud) else self.texte(noeud, priorite)

    @staticmethod
    def parentheses(texte: str, p: int, priorite: int) -> str:
        return f"({texte})" if p <= priorite else texte

    def appel(self, noeud: Appel) -> str:
        f, args = noeud.fonction, noeud.arguments
        if f == "precedent":
            raise ExpressionIntraduisible(
                "precedent() (réponse de l'an dernier) n'a pas d'équivalent dans un formulaire ODK ou Kobo"
            )
        if f == "sum" and len(args) > 1:
            valeurs = [self.texte(a) for a in args]
            if all(isinstance(a, Reference | Courant) and not self.oui_non(a) for a in args):
                termes = [f"coalesce({v}, 0)" for v in valeurs]
            else:  # NaN (calcul sur une réponse vide) compte pour 0, comme une réponse absente
                termes = [f"if(number({v}) = number({v}), number({v}), 0)" for v in valeurs]
            return f"if(string-length(concat({', '.join(valeurs)})) = 0, '', {' + '.join(termes)})"
        if f == "coalesce" and len(args) > 2:
            return f"coalesce({self.texte(args[0])}, {self.appel(Appel('coalesce', args[1:]))})"
        if f == "coalesce" and len(args) == 1:
            return self.texte(args[0])
        if f == "regex":
            motif = str(args[1].valeur)  # type: ignore[union-attr]
            return f"regex({self.texte(args[0])}, {_litteral(f'^(?:{motif})$')})"
        if f in ("selected", "count-selected") and self.oui_non(args[0]):
            raise ExpressionIntraduisible(f"{f}() s'applique à une question à choix, pas à une question oui/non")
        return f"{f}({', '.join(self.texte(a) for a in args)})"


def _booleen_litteral(noeud: Noeud) -> bool | None:
    if isinstance(noeud, Appel) and noeud.fonction in ("true", "false") and not noeud.arguments:
        return noeud.fonction == "true"
    return None


def _texte_oui_non(noeud: Noeud) -> bool:
    return isinstance(noeud, Litteral) and isinstance(noeud.valeur, str) and noeud.valeur in (OUI, NON)


def _litteral(valeur) -> str:
    if isinstance(valeur, Decimal):
        texte = format(valeur, "f")
        return texte
    texte = str(valeur)
    if "'" not in texte:
        return f"'{texte}'"
    if '"' not in texte:
        return f'"{texte}"'
    raise ExpressionIntraduisible("un texte ne peut pas contenir à la fois « ' » et « \" » en XPath")


# --------------------------------------------------------------------------- colonnes d'une question

QUESTION_PUBLIC = "senacs_public"
LISTE_PUBLICS = "senacs_publics"
CHOIX_PUBLICS = (("CS", "Centre social"), ("EVS", "Espace de vie sociale"))


def _et(*morceaux: str | None) -> str:
    presents = [m for m in morceaux if m]
    if len(presents) <= 1:
        return presents[0] if presents else ""
    return " and ".join(f"({m})" for m in presents)


def _nombre_texte(borne) -> str:
    return format(borne, "f") if isinstance(borne, Decimal) else str(borne)


def _borne_odk(question, borne) -> str:
    return f"date('{borne}')" if question.type == "date" else _nombre_texte(borne)


def colonnes_odk(question, types: Mapping[str, str], question_departement: str | None) -> dict[str, str]:
    """Colonnes ``relevant``, ``required``, ``constraint``, ``constraint_message`` et ``calculation``
    d'une question, telles qu'ODK et Kobo doivent les lire pour que le formulaire ait le sens qu'il a
    dans SENACS : expressions traduites, bornes min/max (et 0–100 d'un pourcentage) ajoutées à la
    contrainte, variantes CS/EVS (question ``senacs_public``) et questions locales (département)
    ajoutées à la condition d'affichage, obligation levée pour les publics de ``facultatif_pour``."""
    pertinence = vers_xlsform(question.pertinence, types) if question.pertinence else ""
    publics = [p for p, _ in CHOIX_PUBLICS]
    if set(question.publics) != set(publics) and question.publics:
        condition = " or ".join(f"${{{QUESTION_PUBLIC}}} = '{p}'" for p in question.publics)
        pertinence = _et(condition, pertinence)
    if question.departements and question_departement:
        condition = " or ".join(f"${{{question_departement}}} = '{d}'" for d in question.departements)
        pertinence = _et(condition, pertinence)
    obligatoire = ""
    if question.obligatoire:
        if question.facultatif_pour:
            obligatoire = " and ".join(f"${{{QUESTION_PUBLIC}}} != '{p}'" for p in question.facultatif_pour)
        else:
            obligatoire = "yes"
    contrainte = vers_xlsform(question.contrainte, types, question.type) if question.contrainte else ""
    minimum, maximum = question.min, question.max
    if question.type == "pourcentage":
        minimum = Decimal(0) if minimum is None else minimum
        maximum = Decimal(100) if maximum is None else maximum
    bornes = []
    if minimum is not None:
        bornes.append(f". >= {_borne_odk(question, minimum)}")
    if maximum is not None:
        bornes.append(f". <= {_borne_odk(question, maximum)}")
    message = question.message_contrainte or ""
    if bornes:
        contrainte = _et(*bornes, contrainte)
        texte_bornes = _texte_bornes(question, minimum, maximum)
        message = f"{message} ({texte_bornes})" if message else f"La réponse doit être {texte_bornes}."
    return {
        "relevant": pertinence,
        "required": obligatoire,
        "constraint": contrainte,
        "constraint_message": message,
        "calculation": vers_xlsform(question.calcul, types) if question.calcul else "",
    }


def _texte_bornes(question, minimum, maximum) -> str:
    def f(borne):
        if question.type == "date":
            a, m, j = str(borne).split("-")
            return f"{j}/{m}/{a}"
        return _nombre_texte(borne).replace(".", ",")

    if minimum is not None and maximum is not None:
        return f"comprise entre {f(minimum)} et {f(maximum)}"
    if minimum is not None:
        return f"supérieure ou égale à {f(minimum)}"
    return f"inférieure ou égale à {f(maximum)}"
