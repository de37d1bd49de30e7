"""Lecture et écriture des définitions de questionnaire : fichiers YAML lisibles et dictionnaires JSON.

- ``charger(chemin)`` / ``charger_texte(texte)`` lisent un fichier YAML de ``questionnaires/`` (le
  format est décrit dans ``docs/questionnaire.md``) avec ``yaml.SafeLoader`` (aucune construction
  d'objet Python) et refusent les clés en double. Par défaut la définition est ensuite validée :
  ``ErreurChargement`` liste toutes les erreurs en français.
- ``vers_dict(questionnaire)`` / ``depuis_dict(d)`` : forme JSON complète et explicite (ce que le
  côté Django stocke) ; ``depuis_dict(vers_dict(q)) == q``.
- ``vers_yaml(questionnaire)`` : forme YAML compacte (valeurs par défaut omises, choix en
  dictionnaire code → libellé), celle des fichiers du dépôt.

La liste ``departements`` (101 départements) n'est pas écrite dans les fichiers YAML : elle est
engendrée depuis ``core.territoires`` dès qu'une question l'utilise.
"""

import datetime
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from core.questionnaire.modele import (
    LISTE_DEPARTEMENTS,
    PUBLICS,
    Choix,
    Correspondance,
    Liste,
    Question,
    Questionnaire,
    Regle,
    Section,
    choix_departements,
    completer_listes,
    valider,
)

CLES_QUESTIONNAIRE = ("version", "campagne", "titre", "listes", "sections", "regles", "correspondances")
CLES_SECTION = ("code", "titre", "bloc", "description", "questions")
CLES_QUESTION = (
    "code",
    "libelle",
    "type",
    "unite",
    "obligatoire",
    "facultatif_pour",
    "publics",
    "liste",
    "identite",
    "groupe",
    "min",
    "max",
    "departements",
    "pertinence",
    "calcul",
    "contrainte",
    "message_contrainte",
    "aide",
)
CLES_REGLE = ("code", "gravite", "publics", "questions", "expression", "message")
CLES_CORRESPONDANCE = ("code", "ancien_code", "annee_depuis", "formule", "description")


class ErreurChargement(ValueError):
    """Définition illisible ou invalide : ``erreurs`` liste tous les problèmes, en français."""

    def __init__(self, erreurs: list[str]):
        self.erreurs = list(erreurs)
        super().__init__("Définition de questionnaire invalide :\n- " + "\n- ".join(self.erreurs))


# --------------------------------------------------------------------------- YAML


try:  # libyaml si présente, 10 fois plus rapide
    from yaml import CSafeLoader as _Chargeur
except ImportError:  # PyYAML sans libyaml
    from yaml import SafeLoader as _Chargeur  # type: ignore[assignment]


class _ChargeurStrict(_Chargeur):
    """SafeLoader qui refuse les clés en double (une faute de frappe ne doit pas écraser une question)."""


def _mapping_sans_doublon(chargeur, noeud: yaml.MappingNode, deep: bool = False):
    chargeur.flatten_mapping(noeud)
    vues: set = set()
    for noeud_cle, _ in noeud.value:
        cle = chargeur.construct_object(noeud_cle, deep=True)
        try:
            doublon = cle in vues
        except TypeError:
            doublon = False
        if doublon:
            raise yaml.constructor.ConstructorError(None, None, f"clé « {cle} » en double", noeud_cle.start_mark)
        try:
            vues.add(cle)
        except TypeError:
            pass
    return chargeur.construct_mapping(noeud, deep=deep)


_ChargeurStrict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_sans_doublon)


def charger_texte(texte: str, verifier: bool = True) -> Questionnaire:
    """Questionnaire décrit par un texte YAML ; lève ErreurChargement (toutes les erreurs, en français)."""
    try:
        donnees = yaml.load(texte, Loader=_ChargeurStrict)  # noqa: S506 - SafeLoader strict
    except yaml.YAMLError as exc:
        marque = getattr(exc, "problem_mark", None)
        ligne = f"ligne {marque.line + 1} : " if marque is not None else ""
        probleme = getattr(exc, "problem", None) or str(exc)
        raise ErreurChargement([f"YAML illisible, {ligne}{probleme}"]) from exc
    return depuis_dict(donnees, verifier=verifier)


