"""Saisie d'une réponse : du texte tapé dans le formulaire à la valeur stockée, et retour.

Le formulaire ne connaît que du texte (ou une liste de codes pour un choix multiple) ; la réponse
stocke du JSON (``Reponse.valeurs``) :

=================  ==========================================  ===================================
type               saisi                                        stocké
=================  ==========================================  ===================================
entier             ``1 234``, ``12 personnes``                  ``1234`` (entier JSON)
decimal            ``1 234,56``, ``0,5 ETP``                    ``1234.56`` (nombre JSON)
euros              ``45 000 €``, ``1 234,56``                   ``45000`` / ``1234.56``
pourcentage        ``12,5 %``                                   ``12.5``
oui_non            ``oui`` / ``non``                            ``true`` / ``false``
choix_unique       code du choix                                code (texte)
choix_multiple     liste de codes                               liste de codes, dans l'ordre de la liste
date               ``29/11/2026`` (ou ``2026-11-29``)           ``"2026-11-29"`` (ISO)
email, url         texte                                        texte (espaces retirés)
texte, texte_long  texte (500 / 5 000 caractères au plus)       texte (caractères de contrôle retirés)
=================  ==========================================  ===================================

``lire(question, brut, codes_choix)`` rend la valeur stockée (``None`` pour une réponse vide) ou lève
``ErreurSaisie`` avec un message en français. Les bornes (min, max), contraintes et règles ne sont
pas vérifiées ici : la réponse est enregistrée et ``core.questionnaire.evaluation.anomalies`` les
signale à côté du champ (le même contrôle tourne dans le formulaire, à l'enregistrement et en lot).

``vers_formulaire(question, valeur)`` redonne le texte à mettre dans le champ (sans perte de
précision : ``0,125`` reste ``0,125``) ; ``formater(question, valeur, libelles)`` le texte à lire
(libellés des choix, unités, « Oui » / « Non »), pour la réponse de l'an dernier ou l'accusé de dépôt.
"""

import datetime
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from core.formats import ESPACE_INSECABLE, ErreurSaisie, formater_date, formater_nombre, lire_date, lire_nombre
from core.questionnaire.evaluation import Anomalie, plan
from core.questionnaire.modele import TYPES_NOMBRE, TYPES_SANS_SAISIE, Question, Questionnaire

__all__ = [
    "ErreurSaisie",
    "LONGUEURS_MAX",
    "differences",
    "etat_saisie",
    "formater",
    "lire",
    "nettoyer_texte",
    "vers_formulaire",
    "vide",
]

LONGUEURS_MAX = {"texte": 500, "texte_long": 5000, "email": 254, "url": 500}
ANNEE_MIN, ANNEE_MAX = 1800, 2200
UNITES_SANS_SEPARATEUR = frozenset({"année", "annee"})
_RE_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_RE_URL = re.compile(r"^(https?://)?([A-Za-z0-9\-]+\.)+[A-Za-z]{2,}(:\d+)?([/?#]\S*)?$", re.IGNORECASE)
_VRAIS = frozenset({"oui", "o", "true", "vrai", "1", "yes"})
_FAUX = frozenset({"non", "n", "false", "faux", "0", "no"})
# Caractères de contrôle refusés par PostgreSQL (NUL) ou invisibles ; on garde tabulation et retours à la ligne.
ETATS_GARDES = 256  # états de saisie gardés par variante du questionnaire (voir ``etat_saisie``)
_CONTROLES = {c: None for c in range(32) if c not in (9, 10)} | {127: None}


def vide(valeur: Any) -> bool:
    """Réponse absente : None, texte blanc, liste vide."""
    if valeur is None:
        return True
    if isinstance(valeur, str):
        return not valeur.strip()
    if isinstance(valeur, list | tuple | set | frozenset):
        return len(valeur) == 0
    return False


def _apercu(texte: str) -> str:
    texte = texte.strip()
    return texte if len(texte) <= 40 else texte[:39] + "…"


def _texte(brut: Any) -> str:
    if isinstance(brut, list | tuple):
        if len(brut) > 1:
            raise ErreurSaisie("Une seule réponse est attendue.")
        brut = brut[0] if brut else ""
    return "" if brut is None else str(brut)


def nettoyer_texte(texte: str) -> str:
    """Texte saisi normalisé : retours à la ligne unifiés, NFC, sans caractères de contrôle, sans blancs autour."""
    texte = unicodedata.normalize("NFC", texte.replace("\r\n", "\n").replace("\r", "\n"))
    return texte.translate(_CONTROLES).strip()


