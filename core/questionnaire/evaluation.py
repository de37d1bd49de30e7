"""Évaluation d'une réponse : pertinence, calculs et anomalies.

Le même code tourne dans le formulaire, à l'enregistrement et dans le contrôle en lot (design §4).
Tout ce qui peut l'être est compilé une fois par questionnaire (expressions, messages, ordre des
calculs, bornes) et gardé dans le cache de l'objet ``Questionnaire`` : une réponse s'évalue ensuite
sans rien réanalyser.

Conventions :

- **Valeurs** : ce que stocke ``Reponse.valeurs`` (JSON) — nombres (int, float, Decimal ou texte à la
  française « 1 234,5 »), booléens pour oui/non, code du choix (texte) ou liste de codes, dates ISO
  (``AAAA-MM-JJ``, ou ``JJ/MM/AAAA``, ou ``datetime.date``). Une réponse vide (``None``, ``""``,
  ``[]``) est absente.
- **Dates dans les expressions** : comme dans ODK, une date vaut le nombre de jours depuis le
  1er janvier 1970. ``${A11} - ${A10}`` est donc une durée en jours et ``${A09} <= ${A10}`` compare
  deux dates. Les bornes ``min``/``max`` d'une question de type date s'écrivent en AAAA-MM-JJ.
- **Pertinence** : une question dont la condition vaut faux n'est pas posée et sa réponse éventuelle
  est ignorée (comme dans XLSForm : elle ne compte ni dans les calculs, ni dans les règles). Une
  condition **inconnue** (elle lit une réponse encore vide) rend la question **pertinente** : la
  structure la voit. Elle n'est en revanche exigée (obligatoire) que si sa condition est établie.
  Une condition inconnue *parce qu'elle lit une question masquée* masque la question (comme dans
  XLSForm, où une question masquée vaut vide). Les conditions peuvent lire des questions placées
  plus loin ; on itère jusqu'à stabilité.
- **Règles** : une règle se déclenche quand son expression vaut faux ; inconnue, elle se tait.
"""

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from core.formats import ErreurSaisie, formater_nombre, lire_date, lire_nombre
from core.questionnaire.expressions import Expression, analyser
from core.questionnaire.modele import (
    LISTE_DEPARTEMENTS,
    PUBLICS,
    Question,
    Questionnaire,
    Regle,
    analyser_message,
    ordre_des_calculs,
    references_directes,
)

EPOQUE = datetime.date(1970, 1, 1)
NON_RENSEIGNE = "non renseigné"
ITERATIONS_MAX = 6
_RE_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_RE_URL = re.compile(r"^(https?://)?([A-Za-z0-9\-]+\.)+[A-Za-z]{2,}(:\d+)?([/?#]\S*)?$", re.IGNORECASE)
_VRAIS = {"oui", "true", "vrai", "1", "yes"}
_FAUX = {"non", "false", "faux", "0", "no"}


@dataclass(frozen=True, slots=True)
class Anomalie:
    """Une règle non respectée. ``code_regle`` : code de la règle globale (« R04a ») ou, pour un
    contrôle propre à une question, « <code>.obligatoire », « <code>.type », « <code>.min »,
    « <code>.max » ou « <code>.contrainte »."""

    code_regle: str
    gravite: str
    message: str
    questions: tuple[str, ...]

    @property
    def bloquante(self) -> bool:
        return self.gravite == "bloquant"


# --------------------------------------------------------------------------- normalisation


def est_vide(valeur: Any) -> bool:
    if valeur is None:
        return True
    if isinstance(valeur, str):
        return not valeur.strip()
    if isinstance(valeur, list | tuple | set | frozenset):
        return len(valeur) == 0
    return False


def jours_depuis_epoque(date: datetime.date) -> Decimal:
    return Decimal((date - EPOQUE).days)


def date_depuis_jours(jours: Decimal) -> datetime.date:
    return EPOQUE + datetime.timedelta(days=int(jours))


class _Invalide(Exception):
    def __init__(self, message: str):
        self.message = message


