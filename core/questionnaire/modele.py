"""Le questionnaire comme données : sections, questions, listes de choix, règles et correspondances.

Un ``Questionnaire`` est la définition d'une version (une par campagne), immuable et sans Django :
le même objet sert au formulaire, aux contrôles à l'enregistrement et au contrôle en lot. Il se lit
depuis un fichier YAML (``core.questionnaire.definition``) ou un classeur XLSForm
(``core.questionnaire.xlsform``), et ``valider(questionnaire)`` liste en français tout ce qui
empêcherait de s'en servir (codes en double, références inconnues, listes vides, calculs en boucle…).

Trois blocs (design §4) : le ``noyau`` national verrouillé, le bloc ``thematique`` de l'année, et des
questions ``local``es propres à certains départements (champ ``departements``). Les variantes CS et
EVS viennent du même fichier : chaque question et chaque règle dit à quels publics elle s'adresse, et
``pour_public("EVS", departement="69")`` donne le questionnaire d'une structure donnée.
"""

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from core.questionnaire.expressions import Appel, Binaire, Courant, ErreurExpression, Expression, Reference, Unaire
from core.questionnaire.expressions import analyser as analyser_expression
from core.territoires import departements, departements_par_code

# --------------------------------------------------------------------------- vocabulaire

TYPES: dict[str, str] = {
    "texte": "Texte court",
    "texte_long": "Texte long",
    "entier": "Nombre entier",
    "decimal": "Nombre décimal",
    "euros": "Montant en euros",
    "pourcentage": "Pourcentage",
    "oui_non": "Oui / non",
    "choix_unique": "Choix unique",
    "choix_multiple": "Choix multiple",
    "date": "Date",
    "email": "Adresse électronique",
    "url": "Adresse web",
    "note": "Texte affiché (sans réponse)",
    "calcul": "Valeur calculée",
}
TYPES_NOMBRE = frozenset({"entier", "decimal", "euros", "pourcentage"})
TYPES_CHOIX = frozenset({"choix_unique", "choix_multiple"})
TYPES_TEXTE = frozenset({"texte", "texte_long", "email", "url"})
TYPES_SANS_SAISIE = frozenset({"note", "calcul"})
TYPES_AVEC_BORNES = TYPES_NOMBRE | {"date"}

BLOCS: dict[str, str] = {
    "noyau": "Noyau national",
    "thematique": "Module thématique de l'année",
    "local": "Questions locales",
}
PUBLICS: tuple[str, ...] = ("CS", "EVS")
GRAVITES: dict[str, str] = {"bloquant": "Bloquant", "avertissement": "Avertissement"}

# Liste de choix engendrée par le code à partir du référentiel des territoires (101 départements).
LISTE_DEPARTEMENTS = "departements"

# Convention du noyau national : une majuscule, deux chiffres (B07, H02A). Les autres blocs acceptent
# tout nom XLSForm valide (nom XML : une lettre ou « _ », puis lettres, chiffres, « _ », « - », « . »).
RE_CODE_QUESTION = re.compile(r"^[A-Z][0-9]{2}[A-Z0-9_]*$")
RE_NOM_XLSFORM = re.compile(r"^[^\W\d][\w.\-]*$")
RE_CODE_CHOIX = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
RE_CODE_SECTION = RE_NOM_XLSFORM
RE_DATE_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FORMAT_CODE = "une lettre majuscule, deux chiffres, puis des majuscules, chiffres ou « _ » (ex. « B07 », « H02A »)"
FORMAT_NOM = (
    "une lettre ou « _ », puis des lettres, chiffres, « _ », « - » ou « . », sans espace "
    "(ex. « effectif », « nb_jeunes »)"
)

# Fonctions qui tolèrent une réponse absente : une référence passée directement à l'une d'elles ne
# rend pas l'expression inconnue (utile pour les questions réservées à un public).
FONCTIONS_TOLERANTES = frozenset({"sum", "coalesce", "precedent", "string-length"})


# --------------------------------------------------------------------------- modèle


def _tuple(valeur: Any) -> tuple:
    if valeur is None:
        return ()
    if isinstance(valeur, str):
        return (valeur,)
    return tuple(valeur)


def _ordonner_publics(publics: Iterable[str]) -> tuple[str, ...]:
    connus = [p for p in PUBLICS if p in publics]
    autres = sorted({p for p in publics if p not in PUBLICS})
    return tuple(connus + autres)