def _nombre_json(d: Decimal) -> int | float:
    """Decimal → nombre JSON : entier si la valeur est entière, sinon flottant (15 chiffres au plus : exact)."""
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def lire(question: Question, brut: Any, codes_choix: Iterable[str] = ()) -> Any:
    """Valeur à stocker pour ce que la personne a saisi ; None si la réponse est vide.

    ``brut`` : le texte du champ (ou la liste des codes cochés pour un choix multiple).
    ``codes_choix`` : codes permis pour une question à choix. Lève ``ErreurSaisie``."""
    t = question.type
    if t in TYPES_SANS_SAISIE:
        raise ErreurSaisie("Cette question ne se saisit pas : sa valeur est affichée ou calculée.")
    if t == "choix_multiple":
        return _lire_choix_multiple(brut, codes_choix)
    texte = nettoyer_texte(_texte(brut))
    if not texte:
        return None
    if t in TYPES_NOMBRE:
        return _lire_nombre(question, texte)
    if t == "oui_non":
        minuscule = texte.lower()
        if minuscule in _VRAIS:
            return True
        if minuscule in _FAUX:
            return False
        raise ErreurSaisie("Répondez « Oui » ou « Non ».")
    if t == "choix_unique":
        codes = tuple(codes_choix)
        if texte not in codes:
            raise ErreurSaisie(f"« {_apercu(texte)} » ne fait pas partie des choix proposés.")
        return texte
    if t == "date":
        try:
            date = lire_date(texte)
        except ErreurSaisie:
            raise
        except (TypeError, ValueError, OverflowError) as exc:
            raise ErreurSaisie(f"« {_apercu(texte)} » n'est pas une date (format attendu : JJ/MM/AAAA).") from exc
        if not ANNEE_MIN <= date.year <= ANNEE_MAX:
            raise ErreurSaisie(f"L'année {date.year} n'est pas vraisemblable (format attendu : JJ/MM/AAAA).")
        return date.isoformat()
    longueur_max = LONGUEURS_MAX.get(t, LONGUEURS_MAX["texte"])
    if len(texte) > longueur_max:
        compte = formater_nombre(len(texte))
        raise ErreurSaisie(f"{formater_nombre(longueur_max)} caractères au plus (votre texte en compte {compte}).")
    if t == "email":
        if not _RE_EMAIL.match(texte):
            raise ErreurSaisie("Saisissez une adresse électronique valide (ex. accueil@exemple.fr).")
        return texte
    if t == "url":
        if not _RE_URL.match(texte):
            raise ErreurSaisie("Saisissez une adresse web valide (ex. https://www.exemple.fr).")
        return texte
    return texte


def _lire_nombre(question: Question, texte: str) -> int | float:
    if question.unite and texte.endswith(question.unite) and question.unite not in ("€", "%"):
        texte = texte[: -len(question.unite)]  # « 12 personnes », « 0,5 ETP »
    entier = question.type == "entier"
    nombre = lire_nombre(texte, entier=entier)
    if nombre is None:
        raise ErreurSaisie("Saisissez un nombre (exemples : 1 234 ou 12,5).")
    if question.type == "euros" and nombre != nombre.quantize(Decimal("0.01")):
        raise ErreurSaisie("Un montant en euros a au plus deux décimales (les centimes).")
    return _nombre_json(nombre)


def _lire_choix_multiple(brut: Any, codes_choix: Iterable[str]) -> list[str] | None:
    if brut is None:
        return None
    if isinstance(brut, str):
        elements = brut.split()
    elif isinstance(brut, list | tuple | set | frozenset):
        elements = [nettoyer_texte(str(x)) for x in brut]
    else:
        raise ErreurSaisie("Cochez une ou plusieurs réponses.")
    elements = [e for e in elements if e]
    if not elements:
        return None
    codes = list(codes_choix)
    inconnus = [e for e in elements if e not in codes]
    if inconnus:
        raise ErreurSaisie(f"« {_apercu(inconnus[0])} » ne fait pas partie des choix proposés.")
    retenus = set(elements)
    return [c for c in codes if c in retenus]


# --------------------------------------------------------------------------- valeur stockée → écran


def _decimal(valeur: Any) -> Decimal | None:
    if isinstance(valeur, bool) or valeur is None:
        return None
    if isinstance(valeur, Decimal):
        return valeur if valeur.is_finite() else None
    if isinstance(valeur, int):
        return Decimal(valeur)
    if isinstance(valeur, float):
        if valeur != valeur or valeur in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(valeur))
    try:
        return lire_nombre(str(valeur))
    except (ErreurSaisie, InvalidOperation, ValueError):
        return None