def charger(chemin: str | Path, verifier: bool = True) -> Questionnaire:
    """Questionnaire d'un fichier YAML (ex. ``questionnaires/2026.yaml``)."""
    chemin = Path(chemin)
    try:
        texte = chemin.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ErreurChargement([f"fichier « {chemin} » illisible ({exc})"]) from exc
    try:
        return charger_texte(texte, verifier=verifier)
    except ErreurChargement as exc:
        raise ErreurChargement([f"{chemin.name} : {e}" for e in exc.erreurs]) from None


# --------------------------------------------------------------------------- dictionnaire → modèle


class _Lecteur:
    def __init__(self):
        self.erreurs: list[str] = []

    def erreur(self, lieu: str, message: str):
        self.erreurs.append(f"{lieu} : {message}" if lieu else message)

    def mapping(self, valeur: Any, lieu: str, cles: tuple[str, ...]) -> dict:
        if not isinstance(valeur, Mapping):
            self.erreur(lieu, "un dictionnaire (clé : valeur) est attendu")
            return {}
        for cle in valeur:
            if cle not in cles:
                self.erreur(lieu, f"clé « {cle} » inconnue (clés possibles : {', '.join(cles)})")
        return dict(valeur)

    def liste(self, valeur: Any, lieu: str) -> list:
        if valeur is None:
            return []
        if not isinstance(valeur, list | tuple):
            self.erreur(lieu, "une liste est attendue")
            return []
        return list(valeur)

    def texte(self, valeur: Any, lieu: str, facultatif: bool = False) -> str | None:
        if valeur is None:
            if not facultatif:
                self.erreur(lieu, "valeur manquante")
                return ""
            return None
        if isinstance(valeur, bool):
            self.erreur(lieu, f"texte attendu, pas « {valeur} » (mettez la valeur entre guillemets)")
            return str(valeur)
        if isinstance(valeur, int | float | Decimal):
            return _texte_nombre(valeur)
        if isinstance(valeur, datetime.date):
            return valeur.isoformat()
        if not isinstance(valeur, str):
            self.erreur(lieu, "texte attendu")
            return str(valeur)
        return valeur

    def booleen(self, valeur: Any, lieu: str) -> bool:
        if valeur is None:
            return False
        if not isinstance(valeur, bool):
            self.erreur(lieu, f"true ou false attendu, pas « {valeur} »")
            return False
        return valeur

    def entier(self, valeur: Any, lieu: str) -> int:
        if isinstance(valeur, bool) or valeur is None:
            self.erreur(lieu, "nombre entier attendu")
            return 0
        if isinstance(valeur, int):
            return valeur
        if isinstance(valeur, str) and valeur.strip().isdigit():
            return int(valeur.strip())
        self.erreur(lieu, f"nombre entier attendu, pas « {valeur} »")
        return 0

    def codes(self, valeur: Any, lieu: str, defaut: tuple[str, ...] = ()) -> tuple[str, ...]:
        if valeur is None:
            return defaut
        if isinstance(valeur, str):
            return tuple(valeur.replace(",", " ").split())
        if not isinstance(valeur, list | tuple):
            self.erreur(lieu, "liste de codes attendue")
            return defaut
        codes = []
        for v in valeur:
            if isinstance(v, bool) or not isinstance(v, str | int):
                self.erreur(lieu, f"code « {v} » invalide")
                continue
            codes.append(str(v).zfill(2) if isinstance(v, int) else v)
        return tuple(codes)


def _texte_nombre(valeur: int | float | Decimal) -> str:
    if isinstance(valeur, float) and valeur.is_integer():
        return str(int(valeur))
    return str(valeur)


def _choix(lecteur: _Lecteur, valeur: Any, lieu: str) -> tuple[Choix, ...]:
    choix: list[Choix] = []
    if isinstance(valeur, Mapping):
        for code, libelle in valeur.items():
            if isinstance(code, bool):
                lecteur.erreur(
                    lieu,
                    f"code de choix « {code} » lu comme un booléen : entourez-le de guillemets (ex. 'non', 'oui')",
                )
            choix.append(
                Choix(
                    lecteur.texte(code, lieu) or "",
                    lecteur.texte(libelle, f"{lieu}, choix « {code} »") or "",
                )
            )
        return tuple(choix)
    for i, element in enumerate(lecteur.liste(valeur, lieu), start=1):
        d = lecteur.mapping(element, f"{lieu}, choix n° {i}", ("code", "libelle"))
        choix.append(
            Choix(
                lecteur.texte(d.get("code"), f"{lieu}, choix n° {i}") or "",
                lecteur.texte(d.get("libelle"), lieu) or "",
            )
        )
    return tuple(choix)