def _borne(valeur: Any, type_question: str) -> Decimal | str | None:
    """Borne min/max : Decimal pour un nombre, texte ISO (AAAA-MM-JJ) pour une date."""
    if valeur is None or valeur == "":
        return None
    if isinstance(valeur, datetime.datetime):
        return valeur.date().isoformat()
    if isinstance(valeur, datetime.date):
        return valeur.isoformat()
    if isinstance(valeur, bool):
        return str(valeur)
    if isinstance(valeur, Decimal):
        return valeur
    if isinstance(valeur, int | float):
        return Decimal(str(valeur))
    texte = str(valeur).strip()
    if type_question == "date" or RE_DATE_ISO.match(texte):
        return texte
    try:
        return Decimal(texte.replace(",", "."))
    except InvalidOperation:
        return texte  # valider() le signalera


@dataclass(frozen=True, slots=True)
class Choix:
    code: str
    libelle: str


@dataclass(frozen=True, slots=True)
class Liste:
    nom: str
    choix: tuple[Choix, ...]

    def __post_init__(self):
        object.__setattr__(self, "choix", _tuple(self.choix))


@dataclass(frozen=True)
class Question:
    """Une question. ``publics`` : variantes qui la posent ; ``facultatif_pour`` : publics pour
    lesquels une question obligatoire devient facultative (drapeau « adapt » du dictionnaire)."""

    code: str
    libelle: str
    type: str
    unite: str | None = None
    obligatoire: bool = False
    aide: str = ""
    liste: str | None = None
    publics: tuple[str, ...] = PUBLICS
    pertinence: str | None = None
    contrainte: str | None = None
    message_contrainte: str | None = None
    calcul: str | None = None
    min: Decimal | str | None = None
    max: Decimal | str | None = None
    identite: bool = False
    groupe: str | None = None
    departements: tuple[str, ...] = ()
    facultatif_pour: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "publics", _ordonner_publics(_tuple(self.publics)))
        object.__setattr__(self, "facultatif_pour", _ordonner_publics(_tuple(self.facultatif_pour)))
        object.__setattr__(self, "departements", _tuple(self.departements))
        object.__setattr__(self, "min", _borne(self.min, self.type))
        object.__setattr__(self, "max", _borne(self.max, self.type))
        object.__setattr__(self, "aide", self.aide or "")

    @property
    def saisie(self) -> bool:
        """La question attend une réponse de la structure (ni note, ni calcul)."""
        return self.type not in TYPES_SANS_SAISIE

    def expressions(self) -> Iterator[tuple[str, str]]:
        """(champ, texte) de chaque expression portée par la question."""
        for champ in ("pertinence", "contrainte", "calcul"):
            texte = getattr(self, champ)
            if texte is not None:
                yield champ, texte


@dataclass(frozen=True)
class Section:
    code: str
    titre: str
    bloc: str = "noyau"
    questions: tuple[Question, ...] = ()
    description: str = ""

    def __post_init__(self):
        object.__setattr__(self, "questions", _tuple(self.questions))
        object.__setattr__(self, "description", self.description or "")


@dataclass(frozen=True)
class Regle:
    """Règle de cohérence : ``expression`` dit ce qui **doit être vrai**. Elle se déclenche (anomalie)
    quand l'expression vaut faux ; une valeur inconnue (réponse manquante) ne la déclenche pas.
    Le message peut citer des valeurs : ``{E02}``, ``{precedent:F04}``, ``{=expression}``."""

    code: str
    expression: str
    gravite: str
    message: str
    questions: tuple[str, ...] = ()
    publics: tuple[str, ...] = PUBLICS

    def __post_init__(self):
        object.__setattr__(self, "questions", _tuple(self.questions))
        object.__setattr__(self, "publics", _ordonner_publics(_tuple(self.publics)))