def _grouper(d: Decimal, separateur: bool = True) -> str:
    """Nombre à la française avec toutes ses décimales utiles (aucune perte : « 0,125 » reste « 0,125 »)."""
    d = d.normalize()
    if d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    signe = "-" if d < 0 else ""
    entier, _, fraction = format(abs(d), "f").partition(".")
    if separateur:
        groupes = []
        while len(entier) > 3:
            groupes.insert(0, entier[-3:])
            entier = entier[:-3]
        groupes.insert(0, entier)
        entier = ESPACE_INSECABLE.join(groupes)
    return signe + entier + ("," + fraction if fraction else "")


def _date(valeur: Any) -> datetime.date | None:
    if isinstance(valeur, datetime.date):
        return valeur
    try:
        return lire_date(valeur)
    except (ErreurSaisie, TypeError, ValueError):
        return None


def vers_formulaire(question: Question, valeur: Any) -> str | list[str]:
    """Texte à placer dans le champ pour une valeur stockée (liste de codes pour un choix multiple)."""
    t = question.type
    if t == "choix_multiple":
        if vide(valeur):
            return []
        elements = valeur if isinstance(valeur, list | tuple) else str(valeur).split()
        return [str(x) for x in elements]
    if vide(valeur):
        return ""
    if t in TYPES_NOMBRE:
        d = _decimal(valeur)
        if d is None:
            return str(valeur)
        if t == "euros" and d != d.to_integral_value() and d == d.quantize(Decimal("0.01")):
            return formater_nombre(d, 2)  # « 180 000,50 », pas « 180 000,5 »
        return _grouper(d, separateur=(question.unite or "") not in UNITES_SANS_SEPARATEUR)
    if t == "oui_non":
        if isinstance(valeur, bool):
            return "oui" if valeur else "non"
        minuscule = str(valeur).strip().lower()
        return "oui" if minuscule in _VRAIS else "non" if minuscule in _FAUX else str(valeur)
    if t == "date":
        date = _date(valeur)
        return formater_date(date) if date else str(valeur)
    return str(valeur)


def formater(question: Question, valeur: Any, libelles: Mapping[str, str] | None = None) -> str:
    """Valeur stockée mise en forme pour être lue (écran, accusé de dépôt) ; « » si vide."""
    t = question.type
    libelles = libelles or {}
    if vide(valeur):
        return ""
    if t == "choix_multiple":
        return ", ".join(libelles.get(c, c) for c in vers_formulaire(question, valeur))
    if t == "choix_unique":
        return libelles.get(str(valeur), str(valeur))
    if t == "oui_non":
        forme = vers_formulaire(question, valeur)
        return {"oui": "Oui", "non": "Non"}.get(forme, forme)
    if t in TYPES_NOMBRE or (t == "calcul" and _decimal(valeur) is not None):
        d = _decimal(valeur)
        if d is None:
            return str(valeur)
        unite = question.unite or ""
        if unite in UNITES_SANS_SEPARATEUR:
            return _grouper(d, separateur=False)
        if t == "euros" and d != d.to_integral_value() and d == d.quantize(Decimal("0.01")):
            texte = formater_nombre(d, 2)  # « 180 000,50 € »
        else:
            texte = formater_nombre(d) if t != "entier" else _grouper(d)
        if t == "euros" or unite == "€":
            return f"{texte}{ESPACE_INSECABLE}€"
        if t == "pourcentage" or unite == "%":
            return f"{texte}{ESPACE_INSECABLE}%"
        return f"{texte}{ESPACE_INSECABLE}{unite}" if unite else texte
    if t == "date":
        date = _date(valeur)
        return formater_date(date) if date else str(valeur)
    return str(valeur)


# --------------------------------------------------------------------------- état d'une saisie


@dataclass(frozen=True, slots=True)
class AvancementSection:
    code: str
    titre: str
    repondues: int  # questions pertinentes répondues
    pertinentes: int  # questions pertinentes à saisir
    erreurs: int  # anomalies bloquantes (hors réponses obligatoires manquantes)
    manquantes: int  # réponses obligatoires manquantes
    avertissements: int

    @property
    def complete(self) -> bool:
        return self.repondues == self.pertinentes and not self.erreurs and not self.manquantes