def _nombre(valeur: Any) -> Decimal:
    if type(valeur) is int:
        return Decimal(valeur)
    if isinstance(valeur, bool):
        raise _Invalide("un nombre est attendu")
    if isinstance(valeur, Decimal):
        if not valeur.is_finite():
            raise _Invalide("un nombre est attendu")
        return valeur
    if isinstance(valeur, int):
        return Decimal(valeur)
    if isinstance(valeur, float):
        if valeur != valeur or valeur in (float("inf"), float("-inf")):
            raise _Invalide("un nombre est attendu")
        return Decimal(repr(valeur))
    try:
        nombre = lire_nombre(str(valeur))
    except ErreurSaisie as exc:
        raise _Invalide(exc.message.rstrip(".")) from exc
    if nombre is None:
        raise _Invalide("un nombre est attendu")
    return nombre


def _normaliseur(question: Question, codes_choix: frozenset[str]) -> Callable[[Any], Any]:
    """Fonction qui convertit une réponse brute (non vide) en valeur d'évaluation, ou lève _Invalide."""
    t = question.type
    if t == "entier":

        def entier(v):
            n = _nombre(v)
            if n != n.to_integral_value():
                raise _Invalide("un nombre entier est attendu")
            return n

        return entier
    if t in ("decimal", "euros", "pourcentage"):
        return _nombre
    if t == "oui_non":

        def oui_non(v):
            if isinstance(v, bool):
                return v
            texte = str(v).strip().lower()
            if texte in _VRAIS:
                return True
            if texte in _FAUX:
                return False
            raise _Invalide("« oui » ou « non » est attendu")

        return oui_non
    if t == "date":

        def date(v):
            try:
                d = lire_date(v)
            except ErreurSaisie as exc:
                raise _Invalide(exc.message.rstrip(".")) from exc
            except (TypeError, ValueError) as exc:
                raise _Invalide("une date est attendue (JJ/MM/AAAA)") from exc
            return jours_depuis_epoque(d)

        return date
    if t == "choix_unique":

        def choix_unique(v):
            code = str(v).strip() if not isinstance(v, bool) else ""
            if isinstance(v, list | tuple | set) or code not in codes_choix:
                raise _Invalide(f"« {_apercu(v)} » ne fait pas partie des choix possibles")
            return code

        return choix_unique
    if t == "choix_multiple":

        def choix_multiple(v):
            codes = [str(x).strip() for x in v] if isinstance(v, list | tuple | set) else str(v).split()
            inconnus = [c for c in codes if c not in codes_choix]
            if inconnus:
                raise _Invalide(f"« {_apercu(inconnus[0])} » ne fait pas partie des choix possibles")
            return sorted(set(codes), key=codes.index)

        return choix_multiple
    if t == "email":

        def email(v):
            texte = str(v).strip()
            if not _RE_EMAIL.match(texte):
                raise _Invalide("une adresse électronique valide est attendue (ex. accueil@exemple.fr)")
            return texte

        return email
    if t == "url":

        def url(v):
            texte = str(v).strip()
            if not _RE_URL.match(texte):
                raise _Invalide("une adresse web valide est attendue (ex. https://www.exemple.fr)")
            return texte

        return url

    def texte(v):
        if isinstance(v, list | tuple | set | dict):
            raise _Invalide("un texte est attendu")
        return str(v).strip()

    return texte


def _apercu(valeur: Any) -> str:
    texte = str(valeur)
    return texte if len(texte) <= 40 else texte[:39] + "…"


def _booleen(v: Any) -> bool | None:
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, Decimal | int | float):
        return v != 0
    if isinstance(v, str):
        t = v.strip().lower()
        if t in _VRAIS:
            return True
        if t in _FAUX or t == "":
            return False
        return True
    return bool(v)


# --------------------------------------------------------------------------- plan compilé


@dataclass(slots=True)
class _QuestionCompilee:
    question: Question
    normaliser: Callable[[Any], Any] | None
    contrainte: Expression | None
    minimum: Decimal | None
    maximum: Decimal | None
    libelles: dict[str, str]


@dataclass(slots=True)
class _RegleCompilee:
    regle: Regle
    expression: Expression
    message: tuple
    questions: tuple[str, ...]


@dataclass(slots=True)
class Etat:
    """Résultat de l'évaluation d'une réponse (valeurs normalisées et pertinence)."""

    valeurs: dict[str, Any]  # valeurs retenues (pertinentes), calculs compris
    pertinence: dict[str, bool | None]  # pour les questions à condition : vrai, faux ou inconnu
    erreurs: dict[str, str]  # réponses illisibles : code → motif
    precedentes: dict[str, Any]