@dataclass(frozen=True)
class Correspondance:
    """Changement déclaré d'une question entre deux versions, pour que les évolutions la suivent.

    Avant la campagne ``annee_depuis``, la mesure portée aujourd'hui par ``code`` était demandée sous
    le code ``ancien_code``. ``formule`` (facultative) est une expression sur les codes actuels qui
    redonne la mesure ancienne (ex. ``sum(${F06}, ${F07})`` quand une ligne a été scindée en deux)."""

    code: str
    ancien_code: str
    annee_depuis: int
    formule: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Questionnaire:
    version: str
    campagne: int
    titre: str
    sections: tuple[Section, ...] = ()
    listes: tuple[Liste, ...] = ()
    regles: tuple[Regle, ...] = ()
    correspondances: tuple[Correspondance, ...] = ()
    # Index et plans d'évaluation compilés une fois (hors comparaison et hors hachage).
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self):
        for nom in ("sections", "listes", "regles", "correspondances"):
            object.__setattr__(self, nom, _tuple(getattr(self, nom)))

    def __getstate__(self):
        etat = {nom: getattr(self, nom) for nom in self.__dataclass_fields__ if nom != "_cache"}
        return etat

    def __setstate__(self, etat):
        for nom, valeur in etat.items():
            object.__setattr__(self, nom, valeur)
        object.__setattr__(self, "_cache", {})

    # -- accès

    def _index(self) -> dict[str, Any]:
        index = self._cache.get("index")
        if index is None:
            questions: list[Question] = []
            par_code: dict[str, Question] = {}
            section_de: dict[str, Section] = {}
            for section in self.sections:
                for question in section.questions:
                    questions.append(question)
                    par_code.setdefault(question.code, question)
                    section_de.setdefault(question.code, section)
            listes: dict[str, tuple[Choix, ...]] = {}
            for liste in self.listes:
                listes.setdefault(liste.nom, liste.choix)
            index = {
                "questions": tuple(questions),
                "par_code": par_code,
                "section_de": section_de,
                "listes": listes,
            }
            self._cache["index"] = index
        return index

    def questions(self) -> tuple[Question, ...]:
        """Toutes les questions, dans l'ordre des sections."""
        return self._index()["questions"]

    def codes(self) -> tuple[str, ...]:
        return tuple(q.code for q in self.questions())

    def question(self, code: str) -> Question:
        try:
            return self._index()["par_code"][code]
        except KeyError:
            raise KeyError(f"Question « {code} » inconnue dans le questionnaire {self.version}") from None

    def __contains__(self, code: object) -> bool:
        return code in self._index()["par_code"]

    def section(self, code: str) -> Section:
        for section in self.sections:
            if section.code == code:
                return section
        raise KeyError(f"Section « {code} » inconnue dans le questionnaire {self.version}")

    def section_de(self, code_question: str) -> Section:
        return self._index()["section_de"][code_question]

    def liste(self, nom: str) -> tuple[Choix, ...] | None:
        return self._index()["listes"].get(nom)

    def choix(self, code_question: str) -> tuple[Choix, ...]:
        """Choix possibles d'une question (vide si ce n'est pas une question à choix)."""
        question = self.question(code_question)
        return (question.liste and self.liste(question.liste)) or ()

    def libelles_choix(self, code_question: str) -> dict[str, str]:
        return {c.code: c.libelle for c in self.choix(code_question)}

    def regles_pour(self, public: str) -> tuple[Regle, ...]:
        return tuple(r for r in self.regles if public in r.publics)

    def correspondance(self, code: str) -> tuple[Correspondance, ...]:
        return tuple(c for c in self.correspondances if c.code == code)

    # -- variantes

    def pour_public(self, public: str, departement: str | None = None) -> "Questionnaire":
        """Le questionnaire d'une structure : questions de sa variante (CS ou EVS), questions locales
        de son département seulement, obligations levées pour ce public (``facultatif_pour``), règles
        de ce public. Les sections devenues vides disparaissent. Résultat mis en cache."""
        cle = ("variante", public, departement)
        variante = self._cache.get(cle)
        if variante is not None:
            return variante
        sections = []
        for section in self.sections:
            questions = []
            for question in section.questions:
                if public not in question.publics:
                    continue
                if section.bloc == "local" or question.departements:
                    if departement is None or departement not in question.departements:
                        continue
                if question.obligatoire and public in question.facultatif_pour:
                    question = replace(question, obligatoire=False)
                questions.append(question)
            if questions:
                sections.append(replace(section, questions=tuple(questions)))
        variante = replace(
            self,
            sections=tuple(sections),
            regles=self.regles_pour(public),
        )
        self._cache[cle] = variante
        return variante