@dataclass
class EtatSaisie:
    """Ce que le formulaire montre d'une réponse : questions pertinentes, valeurs calculées, anomalies
    rangées par question, avancement de chaque section. Calculé par ``etat_saisie``."""

    questionnaire: Questionnaire
    pertinentes: set[str]
    calculs: dict[str, Any]
    anomalies: list[Anomalie]
    par_question: dict[str, list[Anomalie]]
    sections: list[AvancementSection]

    @property
    def bloquantes(self) -> list[Anomalie]:
        return [a for a in self.anomalies if a.bloquante]

    @property
    def avertissements(self) -> list[Anomalie]:
        return [a for a in self.anomalies if not a.bloquante]

    def section(self, code: str) -> AvancementSection:
        return next(s for s in self.sections if s.code == code)

    @property
    def repondues(self) -> int:
        return sum(s.repondues for s in self.sections)

    @property
    def a_repondre(self) -> int:
        return sum(s.pertinentes for s in self.sections)


def manquante(anomalie: Anomalie) -> bool:
    """Anomalie « réponse obligatoire manquante » (et non une réponse fausse)."""
    return anomalie.code_regle.endswith(".obligatoire")


def etat_saisie(
    questionnaire: Questionnaire, valeurs: Mapping[str, Any], precedentes: Mapping[str, Any] | None = None
) -> EtatSaisie:
    """État d'une réponse pour la variante ``questionnaire`` (déjà passée par ``pour_public``).

    Les derniers états calculés sont gardés dans le cache du questionnaire, par contenu des réponses
    (et de celles de l'an dernier) : l'état « avant » d'un enregistrement automatique est l'état
    « après » du précédent, il n'est pas recalculé. Le résultat se lit seulement (jamais modifié)."""
    cle = (repr(sorted(valeurs.items())), repr(sorted(precedentes.items())) if precedentes else "")
    etats = questionnaire._cache.setdefault("etats_saisie", {})
    etat_connu = etats.get(cle)
    if etat_connu is not None:
        return etat_connu
    if len(etats) >= ETATS_GARDES:
        etats.clear()
    etats[cle] = resultat = _etat_saisie(questionnaire, valeurs, precedentes)
    return resultat


def _etat_saisie(
    questionnaire: Questionnaire, valeurs: Mapping[str, Any], precedentes: Mapping[str, Any] | None
) -> EtatSaisie:
    p = plan(questionnaire)
    etat = p.etat(valeurs, precedentes)
    pertinentes = {code for code in p.codes if etat.pertinence.get(code) is not False}
    liste = p.anomalies_etat(etat)
    par_question: dict[str, list[Anomalie]] = {}
    for a in liste:
        for code in a.questions:
            par_question.setdefault(code, []).append(a)
    sections = []
    for section in questionnaire.sections:
        codes = {q.code for q in section.questions}
        a_saisir = [q.code for q in section.questions if q.saisie and q.code in pertinentes]
        concernees = [a for a in liste if codes.intersection(a.questions)]
        sections.append(
            AvancementSection(
                code=section.code,
                titre=section.titre,
                repondues=sum(1 for c in a_saisir if not vide(valeurs.get(c))),
                pertinentes=len(a_saisir),
                erreurs=sum(1 for a in concernees if a.bloquante and not manquante(a)),
                manquantes=sum(1 for a in concernees if manquante(a)),
                avertissements=sum(1 for a in concernees if not a.bloquante),
            )
        )
    calculs = {code: etat.valeurs.get(code) for code, _ in p.calculs}
    return EtatSaisie(questionnaire, pertinentes, calculs, liste, par_question, sections)


@dataclass(frozen=True, slots=True)
class Difference:
    code: str
    libelle: str
    avant: str
    apres: str


def differences(questionnaire: Questionnaire, avant: Mapping[str, Any], apres: Mapping[str, Any]) -> list[Difference]:
    """Réponses changées entre deux dépôts, dans l'ordre du questionnaire, valeurs mises en forme."""
    resultat = []
    connus = set()
    for q in questionnaire.questions():
        connus.add(q.code)
        a, b = avant.get(q.code), apres.get(q.code)
        if (None if vide(a) else a) == (None if vide(b) else b):
            continue
        libelles = questionnaire.libelles_choix(q.code) if q.liste else {}
        resultat.append(Difference(q.code, q.libelle, formater(q, a, libelles), formater(q, b, libelles)))
    for code in sorted((set(avant) | set(apres)) - connus):
        if avant.get(code) != apres.get(code):
            resultat.append(Difference(code, code, str(avant.get(code) or ""), str(apres.get(code) or "")))
    return resultat