class Plan:
    """Questionnaire compilé pour l'évaluation. Obtenu par ``plan(questionnaire)`` (mis en cache)."""

    def __init__(self, questionnaire: Questionnaire):
        self.questionnaire = questionnaire
        questions = questionnaire.questions()
        self.codes = tuple(q.code for q in questions)
        self.questions: dict[str, _QuestionCompilee] = {}
        for q in questions:
            libelles = questionnaire.libelles_choix(q.code) if q.liste else {}
            minimum, maximum = _borne(q, q.min), _borne(q, q.max)
            if q.type == "pourcentage":
                minimum = Decimal(0) if minimum is None else minimum
                maximum = Decimal(100) if maximum is None else maximum
            self.questions[q.code] = _QuestionCompilee(
                question=q,
                normaliser=_normaliseur(q, frozenset(libelles)) if q.saisie else None,
                contrainte=analyser(q.contrainte) if q.contrainte else None,
                minimum=minimum,
                maximum=maximum,
                libelles=libelles,
            )
        self.saisies = tuple(c for c in self.codes if self.questions[c].normaliser is not None)
        self.normaliseurs = {c: self.questions[c].normaliser for c in self.saisies}
        self.pertinences = tuple(
            (q.code, analyser(q.pertinence), frozenset(references_directes(analyser(q.pertinence))))
            for q in questions
            if q.pertinence
        )
        self.groupes = tuple((q.code, q.groupe) for q in questions if q.groupe)
        ordre, cycles = ordre_des_calculs(questions)
        if cycles:
            raise ValueError(f"Calculs en boucle : {' → '.join(cycles[0])}")
        self.calculs = tuple((code, analyser(questionnaire.question(code).calcul)) for code in ordre)
        self.conditionnelles = {p[0] for p in self.pertinences} | {code for code, _ in self.groupes}
        self.regles = tuple(self._compiler_regle(r) for r in questionnaire.regles)

    def _compiler_regle(self, regle: Regle) -> _RegleCompilee:
        expression = analyser(regle.expression)
        questions = regle.questions or tuple(c for c in self.codes if c in expression.references())
        return _RegleCompilee(regle, expression, analyser_message(regle.message), questions)

    # -- évaluation

    def normaliser(self, valeurs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """Réponses brutes → valeurs d'évaluation (les codes inconnus et les réponses vides sont ignorés)."""
        normales: dict[str, Any] = {}
        erreurs: dict[str, str] = {}
        normaliseurs = self.normaliseurs
        for code, brut in valeurs.items():
            normaliser = normaliseurs.get(code)
            if normaliser is None or brut is None:
                continue
            if type(brut) is str:
                if not brut or brut.isspace():
                    continue
            elif type(brut) in (list, tuple, set, frozenset) and not brut:
                continue
            try:
                normales[code] = normaliser(brut)
            except _Invalide as exc:
                erreurs[code] = exc.message
        return normales, erreurs

    def etat(self, valeurs: Mapping[str, Any], precedentes: Mapping[str, Any] | None = None) -> Etat:
        normales, erreurs = self.normaliser(valeurs)
        anciennes, _ = self.normaliser(precedentes or {})
        pertinence: dict[str, bool | None] = {}
        retenues = dict(normales)
        for _ in range(ITERATIONS_MAX):
            if pertinence:
                retenues = {c: v for c, v in normales.items() if pertinence.get(c) is not False}
            for code, expression in self.calculs:
                retenues[code] = None if pertinence.get(code) is False else expression.evaluer(retenues, anciennes)
            nouvelle: dict[str, bool | None] = {}
            for code, expression, lues in self.pertinences:
                resultat = _booleen(expression.evaluer(retenues, anciennes))
                if resultat is None and any(pertinence.get(lue) is False for lue in lues):
                    resultat = False  # inconnue parce qu'elle lit une question masquée : masquée aussi
                nouvelle[code] = resultat
            for code, groupe in self.groupes:
                tete = nouvelle.get(groupe, True)
                if tete is False:
                    nouvelle[code] = False
                elif tete is None and nouvelle.get(code, True) is True:
                    nouvelle[code] = None
            if nouvelle == pertinence:
                break
            pertinence = nouvelle
        for code, _ in self.calculs:
            if retenues.get(code) is None:
                retenues.pop(code, None)
        return Etat(retenues, pertinence, erreurs, anciennes)

    def anomalies(self, valeurs: Mapping[str, Any], precedentes: Mapping[str, Any] | None = None) -> list[Anomalie]:
        return self.anomalies_etat(self.etat(valeurs, precedentes))

    def anomalies_etat(self, etat: Etat) -> list[Anomalie]:
        """Anomalies d'une réponse déjà évaluée par ``etat`` (sans la réévaluer)."""
        resultat: list[Anomalie] = []
        for code in self.saisies:
            compilee = self.questions[code]
            q = compilee.question
            pertinente = etat.pertinence.get(code, True) if code in self.conditionnelles else True
            if pertinente is False:
                continue
            if code in etat.erreurs:
                resultat.append(
                    Anomalie(
                        f"{code}.type",
                        "bloquant",
                        f"La réponse à la question {code} « {q.libelle} » n'est pas valide : {etat.erreurs[code]}.",
                        (code,),
                    )
                )
                continue
            valeur = etat.valeurs.get(code)
            if valeur is None:
                if q.obligatoire and pertinente is True:
                    resultat.append(
                        Anomalie(
                            f"{code}.obligatoire",
                            "bloquant",
                            f"La question {code} « {q.libelle} » est obligatoire.",
                            (code,),
                        )
                    )
                continue
            if compilee.minimum is not None and isinstance(valeur, Decimal) and valeur < compilee.minimum:
                resultat.append(
                    Anomalie(
                        f"{code}.min",
                        "bloquant",
                        f"La réponse à la question {code} « {q.libelle} » doit être "
                        f"{_borne_texte(q, compilee.minimum, 'min')} (réponse : {self.formater(code, valeur)}).",
                        (code,),
                    )
                )
            elif compilee.maximum is not None and isinstance(valeur, Decimal) and valeur > compilee.maximum:
                resultat.append(
                    Anomalie(
                        f"{code}.max",
                        "bloquant",
                        f"La réponse à la question {code} « {q.libelle} » doit être "
                        f"{_borne_texte(q, compilee.maximum, 'max')} (réponse : {self.formater(code, valeur)}).",
                        (code,),
                    )
                )
            if compilee.contrainte is not None:
                ok = _booleen(compilee.contrainte.evaluer(etat.valeurs, etat.precedentes, courant=valeur))
                if ok is False:
                    message = (
                        q.message_contrainte or f"La réponse à la question {code} « {q.libelle} » n'est pas valide."
                    )
                    resultat.append(Anomalie(f"{code}.contrainte", "bloquant", message, (code,)))
        for compilee in self.regles:
            if _booleen(compilee.expression.evaluer(etat.valeurs, etat.precedentes)) is False:
                resultat.append(
                    Anomalie(
                        compilee.regle.code,
                        compilee.regle.gravite,
                        self.rendre(compilee.message, etat),
                        compilee.questions,
                    )
                )
        return resultat

    # -- messages

    def formater(self, code: str, valeur: Any) -> str:
        """Valeur d'évaluation mise en forme pour un message (à la française)."""
        if valeur is None:
            return NON_RENSEIGNE
        compilee = self.questions.get(code)
        q = compilee.question if compilee else None
        if q is not None and q.type == "date" and isinstance(valeur, Decimal):
            return date_depuis_jours(valeur).strftime("%d/%m/%Y")
        if q is not None and compilee.libelles:
            if isinstance(valeur, list):
                return ", ".join(compilee.libelles.get(v, v) for v in valeur) or NON_RENSEIGNE
            if isinstance(valeur, str) and valeur in compilee.libelles:
                return compilee.libelles[valeur]
        return formater_valeur(valeur)

    def rendre(self, morceaux: tuple, etat: Etat) -> str:
        texte = []
        for morceau in morceaux:
            if isinstance(morceau, str):
                texte.append(morceau)
            elif morceau.genre == "valeur":
                texte.append(self.formater(morceau.code, etat.valeurs.get(morceau.code)))
            elif morceau.genre == "precedent":
                texte.append(self.formater(morceau.code, etat.precedentes.get(morceau.code)))
            else:
                texte.append(formater_valeur(morceau.expression.evaluer(etat.valeurs, etat.precedentes)))
        return "".join(texte)


def formater_valeur(valeur: Any) -> str:
    if valeur is None or valeur == "":
        return NON_RENSEIGNE
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, Decimal | int | float):
        try:
            return formater_nombre(valeur)
        except (InvalidOperation, ValueError):
            return str(valeur)
    if isinstance(valeur, list | tuple):
        return ", ".join(str(v) for v in valeur)
    return str(valeur)