def choix_departements() -> tuple[Choix, ...]:
    """La liste ``departements`` : les 101 départements (code INSEE et nom)."""
    return tuple(Choix(d.code, f"{d.code} – {d.nom}") for d in departements())


def completer_listes(listes: Iterable[Liste], questions: Iterable[Question]) -> tuple[Liste, ...]:
    """Ajoute la liste engendrée ``departements`` si une question s'en sert et qu'elle manque."""
    listes = tuple(listes)
    if any(q.liste == LISTE_DEPARTEMENTS for q in questions) and all(li.nom != LISTE_DEPARTEMENTS for li in listes):
        listes += (Liste(LISTE_DEPARTEMENTS, choix_departements()),)
    return listes


# --------------------------------------------------------------------------- messages des règles


@dataclass(frozen=True, slots=True)
class Repere:
    """Morceau variable d'un message : ``{E02}`` (valeur), ``{precedent:F04}``, ``{=expression}``."""

    genre: str  # "valeur", "precedent", "expression"
    code: str | None = None
    expression: Expression | None = None


_RE_REPERE = re.compile(r"^(precedent:)?([^\W\d][\w.\-]*)$")


def analyser_message(message: str) -> tuple[str | Repere, ...]:
    """Découpe un message de règle en texte et repères ; ``{{`` et ``}}`` écrivent des accolades.
    Lève ValueError (message français) si un repère est mal formé."""
    morceaux: list[str | Repere] = []
    tampon: list[str] = []
    i, n = 0, len(message)
    while i < n:
        c = message[i]
        if c == "}" and message.startswith("}}", i):
            tampon.append("}")
            i += 2
            continue
        if c != "{":
            tampon.append(c)
            i += 1
            continue
        if message.startswith("{{", i):
            tampon.append("{")
            i += 2
            continue
        if message.startswith("{=", i):
            k = i + 2
            while k < n and message[k] != "}":
                if message.startswith("${", k):
                    fin = message.find("}", k)
                    k = n if fin == -1 else fin + 1
                elif message[k] in "'\"":
                    fin = message.find(message[k], k + 1)
                    k = n if fin == -1 else fin + 1
                else:
                    k += 1
            if k >= n:
                raise ValueError(f"accolade non fermée après « {message[i : i + 20]} »")
            texte = message[i + 2 : k]
            try:
                expression = analyser_expression(texte)
            except ErreurExpression as exc:
                raise ValueError(f"expression « {texte} » invalide : {exc}") from exc
            morceaux.extend(["".join(tampon), Repere("expression", expression=expression)])
            tampon = []
            i = k + 1
            continue
        fin = message.find("}", i)
        if fin == -1:
            raise ValueError(f"accolade non fermée après « {message[i : i + 20]} »")
        m = _RE_REPERE.match(message[i + 1 : fin].strip())
        if not m:
            raise ValueError(
                f"repère « {message[i : fin + 1]} » non reconnu (écrivez {{E02}}, {{precedent:E02}} "
                "ou {=expression} ; {{ pour une accolade)"
            )
        morceaux.extend(["".join(tampon), Repere("precedent" if m.group(1) else "valeur", code=m.group(2))])
        tampon = []
        i = fin + 1
    morceaux.append("".join(tampon))
    return tuple(m for m in morceaux if m != "")


def references_message(morceaux: Iterable[str | Repere]) -> set[str]:
    codes: set[str] = set()
    for m in morceaux:
        if isinstance(m, Repere):
            if m.code:
                codes.add(m.code)
            if m.expression is not None:
                codes |= m.expression.references()
    return codes


# --------------------------------------------------------------------------- parcours d'arbres


def references_directes(expression: Expression) -> set[str]:
    """Références lues hors ``precedent()`` (celles qui créent une dépendance dans l'année)."""
    codes: set[str] = set()

    def parcourir(noeud, dans_precedent=False):
        if isinstance(noeud, Reference):
            if not dans_precedent:
                codes.add(noeud.code)
        elif isinstance(noeud, Unaire):
            parcourir(noeud.operande, dans_precedent)
        elif isinstance(noeud, Binaire):
            parcourir(noeud.gauche, dans_precedent)
            parcourir(noeud.droite, dans_precedent)
        elif isinstance(noeud, Appel):
            for argument in noeud.arguments:
                parcourir(argument, dans_precedent or noeud.fonction == "precedent")

    parcourir(expression.racine)
    return codes