def _listes(lecteur: _Lecteur, valeur: Any) -> tuple[Liste, ...]:
    if valeur is None:
        return ()
    if isinstance(valeur, Mapping):
        return tuple(Liste(str(nom), _choix(lecteur, choix, f"liste « {nom} »")) for nom, choix in valeur.items())
    listes = []
    for i, element in enumerate(lecteur.liste(valeur, "listes"), start=1):
        d = lecteur.mapping(element, f"listes, n° {i}", ("nom", "choix"))
        nom = lecteur.texte(d.get("nom"), f"listes, n° {i}, nom") or ""
        listes.append(Liste(nom, _choix(lecteur, d.get("choix"), f"liste « {nom} »")))
    return tuple(listes)


def _borne(valeur: Any) -> Any:
    if isinstance(valeur, datetime.datetime):
        return valeur.date().isoformat()
    if isinstance(valeur, datetime.date):
        return valeur.isoformat()
    if isinstance(valeur, float):
        return Decimal(repr(valeur))
    return valeur


def _question(lecteur: _Lecteur, valeur: Any, lieu: str) -> Question:
    d = lecteur.mapping(valeur, lieu, CLES_QUESTION)
    code = lecteur.texte(d.get("code"), f"{lieu}, code") or ""
    lieu = f"question {code}" if code else lieu
    texte = lecteur.texte
    return Question(
        code=code,
        libelle=texte(d.get("libelle"), f"{lieu}, libelle") or "",
        type=texte(d.get("type"), f"{lieu}, type") or "",
        unite=texte(d.get("unite"), f"{lieu}, unite", facultatif=True),
        obligatoire=lecteur.booleen(d.get("obligatoire"), f"{lieu}, obligatoire"),
        aide=texte(d.get("aide"), f"{lieu}, aide", facultatif=True) or "",
        liste=texte(d.get("liste"), f"{lieu}, liste", facultatif=True),
        publics=lecteur.codes(d.get("publics"), f"{lieu}, publics", PUBLICS),
        pertinence=texte(d.get("pertinence"), f"{lieu}, pertinence", facultatif=True),
        contrainte=texte(d.get("contrainte"), f"{lieu}, contrainte", facultatif=True),
        message_contrainte=texte(d.get("message_contrainte"), f"{lieu}, message_contrainte", facultatif=True),
        calcul=texte(d.get("calcul"), f"{lieu}, calcul", facultatif=True),
        min=_borne(d.get("min")),
        max=_borne(d.get("max")),
        identite=lecteur.booleen(d.get("identite"), f"{lieu}, identite"),
        groupe=texte(d.get("groupe"), f"{lieu}, groupe", facultatif=True),
        departements=lecteur.codes(d.get("departements"), f"{lieu}, departements"),
        facultatif_pour=lecteur.codes(d.get("facultatif_pour"), f"{lieu}, facultatif_pour"),
    )


def _section(lecteur: _Lecteur, valeur: Any, lieu: str) -> Section:
    d = lecteur.mapping(valeur, lieu, CLES_SECTION)
    code = lecteur.texte(d.get("code"), f"{lieu}, code") or ""
    lieu = f"section {code}" if code else lieu
    return Section(
        code=code,
        titre=lecteur.texte(d.get("titre"), f"{lieu}, titre") or "",
        bloc=lecteur.texte(d.get("bloc"), f"{lieu}, bloc", facultatif=True) or "noyau",
        questions=tuple(
            _question(lecteur, q, f"{lieu}, question n° {i}")
            for i, q in enumerate(lecteur.liste(d.get("questions"), f"{lieu}, questions"), start=1)
        ),
        description=lecteur.texte(d.get("description"), f"{lieu}, description", facultatif=True) or "",
    )