def _borne(question: Question, borne: Any) -> Decimal | None:
    if borne is None:
        return None
    if question.type == "date":
        return jours_depuis_epoque(datetime.date.fromisoformat(str(borne)))
    return Decimal(borne)


def _borne_texte(question: Question, borne: Decimal, sens: str) -> str:
    if question.type == "date":
        date = date_depuis_jours(borne).strftime("%d/%m/%Y")
        return f"postérieure ou égale au {date}" if sens == "min" else f"antérieure ou égale au {date}"
    nombre = str(int(borne)) if question.unite in ("année", "annee") else formater_nombre(borne)
    if question.type == "euros":
        nombre += "\u00a0€"
    elif question.type == "pourcentage":
        nombre += "\u00a0%"
    return f"supérieure ou égale à {nombre}" if sens == "min" else f"inférieure ou égale à {nombre}"


# --------------------------------------------------------------------------- API


def plan(questionnaire: Questionnaire) -> Plan:
    """Le plan compilé du questionnaire (une fois par objet ; lève ErreurExpression ou ValueError si
    la définition n'est pas valide : passez d'abord par ``valider``)."""
    compile_ = questionnaire._cache.get("plan")
    if compile_ is None:
        compile_ = Plan(questionnaire)
        questionnaire._cache["plan"] = compile_
    return compile_