def references_exigees(expression: Expression) -> set[str]:
    """Références dont l'absence rend l'expression inconnue (hors sum(), coalesce()…)."""
    codes: set[str] = set()

    def parcourir(noeud, tolerant=False):
        if isinstance(noeud, Reference):
            if not tolerant:
                codes.add(noeud.code)
        elif isinstance(noeud, Unaire):
            parcourir(noeud.operande)
        elif isinstance(noeud, Binaire):
            parcourir(noeud.gauche)
            parcourir(noeud.droite)
        elif isinstance(noeud, Appel):
            for argument in noeud.arguments:
                parcourir(argument, noeud.fonction in FONCTIONS_TOLERANTES)

    parcourir(expression.racine)
    return codes


def contient_point(expression: Expression) -> bool:
    def parcourir(noeud) -> bool:
        if isinstance(noeud, Courant):
            return True
        if isinstance(noeud, Unaire):
            return parcourir(noeud.operande)
        if isinstance(noeud, Binaire):
            return parcourir(noeud.gauche) or parcourir(noeud.droite)
        if isinstance(noeud, Appel):
            return any(parcourir(a) for a in noeud.arguments)
        return False

    return parcourir(expression.racine)


def ordre_des_calculs(questions: Iterable[Question]) -> tuple[list[str], list[list[str]]]:
    """Ordre d'évaluation des questions calculées (chaque calcul après ceux qu'il lit) et cycles
    éventuels. Les expressions invalides sont ignorées ici (valider() les signale)."""
    calculs: dict[str, set[str]] = {}
    for q in questions:
        if q.type == "calcul" and q.calcul:
            try:
                calculs[q.code] = references_directes(analyser_expression(q.calcul))
            except ErreurExpression:
                calculs[q.code] = set()
    ordre: list[str] = []
    etat: dict[str, int] = {}  # 1 = en cours, 2 = fini
    cycles: list[list[str]] = []

    def visiter(code: str, chemin: list[str]):
        if etat.get(code) == 2:
            return
        if etat.get(code) == 1:
            debut = chemin.index(code)
            cycles.append(chemin[debut:] + [code])
            return
        etat[code] = 1
        for dependance in sorted(calculs[code]):
            if dependance in calculs:
                visiter(dependance, chemin + [code])
        etat[code] = 2
        ordre.append(code)

    for code in calculs:
        visiter(code, [])
    return ordre, cycles


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True, slots=True)
class ErreurDefinition:
    message: str
    section: str | None = None
    question: str | None = None
    champ: str | None = None
    regle: str | None = None
    liste: str | None = None

    @property
    def lieu(self) -> str:
        morceaux = []
        if self.section is not None:
            morceaux.append(f"section {self.section}")
        if self.question is not None:
            morceaux.append(f"question {self.question}")
        if self.regle is not None:
            morceaux.append(f"règle {self.regle}")
        if self.liste is not None:
            morceaux.append(f"liste « {self.liste} »")
        if self.champ is not None:
            morceaux.append(f"champ « {self.champ} »")
        return ", ".join(morceaux)

    def __str__(self) -> str:
        lieu = self.lieu
        return f"{lieu[:1].upper()}{lieu[1:]} : {self.message}" if lieu else self.message


def _nom_public(public: str) -> str:
    return {"CS": "aux centres sociaux", "EVS": "aux espaces de vie sociale"}.get(public, f"au public {public}")