def _regle(lecteur: _Lecteur, valeur: Any, lieu: str) -> Regle:
    d = lecteur.mapping(valeur, lieu, CLES_REGLE)
    code = lecteur.texte(d.get("code"), f"{lieu}, code") or ""
    lieu = f"règle {code}" if code else lieu
    return Regle(
        code=code,
        expression=lecteur.texte(d.get("expression"), f"{lieu}, expression") or "",
        gravite=lecteur.texte(d.get("gravite"), f"{lieu}, gravite") or "",
        message=lecteur.texte(d.get("message"), f"{lieu}, message") or "",
        questions=lecteur.codes(d.get("questions"), f"{lieu}, questions"),
        publics=lecteur.codes(d.get("publics"), f"{lieu}, publics", PUBLICS),
    )


def _correspondance(lecteur: _Lecteur, valeur: Any, lieu: str) -> Correspondance:
    d = lecteur.mapping(valeur, lieu, CLES_CORRESPONDANCE)
    return Correspondance(
        code=lecteur.texte(d.get("code"), f"{lieu}, code") or "",
        ancien_code=lecteur.texte(d.get("ancien_code"), f"{lieu}, ancien_code") or "",
        annee_depuis=lecteur.entier(d.get("annee_depuis"), f"{lieu}, annee_depuis"),
        formule=lecteur.texte(d.get("formule"), f"{lieu}, formule", facultatif=True),
        description=lecteur.texte(d.get("description"), f"{lieu}, description", facultatif=True) or "",
    )


def depuis_dict(donnees: Any, verifier: bool = False) -> Questionnaire:
    """Questionnaire d'un dictionnaire (forme JSON de ``vers_dict`` ou forme YAML compacte).

    Lève ErreurChargement si la structure est illisible ; avec ``verifier=True``, aussi si
    ``valider`` trouve des erreurs."""
    lecteur = _Lecteur()
    d = lecteur.mapping(donnees, "", CLES_QUESTIONNAIRE)
    if lecteur.erreurs and not d:
        raise ErreurChargement(["la définition doit être un dictionnaire (version, campagne, titre, sections…)"])
    sections = tuple(
        _section(lecteur, s, f"section n° {i}") for i, s in enumerate(lecteur.liste(d.get("sections"), "sections"), 1)
    )
    questions = [q for s in sections for q in s.questions]
    questionnaire = Questionnaire(
        version=lecteur.texte(d.get("version"), "version") or "",
        campagne=lecteur.entier(d.get("campagne"), "campagne"),
        titre=lecteur.texte(d.get("titre"), "titre") or "",
        sections=sections,
        listes=completer_listes(_listes(lecteur, d.get("listes")), questions),
        regles=tuple(
            _regle(lecteur, r, f"règle n° {i}") for i, r in enumerate(lecteur.liste(d.get("regles"), "regles"), 1)
        ),
        correspondances=tuple(
            _correspondance(lecteur, c, f"correspondance n° {i}")
            for i, c in enumerate(lecteur.liste(d.get("correspondances"), "correspondances"), 1)
        ),
    )
    if lecteur.erreurs:
        raise ErreurChargement(lecteur.erreurs)
    if verifier:
        erreurs = valider(questionnaire)
        if erreurs:
            raise ErreurChargement([str(e) for e in erreurs])
    return questionnaire


# --------------------------------------------------------------------------- modèle → dictionnaire


def _json_borne(borne: Decimal | str | None) -> int | str | None:
    if isinstance(borne, Decimal):
        return int(borne) if borne == borne.to_integral_value() else str(borne)
    return borne


def _question_dict(q: Question) -> dict[str, Any]:
    return {
        "code": q.code,
        "libelle": q.libelle,
        "type": q.type,
        "unite": q.unite,
        "obligatoire": q.obligatoire,
        "facultatif_pour": list(q.facultatif_pour),
        "publics": list(q.publics),
        "liste": q.liste,
        "identite": q.identite,
        "groupe": q.groupe,
        "min": _json_borne(q.min),
        "max": _json_borne(q.max),
        "departements": list(q.departements),
        "pertinence": q.pertinence,
        "calcul": q.calcul,
        "contrainte": q.contrainte,
        "message_contrainte": q.message_contrainte,
        "aide": q.aide,
    }