def questions_pertinentes(
    questionnaire: Questionnaire, valeurs: Mapping[str, Any], precedentes: Mapping[str, Any] | None = None
) -> set[str]:
    """Codes des questions à montrer : toutes, sauf celles dont la condition de pertinence (ou celle de
    leur groupe) vaut faux. Une condition inconnue montre la question."""
    p = plan(questionnaire)
    etat = p.etat(valeurs, precedentes)
    return {code for code in p.codes if etat.pertinence.get(code) is not False}


def calculer(
    questionnaire: Questionnaire, valeurs: Mapping[str, Any], precedentes: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Valeurs des questions calculées (ex. D05 = D04 / 1 607, F05 = F04 − F02) ; None si inconnues."""
    p = plan(questionnaire)
    etat = p.etat(valeurs, precedentes)
    return {code: etat.valeurs.get(code) for code, _ in p.calculs}


def departement_de(questionnaire: Questionnaire, valeurs: Mapping[str, Any]) -> str | None:
    """Département déclaré dans la réponse (première question qui utilise la liste ``departements``)."""
    for q in questionnaire.questions():
        if q.liste == LISTE_DEPARTEMENTS:
            valeur = valeurs.get(q.code)
            return str(valeur).strip() if not est_vide(valeur) else None
    return None


def anomalies(
    questionnaire: Questionnaire,
    valeurs: Mapping[str, Any],
    precedentes: Mapping[str, Any] | None = None,
    public: str = "CS",
    departement: str | None = None,
) -> list[Anomalie]:
    """Anomalies d'une réponse pour la variante ``public`` : questions obligatoires pertinentes restées
    vides, réponses illisibles, hors bornes ou contraires à leur contrainte (bloquant), puis règles
    globales non respectées, dans l'ordre du questionnaire. ``departement`` choisit les questions
    locales ; par défaut, celui de la réponse (question utilisant la liste ``departements``)."""
    if public not in PUBLICS:
        raise ValueError(f"Public « {public} » inconnu (publics possibles : {', '.join(PUBLICS)})")
    if departement is None:
        departement = departement_de(questionnaire, valeurs)
    variante = questionnaire.pour_public(public, departement)
    return plan(variante).anomalies(valeurs, precedentes)