def valider(questionnaire: Questionnaire) -> list[ErreurDefinition]:
    """Toutes les erreurs de la définition, en français, avec leur emplacement (liste vide = valide)."""
    erreurs: list[ErreurDefinition] = []
    q = questionnaire
    ajouter = erreurs.append

    if not str(q.version or "").strip():
        ajouter(ErreurDefinition("la version est vide", champ="version"))
    if isinstance(q.campagne, bool) or not isinstance(q.campagne, int) or not 2000 <= q.campagne <= 2100:
        ajouter(ErreurDefinition(f"année de campagne « {q.campagne} » invalide (ex. 2026)", champ="campagne"))
    if not str(q.titre or "").strip():
        ajouter(ErreurDefinition("le titre est vide", champ="titre"))
    if not q.sections:
        ajouter(ErreurDefinition("le questionnaire n'a aucune section"))

    # -- listes de choix
    listes_vues: set[str] = set()
    for liste in q.listes:
        if liste.nom in listes_vues:
            ajouter(ErreurDefinition("liste de choix définie deux fois", liste=liste.nom))
        listes_vues.add(liste.nom)
        if not liste.choix:
            ajouter(ErreurDefinition("la liste de choix est vide", liste=liste.nom))
        codes_vus: set[str] = set()
        for choix in liste.choix:
            if choix.code in codes_vus:
                ajouter(ErreurDefinition(f"le code de choix « {choix.code} » figure deux fois", liste=liste.nom))
            codes_vus.add(choix.code)
            if not RE_CODE_CHOIX.match(str(choix.code)):
                ajouter(
                    ErreurDefinition(
                        f"code de choix « {choix.code} » invalide (lettres, chiffres, « _ », « - » ou « . », "
                        "sans espace)",
                        liste=liste.nom,
                    )
                )
            if not str(choix.libelle or "").strip():
                ajouter(ErreurDefinition(f"le choix « {choix.code} » n'a pas de libellé", liste=liste.nom))

    # -- sections et questions
    codes_questions: dict[str, Question] = {}
    sections_vues: set[str] = set()
    for section in q.sections:
        if not RE_CODE_SECTION.match(str(section.code or "")):
            ajouter(ErreurDefinition(f"code de section « {section.code} » invalide", section=section.code))
        if section.code in sections_vues:
            ajouter(ErreurDefinition("code de section en double", section=section.code))
        sections_vues.add(section.code)
        if not str(section.titre or "").strip():
            ajouter(ErreurDefinition("la section n'a pas de titre", section=section.code, champ="titre"))
        if section.bloc not in BLOCS:
            ajouter(
                ErreurDefinition(
                    f"bloc « {section.bloc} » inconnu (blocs possibles : {', '.join(BLOCS)})",
                    section=section.code,
                    champ="bloc",
                )
            )
        if not section.questions:
            ajouter(ErreurDefinition("la section n'a aucune question", section=section.code))
        for question in section.questions:
            if question.code in codes_questions:
                ajouter(ErreurDefinition("code de question en double", section=section.code, question=question.code))
            else:
                codes_questions[question.code] = question

    tous_les_codes = set(codes_questions)
    for section in q.sections:
        groupe_ouvert: str | None = None
        for question in section.questions:
            erreurs.extend(_valider_question(q, section, question, codes_questions, tous_les_codes, groupe_ouvert))
            if question.type == "note":
                groupe_ouvert = question.code
            elif question.groupe is None or question.groupe != groupe_ouvert:
                groupe_ouvert = None

    # -- calculs en boucle
    _, cycles = ordre_des_calculs(codes_questions.values())
    for cycle in cycles:
        premier = cycle[0]
        ajouter(
            ErreurDefinition(
                f"calculs en boucle : {' → '.join(cycle)}",
                section=q.section_de(premier).code if premier in q else None,
                question=premier,
                champ="calcul",
            )
        )

    # -- règles
    regles_vues: set[str] = set()
    for regle in q.regles:
        erreurs.extend(_valider_regle(regle, regles_vues, tous_les_codes))
        regles_vues.add(regle.code)

    # -- correspondances
    for corresp in q.correspondances:
        lieu = {"question": corresp.code, "champ": "correspondances"}
        if corresp.code not in tous_les_codes:
            ajouter(ErreurDefinition(f"correspondance pour une question inconnue « {corresp.code} »", **lieu))
        if not RE_NOM_XLSFORM.match(str(corresp.ancien_code or "")):
            ajouter(ErreurDefinition(f"ancien code « {corresp.ancien_code} » invalide ({FORMAT_NOM})", **lieu))
        if isinstance(corresp.annee_depuis, bool) or not isinstance(corresp.annee_depuis, int):
            ajouter(ErreurDefinition(f"année « {corresp.annee_depuis} » invalide", **lieu))
        elif isinstance(q.campagne, int) and corresp.annee_depuis > q.campagne:
            ajouter(
                ErreurDefinition(
                    f"l'année du changement ({corresp.annee_depuis}) est postérieure à la campagne ({q.campagne})",
                    **lieu,
                )
            )
        if corresp.formule is not None:
            erreurs.extend(_valider_expression(corresp.formule, tous_les_codes, lieu))
        if not str(corresp.description or "").strip() and corresp.formule is None:
            ajouter(ErreurDefinition("une correspondance sans formule doit être décrite", **lieu))
    return erreurs