def vers_dict(questionnaire: Questionnaire) -> dict[str, Any]:
    """Forme JSON complète (tous les champs, listes de choix comprises) ; ``depuis_dict`` la relit à l'identique."""
    q = questionnaire
    return {
        "version": q.version,
        "campagne": q.campagne,
        "titre": q.titre,
        "listes": [
            {"nom": li.nom, "choix": [{"code": c.code, "libelle": c.libelle} for c in li.choix]} for li in q.listes
        ],
        "sections": [
            {
                "code": s.code,
                "titre": s.titre,
                "bloc": s.bloc,
                "description": s.description,
                "questions": [_question_dict(question) for question in s.questions],
            }
            for s in q.sections
        ],
        "regles": [
            {
                "code": r.code,
                "gravite": r.gravite,
                "publics": list(r.publics),
                "questions": list(r.questions),
                "expression": r.expression,
                "message": r.message,
            }
            for r in q.regles
        ],
        "correspondances": [
            {
                "code": c.code,
                "ancien_code": c.ancien_code,
                "annee_depuis": c.annee_depuis,
                "formule": c.formule,
                "description": c.description,
            }
            for c in q.correspondances
        ],
    }


# --------------------------------------------------------------------------- modèle → YAML compact


class _Flux(list):
    """Liste écrite sur une ligne ([CS, EVS])."""


class _Ecrivain(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _representer_texte(dumper: yaml.SafeDumper, texte: str):
    # Textes longs en bloc replié (« >- ») : ni guillemets, ni échappements, lignes coupées aux espaces.
    if len(texte) > 80 and "\n" not in texte and texte == texte.strip() and "  " not in texte:
        return dumper.represent_scalar("tag:yaml.org,2002:str", texte, style=">")
    return dumper.represent_str(texte)


_Ecrivain.add_representer(str, _representer_texte)
_Ecrivain.add_representer(_Flux, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Ecrivain.add_representer(
    Decimal,
    lambda d, v: d.represent_int(int(v)) if v == v.to_integral_value() else d.represent_float(float(v)),
)


def _compact(d: dict[str, Any], defauts: dict[str, Any]) -> dict[str, Any]:
    resultat = {}
    for cle, valeur in d.items():
        if cle in defauts and valeur == defauts[cle]:
            continue
        if isinstance(valeur, list) and all(isinstance(v, str) for v in valeur):
            valeur = _Flux(valeur)
        resultat[cle] = valeur
    return resultat


_DEFAUTS_QUESTION = {
    "unite": None,
    "obligatoire": False,
    "facultatif_pour": [],
    "publics": list(PUBLICS),
    "liste": None,
    "identite": False,
    "groupe": None,
    "min": None,
    "max": None,
    "departements": [],
    "pertinence": None,
    "calcul": None,
    "contrainte": None,
    "message_contrainte": None,
    "aide": "",
}


def vers_yaml(questionnaire: Questionnaire, entete: str | None = None) -> str:
    """Forme YAML compacte et lisible (celle des fichiers ``questionnaires/*.yaml``)."""
    d = vers_dict(questionnaire)
    listes = {}
    for liste in questionnaire.listes:
        if liste.nom == LISTE_DEPARTEMENTS and liste.choix == choix_departements():
            continue
        listes[liste.nom] = {c.code: c.libelle for c in liste.choix}
    compact: dict[str, Any] = {"version": d["version"], "campagne": d["campagne"], "titre": d["titre"]}
    if listes:
        compact["listes"] = listes
    compact["sections"] = [
        _compact(
            {**s, "questions": [_compact(qd, _DEFAUTS_QUESTION) for qd in s["questions"]]},
            {"description": "", "bloc": "noyau"},
        )
        for s in d["sections"]
    ]
    if d["regles"]:
        compact["regles"] = [_compact(r, {"publics": list(PUBLICS), "questions": []}) for r in d["regles"]]
    if d["correspondances"]:
        compact["correspondances"] = [_compact(c, {"formule": None, "description": ""}) for c in d["correspondances"]]
    texte = yaml.dump(
        compact, Dumper=_Ecrivain, allow_unicode=True, sort_keys=False, width=110, default_flow_style=False
    )
    if entete:
        texte = "".join(f"# {ligne}".rstrip() + "\n" for ligne in entete.splitlines()) + "\n" + texte
    return texte