def _valider_expression(texte: Any, codes: set[str], lieu: dict, point_permis: bool = False) -> list[ErreurDefinition]:
    if not isinstance(texte, str):
        return [ErreurDefinition("l'expression doit être un texte", **lieu)]
    try:
        expression = analyser_expression(texte)
    except ErreurExpression as exc:
        return [ErreurDefinition(f"expression invalide « {texte} » : {exc}", **lieu)]
    erreurs = [
        ErreurDefinition(f"référence inconnue ${{{code}}} dans « {texte} »", **lieu)
        for code in sorted(expression.references() - codes)
    ]
    if not point_permis and contient_point(expression):
        erreurs.append(
            ErreurDefinition(f"« . » (la réponse elle-même) n'a de sens que dans une contrainte : « {texte} »", **lieu)
        )
    return erreurs


def _valider_question(
    q: Questionnaire,
    section: Section,
    question: Question,
    codes_questions: dict[str, Question],
    tous_les_codes: set[str],
    groupe_ouvert: str | None,
) -> list[ErreurDefinition]:
    erreurs: list[ErreurDefinition] = []

    def erreur(message: str, champ: str | None = None):
        erreurs.append(ErreurDefinition(message, section=section.code, question=question.code, champ=champ))

    if section.bloc == "noyau" and not RE_CODE_QUESTION.match(str(question.code or "")):
        erreur(f"code « {question.code} » invalide : {FORMAT_CODE} (convention du noyau national)", "code")
    elif not RE_NOM_XLSFORM.match(str(question.code or "")):
        erreur(f"code « {question.code} » invalide : {FORMAT_NOM}", "code")
    if not str(question.libelle or "").strip():
        erreur("la question n'a pas de libellé", "libelle")
    if question.type not in TYPES:
        erreur(f"type « {question.type} » inconnu (types possibles : {', '.join(TYPES)})", "type")

    # publics
    if not question.publics:
        erreur("aucun public (CS, EVS) ne reçoit la question", "publics")
    for public in question.publics:
        if public not in PUBLICS:
            erreur(f"public « {public} » inconnu (publics possibles : CS, EVS)", "publics")
    for public in question.facultatif_pour:
        if public not in question.publics:
            erreur(f"« facultatif_pour » cite « {public} », qui ne reçoit pas la question", "facultatif_pour")
    if question.facultatif_pour and not question.obligatoire:
        erreur("« facultatif_pour » n'a de sens que pour une question obligatoire", "facultatif_pour")

    # liste de choix
    if question.type in TYPES_CHOIX:
        if not question.liste:
            erreur("une question à choix doit indiquer sa liste de choix", "liste")
        elif q.liste(question.liste) is None:
            erreur(f"liste de choix « {question.liste} » inconnue", "liste")
    elif question.liste:
        erreur(f"seules les questions à choix ont une liste (type « {question.type} »)", "liste")

    # calcul, note, obligation
    if question.type == "calcul":
        if not question.calcul:
            erreur("une question calculée doit avoir une formule de calcul", "calcul")
    elif question.calcul is not None:
        erreur("seules les questions de type « calcul » ont une formule de calcul", "calcul")
    if question.type in TYPES_SANS_SAISIE and question.obligatoire:
        erreur(f"une question de type « {question.type} » ne peut pas être obligatoire", "obligatoire")
    if question.type in TYPES_SANS_SAISIE and question.contrainte is not None:
        erreur(f"une question de type « {question.type} » n'a pas de contrainte", "contrainte")
    if question.message_contrainte and question.contrainte is None:
        erreur("message de contrainte sans contrainte", "message_contrainte")

    # bornes
    for champ in ("min", "max"):
        borne = getattr(question, champ)
        if borne is None:
            continue
        if question.type not in TYPES_AVEC_BORNES:
            erreur(f"les bornes min et max ne s'appliquent pas au type « {question.type} »", champ)
        elif question.type == "date":
            if not (isinstance(borne, str) and RE_DATE_ISO.match(borne) and _date_valide(borne)):
                erreur(f"borne « {borne} » invalide : date attendue au format AAAA-MM-JJ", champ)
        elif not isinstance(borne, Decimal) or not borne.is_finite():
            erreur(f"borne « {borne} » invalide : nombre attendu", champ)
    if (
        question.min is not None
        and question.max is not None
        and type(question.min) is type(question.max)
        and question.min > question.max  # type: ignore[operator]
    ):
        erreur(f"le minimum ({question.min}) dépasse le maximum ({question.max})", "min")

    # expressions
    for champ, texte in question.expressions():
        lieu = {"section": section.code, "question": question.code, "champ": champ}
        erreurs.extend(_valider_expression(texte, tous_les_codes, lieu, point_permis=champ == "contrainte"))
        try:
            expression = analyser_expression(texte)
        except (ErreurExpression, TypeError):
            continue
        # Une expression d'une question posée à un public ne doit pas exiger une question qu'il ne reçoit pas.
        for code in sorted(references_exigees(expression) & tous_les_codes):
            lue = codes_questions[code]
            for public in question.publics:
                if public in PUBLICS and public not in lue.publics:
                    erreur(
                        f"l'expression lit {code}, qui n'est pas posée {_nom_public(public)} "
                        f"alors que {question.code} l'est",
                        champ,
                    )

    # questions locales
    if section.bloc == "local":
        if not question.departements:
            erreur("une question locale doit indiquer ses départements", "departements")
    elif question.departements:
        erreur("seules les questions d'une section « local » sont réservées à des départements", "departements")
    connus = departements_par_code()
    for code in question.departements:
        if code not in connus:
            erreur(f"département « {code} » inconnu", "departements")

    # groupes (ex. les parts H02A…H02F sous l'intitulé H02)
    if question.groupe is not None:
        tete = codes_questions.get(question.groupe)
        if tete is None or tete.type != "note":
            erreur(f"groupe « {question.groupe} » inconnu : le groupe est le code d'une question « note »", "groupe")
        elif q.section_de(tete.code).code != section.code:
            erreur(f"le groupe « {question.groupe} » est dans une autre section", "groupe")
        elif groupe_ouvert != question.groupe:
            erreur(
                f"la question doit suivre immédiatement l'intitulé {question.groupe} ou une autre question du groupe",
                "groupe",
            )
        else:
            for public in question.publics:
                if public not in tete.publics:
                    erreur(f"l'intitulé du groupe {tete.code} n'est pas posé {_nom_public(public)}", "publics")
        if question.type == "note":
            erreur("une question « note » ne peut pas appartenir à un groupe", "groupe")
    return erreurs


def _date_valide(texte: str) -> bool:
    try:
        datetime.date.fromisoformat(texte)
    except ValueError:
        return False
    return True


def _valider_regle(regle: Regle, regles_vues: set[str], codes: set[str]) -> list[ErreurDefinition]:
    erreurs: list[ErreurDefinition] = []

    def erreur(message: str, champ: str | None = None):
        erreurs.append(ErreurDefinition(message, regle=regle.code, champ=champ))

    if not str(regle.code or "").strip() or not RE_CODE_SECTION.match(str(regle.code)):
        erreur(f"code de règle « {regle.code} » invalide", "code")
    if regle.code in regles_vues:
        erreur("code de règle en double", "code")
    if regle.gravite not in GRAVITES:
        erreur(f"gravité « {regle.gravite} » inconnue (gravités possibles : bloquant, avertissement)", "gravite")
    erreurs.extend(_valider_expression(regle.expression, codes, {"regle": regle.code, "champ": "expression"}))
    if not str(regle.message or "").strip():
        erreur("la règle n'a pas de message", "message")
    else:
        try:
            morceaux = analyser_message(regle.message)
        except ValueError as exc:
            erreur(str(exc), "message")
        else:
            for code in sorted(references_message(morceaux) - codes):
                erreur(f"le message cite {{{code}}}, question inconnue", "message")
    for code in regle.questions:
        if code not in codes:
            erreur(f"question « {code} » inconnue", "questions")
    if not regle.publics:
        erreur("aucun public (CS, EVS) n'est concerné par la règle", "publics")
    for public in regle.publics:
        if public not in PUBLICS:
            erreur(f"public « {public} » inconnu (publics possibles : CS, EVS)", "publics")
    return erreurs
