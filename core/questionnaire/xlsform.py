"""Échange au format XLSForm (feuilles ``survey`` / ``choices`` / ``settings``).

``exporter(questionnaire, chemin)`` écrit un classeur que les outils XLSForm (ODK, KoboToolbox…)
savent lire ; des colonnes ``senacs_*`` (ignorées par ces outils) et deux feuilles
``senacs_regles`` et ``senacs_correspondances`` portent ce que XLSForm ne décrit pas, si bien que
``importer(exporter(q))`` redonne exactement ``q``.

``importer(chemin)`` accepte aussi un XLSForm écrit par un autre outil : les groupes deviennent des
sections (``name`` → code), un groupe dans un groupe devient un intitulé (question ``note``) suivi de
ses questions, les contraintes deviennent des contraintes de question (bloquantes), ``required``,
``relevant``, ``hint`` et ``calculation`` se traduisent directement. Tout le reste est refusé :
``ErreurXLSForm.erreurs`` liste **toutes** les erreurs, chacune avec la feuille, la ligne (celle du
tableur : l'en-tête est la ligne 1) et la colonne. La correspondance complète est dans
``docs/questionnaire.md``.
"""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from core.questionnaire.expressions import ErreurExpression
from core.questionnaire.expressions import analyser as analyser_expression
from core.questionnaire.modele import (
    BLOCS,
    GRAVITES,
    PUBLICS,
    TYPES,
    Choix,
    Correspondance,
    ErreurDefinition,
    Liste,
    Question,
    Questionnaire,
    Regle,
    Section,
    completer_listes,
    valider,
)
from core.territoires import departements_par_code

LISTE_OUI_NON = "senacs_oui_non"
CHOIX_OUI_NON = (Choix("oui", "Oui"), Choix("non", "Non"))

# Notre type → type XLSForm (les choix reçoivent le nom de la liste).
TYPES_XLSFORM: dict[str, str] = {
    "texte": "text",
    "texte_long": "text",
    "entier": "integer",
    "decimal": "decimal",
    "euros": "decimal",
    "pourcentage": "decimal",
    "oui_non": "select_one",
    "choix_unique": "select_one",
    "choix_multiple": "select_multiple",
    "date": "date",
    "email": "text",
    "url": "text",
    "note": "note",
    "calcul": "calculate",
}
# Type XLSForm → notre type, pour un formulaire sans colonne senacs_type.
TYPES_DEPUIS_XLSFORM: dict[str, str] = {
    "integer": "entier",
    "decimal": "decimal",
    "text": "texte",
    "date": "date",
    "select_one": "choix_unique",
    "select_multiple": "choix_multiple",
    "note": "note",
    "calculate": "calcul",
}
TYPES_ACCEPTES = (
    "integer, decimal, text, date, select_one LISTE, select_multiple LISTE, note, calculate, begin_group, end_group"
)
# Métadonnées ODK (pas des questions) : ignorées à l'import.
METADONNEES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "start-geopoint",
    }
)

COLONNES_SURVEY = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "appearance",
    "senacs_type",
    "senacs_unite",
    "senacs_publics",
    "senacs_facultatif_pour",
    "senacs_bloc",
    "senacs_identite",
    "senacs_departements",
    "senacs_min",
    "senacs_max",
)
COLONNES_REGLES = ("code", "gravite", "publics", "questions", "expression", "message")
COLONNES_CORRESPONDANCES = ("code", "ancien_code", "annee_depuis", "formule", "description")
# Synonymes de colonnes admis à l'import (en minuscules).
SYNONYMES = {
    "constraint_message": ("constraint_message", "constraint message", "jr:constraintmsg"),
    "list_name": ("list_name", "list name"),
    "begin_group": ("begin_group", "begin group"),
}
# Champ du modèle → colonne de la feuille survey (pour situer les erreurs de valider()).
COLONNE_DU_CHAMP = {
    "code": "name",
    "libelle": "label",
    "titre": "label",
    "type": "type",
    "unite": "senacs_unite",
    "obligatoire": "required",
    "aide": "hint",
    "description": "hint",
    "liste": "type",
    "groupe": "type",
    "publics": "senacs_publics",
    "pertinence": "relevant",
    "contrainte": "constraint",
    "message_contrainte": "constraint_message",
    "calcul": "calculation",
    "min": "senacs_min",
    "max": "senacs_max",
    "identite": "senacs_identite",
    "departements": "senacs_departements",
    "facultatif_pour": "senacs_facultatif_pour",
    "bloc": "senacs_bloc",
}
_VRAIS = {"yes", "true", "1", "oui", "vrai", "true()"}
_FAUX = {"no", "false", "0", "non", "faux", "false()", ""}


class ErreurXLSForm(ValueError):
    """Classeur refusé : ``erreurs`` liste toutes les erreurs (feuille, ligne, colonne), en français."""

    def __init__(self, erreurs: list[str]):
        self.erreurs = list(erreurs)
        super().__init__("XLSForm refusé :\n- " + "\n- ".join(self.erreurs))


# --------------------------------------------------------------------------- export


def exporter(questionnaire: Questionnaire, chemin: str | Path) -> Path:
    """Écrit le questionnaire au format XLSForm (XLSX) ; renvoie le chemin écrit."""
    import xlsxwriter

    chemin = Path(chemin)
    q = questionnaire
    classeur = xlsxwriter.Workbook(str(chemin))
    gras = classeur.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})

    def feuille(nom: str, colonnes: Sequence[str], lignes: list[Sequence[Any]], largeurs: dict[str, int]):
        f = classeur.add_worksheet(nom)
        for j, colonne in enumerate(colonnes):
            f.write_string(0, j, colonne, gras)
            f.set_column(j, j, largeurs.get(colonne, 14))
        for i, ligne in enumerate(lignes, start=1):
            for j, valeur in enumerate(ligne):
                if valeur not in (None, ""):
                    f.write_string(i, j, str(valeur))
        f.freeze_panes(1, 0)

    lignes: list[list[str]] = []

    def ligne(**valeurs: Any) -> list[str]:
        return [_cellule(valeurs.get(c)) for c in COLONNES_SURVEY]

    membres: dict[str, list[Question]] = {}
    for question in q.questions():
        if question.groupe:
            membres.setdefault(question.groupe, []).append(question)
    for section in q.sections:
        lignes.append(
            ligne(
                type="begin_group",
                name=section.code,
                label=section.titre,
                hint=section.description,
                senacs_bloc=section.bloc,
            )
        )
        groupe_ouvert = None
        for question in section.questions:
            if groupe_ouvert and question.groupe != groupe_ouvert:
                lignes.append(ligne(type="end_group"))
                groupe_ouvert = None
            if question.type == "note" and question.code in membres:
                entete = {**_colonnes_question(question), "type": "begin_group"}
                lignes.append(ligne(**entete, name=question.code, label=question.libelle))
                groupe_ouvert = question.code
                continue
            lignes.append(ligne(**_colonnes_question(question), name=question.code, label=question.libelle))
        if groupe_ouvert:
            lignes.append(ligne(type="end_group"))
        lignes.append(ligne(type="end_group"))
    feuille(
        "survey",
        COLONNES_SURVEY,
        lignes,
        {"type": 28, "name": 10, "label": 60, "hint": 60, "relevant": 30, "constraint": 30, "calculation": 30},
    )

    choix = [[li.nom, c.code, c.libelle] for li in q.listes for c in li.choix]
    if any(question.type == "oui_non" for question in q.questions()) and q.liste(LISTE_OUI_NON) is None:
        choix += [[LISTE_OUI_NON, c.code, c.libelle] for c in CHOIX_OUI_NON]
    feuille("choices", ("list_name", "name", "label"), choix, {"list_name": 24, "name": 22, "label": 60})
    feuille(
        "settings",
        ("form_title", "form_id", "version", "senacs_campagne"),
        [[q.titre, f"senacs_{q.version}", q.version, str(q.campagne)]],
        {"form_title": 50, "form_id": 20},
    )
    feuille(
        "senacs_regles",
        COLONNES_REGLES,
        [[r.code, r.gravite, " ".join(r.publics), " ".join(r.questions), r.expression, r.message] for r in q.regles],
        {"expression": 70, "message": 90, "questions": 24},
    )
    feuille(
        "senacs_correspondances",
        COLONNES_CORRESPONDANCES,
        [[c.code, c.ancien_code, str(c.annee_depuis), c.formule or "", c.description] for c in q.correspondances],
        {"formule": 40, "description": 90},
    )
    classeur.close()
    return chemin


def _colonnes_question(question: Question) -> dict[str, Any]:
    type_xlsform = TYPES_XLSFORM.get(question.type, question.type)
    if question.type == "oui_non":
        type_xlsform = f"select_one {LISTE_OUI_NON}"
    elif question.type in ("choix_unique", "choix_multiple"):
        type_xlsform = f"{type_xlsform} {question.liste or ''}".strip()
    return {
        "type": type_xlsform,
        "hint": question.aide,
        "required": "yes" if question.obligatoire else "",
        "relevant": question.pertinence,
        "constraint": question.contrainte,
        "constraint_message": question.message_contrainte,
        "calculation": question.calcul,
        "appearance": "multiline" if question.type == "texte_long" else "",
        "senacs_type": question.type,
        "senacs_unite": question.unite,
        "senacs_publics": " ".join(question.publics),
        "senacs_facultatif_pour": " ".join(question.facultatif_pour),
        "senacs_identite": "yes" if question.identite else "",
        "senacs_departements": " ".join(question.departements),
        "senacs_min": question.min,
        "senacs_max": question.max,
    }


def _cellule(valeur: Any) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, Decimal):
        return format(valeur, "f")
    return str(valeur)


# --------------------------------------------------------------------------- import


def _texte(cellule: Any) -> str:
    """Valeur d'une cellule lue par python-calamine, en texte."""
    if cellule is None:
        return ""
    if isinstance(cellule, bool):
        return "true" if cellule else "false"
    if isinstance(cellule, float):
        return str(int(cellule)) if cellule.is_integer() else repr(cellule)
    if isinstance(cellule, datetime.datetime):
        return cellule.date().isoformat() if cellule.time() == datetime.time() else cellule.isoformat()
    if isinstance(cellule, datetime.date):
        return cellule.isoformat()
    return str(cellule).strip()


@dataclass
class _Feuille:
    nom: str
    entetes: dict[str, int]  # nom de colonne normalisé → index
    libelles: dict[str, str]  # nom normalisé → en-tête tel qu'écrit
    lignes: list[tuple[int, list[str]]]  # (numéro de ligne du tableur, cellules)

    def colonne(self, nom: str) -> str:
        return self.libelles.get(nom, nom)

    def valeur(self, cellules: list[str], nom: str) -> str:
        j = self.entetes.get(nom)
        return cellules[j] if j is not None and j < len(cellules) else ""


def _nom_colonne(brut: str) -> str:
    return re.sub(r"\s+", " ", brut.strip().lower())


def _lire_feuille(nom: str, lignes_brutes: list[list[Any]], bases: Sequence[str]) -> _Feuille:
    lignes = [[_texte(c) for c in ligne] for ligne in lignes_brutes]
    debut = next((i for i, ligne in enumerate(lignes) if any(ligne)), None)
    if debut is None:
        return _Feuille(nom, {}, {}, [])
    entetes_brutes = lignes[debut]
    normalises = [_nom_colonne(e) for e in entetes_brutes]
    entetes: dict[str, int] = {}
    libelles: dict[str, str] = {}
    for base in bases:
        candidats = SYNONYMES.get(base, (base,))
        index = next((j for j, n in enumerate(normalises) if n in candidats), None)
        if index is None:
            # Colonnes traduites : label::French (fr), label::fr… (le français d'abord).
            traduites = [j for j, n in enumerate(normalises) if n.split("::")[0] in candidats and "::" in n]
            francaises = [
                j for j in traduites if re.search(r"\bfr\b|french|fran[cç]ais", normalises[j].split("::")[1])
            ]
            index = (francaises or traduites or [None])[0]
        if index is not None:
            entetes[base] = index
            libelles[base] = entetes_brutes[index]
    donnees = [(i + 1, ligne) for i, ligne in enumerate(lignes) if i > debut and any(ligne)]
    return _Feuille(nom, entetes, libelles, donnees)


@dataclass
class _Contexte:
    erreurs: list[str] = field(default_factory=list)
    signalees: set[tuple[str, str]] = field(default_factory=set)  # (code, champ) déjà signalés

    def erreur(self, feuille: _Feuille | str, ligne: int | None, colonne: str | None, message: str):
        nom = feuille.nom if isinstance(feuille, _Feuille) else feuille
        morceaux = [f"Feuille « {nom} »"]
        if ligne is not None:
            morceaux.append(f"ligne {ligne}")
        if colonne is not None:
            libelle = feuille.colonne(colonne) if isinstance(feuille, _Feuille) else colonne
            morceaux.append(f"colonne « {libelle} »")
        self.erreurs.append(f"{', '.join(morceaux)} : {message.rstrip('.')}.")


@dataclass
class _LigneQuestion:
    ligne: int
    question_args: dict[str, Any]
    expressions: dict[str, str]  # colonne → texte
    section: int  # index de la section


def importer(chemin: str | Path) -> Questionnaire:
    """Lit un XLSForm (XLSX, XLS ou ODS) ; lève ErreurXLSForm avec toutes les erreurs trouvées."""
    from core import tableur

    chemin = Path(chemin)
    extension = chemin.suffix.lower().lstrip(".")
    try:
        # Lecture mesurée (classeur démesuré refusé avant d'être lu), la même que pour les dépôts.
        classeur = tableur.lire_feuilles(chemin.read_bytes(), extension if extension in ("xls", "ods") else "xlsx")
        feuilles = {nom.strip().lower(): nom for nom in classeur}

        def lire(nom: str, bases: Sequence[str]) -> _Feuille | None:
            vrai_nom = feuilles.get(nom)
            if vrai_nom is None:
                return None
            return _lire_feuille(vrai_nom, classeur[vrai_nom], bases)

        survey = lire("survey", COLONNES_SURVEY + ("choice_filter", "repeat_count"))
        choices = lire("choices", ("list_name", "name", "label"))
        settings = lire("settings", ("form_title", "form_id", "version", "senacs_campagne"))
        regles = lire("senacs_regles", COLONNES_REGLES)
        correspondances = lire("senacs_correspondances", COLONNES_CORRESPONDANCES)
    except ErreurXLSForm:
        raise
    except tableur.FichierIllisible as exc:
        raise ErreurXLSForm([f"Le fichier « {chemin.name} » n'est pas un classeur lisible : {exc}"]) from exc
    except OSError as exc:
        raise ErreurXLSForm([f"Le fichier « {chemin.name} » ne peut pas être lu ({exc.strerror or exc})."]) from exc
    return _construire(survey, choices, settings, regles, correspondances)


def _construire(
    survey: _Feuille | None,
    choices: _Feuille | None,
    settings: _Feuille | None,
    feuille_regles: _Feuille | None,
    feuille_correspondances: _Feuille | None,
) -> Questionnaire:
    ctx = _Contexte()
    if survey is None:
        raise ErreurXLSForm(["Feuille « survey » absente : c'est elle qui décrit les questions."])
    for colonne in ("type", "name"):
        if colonne not in survey.entetes:
            ctx.erreur(survey, 1, None, f"colonne « {colonne} » absente")
    if "label" not in survey.entetes:
        ctx.erreur(survey, 1, None, "colonne « label » absente (ou « label::French (fr) »)")
    if ctx.erreurs:
        raise ErreurXLSForm(ctx.erreurs)

    # -- choix
    listes: dict[str, list[Choix]] = {}
    ligne_liste: dict[str, int] = {}
    if choices is not None:
        for colonne in ("list_name", "name", "label"):
            if colonne not in choices.entetes:
                ctx.erreur(choices, 1, None, f"colonne « {colonne} » absente")
        vus: dict[tuple[str, str], int] = {}
        for numero, cellules in choices.lignes:
            nom_liste = choices.valeur(cellules, "list_name")
            code = choices.valeur(cellules, "name")
            libelle = choices.valeur(cellules, "label")
            if not nom_liste:
                ctx.erreur(choices, numero, "list_name", "nom de liste manquant")
                continue
            if not code:
                ctx.erreur(choices, numero, "name", f"code de choix manquant dans la liste « {nom_liste} »")
                continue
            if (nom_liste, code) in vus:
                ctx.erreur(
                    choices,
                    numero,
                    "name",
                    f"le choix « {code} » figure déjà dans la liste « {nom_liste} » (ligne {vus[(nom_liste, code)]})",
                )
                continue
            vus[(nom_liste, code)] = numero
            if not libelle:
                ctx.erreur(choices, numero, "label", f"le choix « {code} » n'a pas de libellé")
            listes.setdefault(nom_liste, []).append(Choix(code, libelle))
            ligne_liste.setdefault(nom_liste, numero)

    # -- réglages
    titre, version, campagne = "", "", 0
    if settings is None:
        ctx.erreur(
            "settings", None, None, "feuille absente : elle doit donner form_title et version (année de campagne)"
        )
    elif not settings.lignes:
        ctx.erreur(settings, 2, None, "aucune ligne de réglages (form_title, version)")
    else:
        numero, cellules = settings.lignes[0]
        titre = settings.valeur(cellules, "form_title")
        version = settings.valeur(cellules, "version")
        texte_campagne = settings.valeur(cellules, "senacs_campagne")
        if not titre:
            ctx.erreur(settings, numero, "form_title", "titre du questionnaire manquant")
        if not version:
            ctx.erreur(settings, numero, "version", "version manquante (ex. 2026)")
        if texte_campagne:
            if texte_campagne.isdigit():
                campagne = int(texte_campagne)
            else:
                ctx.erreur(settings, numero, "senacs_campagne", f"année « {texte_campagne} » invalide (ex. 2026)")
        elif version:
            annee = re.match(r"^((?:19|20)\d{2})", version)
            if annee:
                campagne = int(annee.group(1))
            else:
                ctx.erreur(
                    settings,
                    numero,
                    "version",
                    f"impossible de lire l'année de campagne dans la version « {version} » : "
                    "commencez-la par l'année (ex. 2026) ou ajoutez une colonne senacs_campagne",
                )

    if any(e.startswith("Feuille « settings »") for e in ctx.erreurs):
        ctx.signalees.update({("", "version"), ("", "campagne"), ("", "titre")})

    # -- questions (premier passage : structure, types, noms)
    sections: list[dict[str, Any]] = []
    questions: list[_LigneQuestion] = []
    noms: dict[str, int] = {}
    ligne_section: dict[str, int] = {}
    pile: list[dict[str, Any]] = []  # groupes ouverts : {"nom", "ligne", "niveau", "pertinence"}
    lignes_hors_groupe = 0
    conditions_de_groupe: list[tuple[int, str, int]] = []  # (ligne, condition, section)

    def section_courante(numero: int) -> int:
        nonlocal lignes_hors_groupe
        if pile:
            return pile[0]["section"]
        # Questions hors de tout groupe : une section implicite par suite de questions.
        if not sections or not sections[-1].get("implicite") or sections[-1].get("fermee"):
            lignes_hors_groupe += 1
            code = "questions" if lignes_hors_groupe == 1 else f"questions_{lignes_hors_groupe}"
            sections.append(
                {"code": code, "titre": titre or "Questions", "bloc": "noyau", "description": "", "implicite": True}
            )
            ligne_section[code] = numero
        return len(sections) - 1

    def declarer_nom(nom: str, numero: int) -> bool:
        if not nom:
            ctx.erreur(survey, numero, "name", "nom (name) manquant")
            return False
        if nom in noms:
            ctx.erreur(survey, numero, "name", f"le nom « {nom} » est déjà utilisé ligne {noms[nom]}")
            return False
        noms[nom] = numero
        return True

    for numero, cellules in survey.lignes:
        valeur = lambda colonne, c=cellules: survey.valeur(c, colonne)  # noqa: E731
        type_brut = re.sub(r"\s+", " ", valeur("type").strip())
        type_min = type_brut.lower()
        nom = valeur("name")
        if not type_brut:
            if any(cellules):
                ctx.erreur(survey, numero, "type", "type manquant")
            continue
        if type_min in METADONNEES:
            continue
        if type_min in ("begin_group", "begin group"):
            if sections and sections[-1].get("implicite"):
                sections[-1]["fermee"] = True
            if not declarer_nom(nom, numero):
                nom = nom or f"groupe_ligne_{numero}"
            if len(pile) >= 2:
                ctx.erreur(survey, numero, "type", "groupes imbriqués sur plus de deux niveaux non pris en charge")
            pertinence = valeur("relevant") or None
            if not pile:
                bloc = valeur("senacs_bloc") or "noyau"
                if bloc not in BLOCS:
                    ctx.erreur(
                        survey,
                        numero,
                        "senacs_bloc",
                        f"bloc « {bloc} » inconnu (blocs possibles : {', '.join(BLOCS)})",
                    )
                    bloc = "noyau"
                sections.append({"code": nom, "titre": valeur("label"), "bloc": bloc, "description": valeur("hint")})
                ligne_section[nom] = numero
                if not valeur("label"):
                    ctx.erreur(survey, numero, "label", f"le groupe « {nom} » n'a pas de libellé")
                pile.append({"nom": nom, "ligne": numero, "section": len(sections) - 1, "pertinence": pertinence})
                if pertinence:
                    conditions_de_groupe.append((numero, pertinence, len(sections) - 1))
            else:
                # Groupe dans une section : un intitulé (note) suivi de ses questions.
                args = _arguments_question(ctx, survey, numero, valeur, "note", nom)
                args["pertinence"] = _et(pile[0]["pertinence"], pertinence)
                questions.append(_LigneQuestion(numero, args, {"relevant": pertinence or ""}, pile[0]["section"]))
                pile.append({"nom": nom, "ligne": numero, "section": pile[0]["section"], "pertinence": None})
            continue
        if type_min in ("end_group", "end group"):
            if not pile:
                ctx.erreur(survey, numero, "type", "« end_group » sans « begin_group » correspondant")
            else:
                pile.pop()
            continue
        if type_min.startswith(("begin_repeat", "begin repeat", "end_repeat", "end repeat")):
            ctx.erreur(
                survey,
                numero,
                "type",
                f"type « {type_brut} » non pris en charge (répétitions exclues ; types acceptés : {TYPES_ACCEPTES})",
            )
            if nom:
                declarer_nom(nom, numero)
            continue
        mots = type_brut.split(" ")
        base = mots[0].lower()
        liste = None
        if base in ("select_one", "select_multiple"):
            if len(mots) != 2:
                ctx.erreur(
                    survey,
                    numero,
                    "type",
                    f"« {type_brut} » : indiquez une seule liste de choix après {base} (ex. « {base} oui_non »)",
                )
                declarer_nom(nom, numero)
                continue
            liste = mots[1]
        elif base not in TYPES_DEPUIS_XLSFORM or len(mots) != 1:
            ctx.erreur(
                survey, numero, "type", f"type « {type_brut} » non pris en charge (types acceptés : {TYPES_ACCEPTES})"
            )
            declarer_nom(nom, numero)
            continue
        if valeur("choice_filter"):
            ctx.erreur(
                survey, numero, "choice_filter", "le filtrage des choix (choice_filter) n'est pas pris en charge"
            )
        if valeur("repeat_count"):
            ctx.erreur(survey, numero, "repeat_count", "les répétitions ne sont pas prises en charge")
        if not declarer_nom(nom, numero):
            continue
        notre_type = TYPES_DEPUIS_XLSFORM[base]
        senacs_type = valeur("senacs_type")
        if senacs_type:
            if senacs_type not in TYPES:
                ctx.erreur(
                    survey,
                    numero,
                    "senacs_type",
                    f"type « {senacs_type} » inconnu (types possibles : {', '.join(TYPES)})",
                )
            elif TYPES_XLSFORM[senacs_type] != base:
                ctx.erreur(
                    survey,
                    numero,
                    "senacs_type",
                    f"le type « {senacs_type} » ne correspond pas au type XLSForm « {base} » "
                    f"(attendu : {TYPES_XLSFORM[senacs_type]})",
                )
            else:
                notre_type = senacs_type
        elif notre_type == "texte" and "multiline" in valeur("appearance").lower():
            notre_type = "texte_long"
        if liste is not None and notre_type != "oui_non" and liste not in listes:
            ctx.signalees.add((nom, "liste"))
            ctx.erreur(
                survey,
                numero,
                "type",
                f"la liste de choix « {liste} » est absente de la feuille « choices »"
                if choices is not None
                else f"la liste de choix « {liste} » est introuvable : la feuille « choices » est absente",
            )
        args = _arguments_question(ctx, survey, numero, valeur, notre_type, nom)
        args["liste"] = None if notre_type == "oui_non" else liste
        section_index = section_courante(numero)
        if pile:
            args["pertinence"] = _et(pile[0]["pertinence"], args["pertinence"])
            if len(pile) == 2:
                args["groupe"] = pile[1]["nom"]
        expressions = {c: valeur(c) for c in ("relevant", "constraint", "calculation") if valeur(c)}
        questions.append(_LigneQuestion(numero, args, expressions, section_index))
    for groupe in pile:
        ctx.erreur(
            survey,
            groupe["ligne"],
            "type",
            f"le groupe « {groupe['nom']} » n'est jamais fermé (« end_group » manquant)",
        )

    # -- expressions (second passage : tous les noms sont connus)
    connus = set(noms)
    for lq in questions:
        code = lq.question_args["code"]
        for colonne, texte in lq.expressions.items():
            if texte and _verifier_expression(ctx, survey, lq.ligne, colonne, texte, connus):
                ctx.signalees.add(
                    (code, {"relevant": "pertinence", "constraint": "contrainte", "calculation": "calcul"}[colonne])
                )

    for numero, texte, index in conditions_de_groupe:
        if _verifier_expression(ctx, survey, numero, "relevant", texte, connus):
            ctx.signalees.update((lq.question_args["code"], "pertinence") for lq in questions if lq.section == index)

    # -- règles et correspondances
    regles, ligne_regle = _lire_regles(ctx, feuille_regles, connus)
    correspondances = _lire_correspondances(ctx, feuille_correspondances, connus)

    # -- assemblage
    objets_sections = []
    for i, s in enumerate(sections):
        objets_sections.append(
            Section(
                code=s["code"],
                titre=s["titre"],
                bloc=s["bloc"],
                questions=tuple(Question(**lq.question_args) for lq in questions if lq.section == i),
                description=s["description"],
            )
        )
    objets_listes = [
        Liste(nom, tuple(choix))
        for nom, choix in listes.items()
        if not (nom == LISTE_OUI_NON and not any(lq.question_args.get("liste") == nom for lq in questions))
    ]
    toutes = [question for s in objets_sections for question in s.questions]
    questionnaire = Questionnaire(
        version=version,
        campagne=campagne,
        titre=titre,
        sections=tuple(objets_sections),
        listes=completer_listes(objets_listes, toutes),
        regles=tuple(regles),
        correspondances=tuple(correspondances),
    )

    # -- validation complète, erreurs situées dans le classeur
    ligne_question = {lq.question_args["code"]: lq.ligne for lq in questions}
    for erreur in valider(questionnaire):
        _situer(ctx, erreur, survey, choices, feuille_regles, ligne_question, ligne_section, ligne_liste, ligne_regle)
    if ctx.erreurs:
        raise ErreurXLSForm(ctx.erreurs)
    return questionnaire


def _et(a: str | None, b: str | None) -> str | None:
    if a and b:
        return f"({a}) and ({b})"
    return a or b or None


def _arguments_question(ctx: _Contexte, survey: _Feuille, numero: int, valeur, notre_type: str, nom: str) -> dict:
    return {
        "code": nom,
        "libelle": valeur("label"),
        "type": notre_type,
        "unite": valeur("senacs_unite") or None,
        "obligatoire": _oui_non(ctx, survey, numero, "required", valeur("required")),
        "aide": valeur("hint"),
        "publics": _codes(ctx, survey, numero, "senacs_publics", valeur("senacs_publics"), PUBLICS) or PUBLICS,
        "pertinence": valeur("relevant") or None,
        "contrainte": valeur("constraint") or None,
        "message_contrainte": valeur("constraint_message") or None,
        "calcul": valeur("calculation") or None,
        "min": _borne(ctx, survey, numero, "senacs_min", valeur("senacs_min"), notre_type),
        "max": _borne(ctx, survey, numero, "senacs_max", valeur("senacs_max"), notre_type),
        "identite": _oui_non(ctx, survey, numero, "senacs_identite", valeur("senacs_identite")),
        "departements": _codes(
            ctx, survey, numero, "senacs_departements", valeur("senacs_departements"), tuple(departements_par_code())
        ),
        "facultatif_pour": _codes(
            ctx, survey, numero, "senacs_facultatif_pour", valeur("senacs_facultatif_pour"), PUBLICS
        ),
    }


def _oui_non(ctx: _Contexte, feuille: _Feuille, numero: int, colonne: str, texte: str) -> bool:
    t = texte.strip().lower()
    if t in _VRAIS:
        return True
    if t not in _FAUX:
        ctx.erreur(feuille, numero, colonne, f"valeur « {texte} » non reconnue (yes ou no attendu)")
    return False


def _codes(
    ctx: _Contexte, feuille: _Feuille, numero: int, colonne: str, texte: str, possibles: Sequence[str]
) -> tuple[str, ...]:
    codes = tuple(texte.replace(",", " ").split())
    for code in codes:
        if code not in possibles:
            apercu = ", ".join(possibles) if len(possibles) <= 5 else "codes INSEE des départements"
            ctx.erreur(feuille, numero, colonne, f"« {code} » inconnu (valeurs possibles : {apercu})")
    return tuple(c for c in codes if c in possibles)


def _borne(ctx: _Contexte, feuille: _Feuille, numero: int, colonne: str, texte: str, notre_type: str):
    if not texte:
        return None
    if notre_type == "date":
        try:
            datetime.date.fromisoformat(texte[:10])
        except ValueError:
            ctx.erreur(feuille, numero, colonne, f"date « {texte} » invalide (format AAAA-MM-JJ attendu)")
            return None
        return texte[:10]
    try:
        return Decimal(texte.replace(",", "."))
    except InvalidOperation:
        ctx.erreur(feuille, numero, colonne, f"nombre « {texte} » invalide")
        return None


def _verifier_expression(
    ctx: _Contexte, feuille: _Feuille, numero: int, colonne: str, texte: str, connus: set[str]
) -> bool:
    """Signale une expression illisible ou une référence inconnue ; vrai si une erreur a été signalée."""
    try:
        expression = analyser_expression(texte)
    except ErreurExpression as exc:
        ctx.erreur(feuille, numero, colonne, f"expression « {texte} » invalide : {exc}")
        return True
    inconnues = sorted(expression.references() - connus)
    for code in inconnues:
        ctx.erreur(feuille, numero, colonne, f"référence inconnue ${{{code}}} (aucune question ne porte ce nom)")
    return bool(inconnues)


def _lire_regles(ctx: _Contexte, feuille: _Feuille | None, connus: set[str]) -> tuple[list[Regle], dict[str, int]]:
    regles: list[Regle] = []
    lignes: dict[str, int] = {}
    if feuille is None:
        return regles, lignes
    for colonne in ("code", "gravite", "expression", "message"):
        if colonne not in feuille.entetes:
            ctx.erreur(feuille, 1, None, f"colonne « {colonne} » absente")
    for numero, cellules in feuille.lignes:
        valeur = lambda colonne, c=cellules: feuille.valeur(c, colonne)  # noqa: E731
        code = valeur("code")
        if not code:
            ctx.erreur(feuille, numero, "code", "code de règle manquant")
            continue
        if code in lignes:
            ctx.erreur(feuille, numero, "code", f"la règle « {code} » est déjà définie ligne {lignes[code]}")
            continue
        lignes[code] = numero
        gravite = valeur("gravite")
        if gravite not in GRAVITES:
            ctx.erreur(feuille, numero, "gravite", f"gravité « {gravite} » inconnue (bloquant ou avertissement)")
            ctx.signalees.add((code, "gravite"))
        if valeur("expression") and _verifier_expression(
            ctx, feuille, numero, "expression", valeur("expression"), connus
        ):
            ctx.signalees.add((code, "expression"))
        questions = tuple(valeur("questions").replace(",", " ").split())
        for q in questions:
            if q not in connus:
                ctx.erreur(feuille, numero, "questions", f"question « {q} » inconnue")
                ctx.signalees.add((code, "questions"))
        regles.append(
            Regle(
                code=code,
                expression=valeur("expression"),
                gravite=gravite,
                message=valeur("message"),
                questions=questions,
                publics=_codes(ctx, feuille, numero, "publics", valeur("publics"), PUBLICS) or PUBLICS,
            )
        )
    return regles, lignes


def _lire_correspondances(ctx: _Contexte, feuille: _Feuille | None, connus: set[str]) -> list[Correspondance]:
    resultat: list[Correspondance] = []
    if feuille is None:
        return resultat
    for numero, cellules in feuille.lignes:
        valeur = lambda colonne, c=cellules: feuille.valeur(c, colonne)  # noqa: E731
        annee = valeur("annee_depuis")
        if not annee.isdigit():
            ctx.erreur(feuille, numero, "annee_depuis", f"année « {annee} » invalide (ex. 2023)")
        if valeur("code") not in connus:
            ctx.erreur(feuille, numero, "code", f"question « {valeur('code')} » inconnue")
        formule = valeur("formule") or None
        if formule:
            _verifier_expression(ctx, feuille, numero, "formule", formule, connus)
        resultat.append(
            Correspondance(
                code=valeur("code"),
                ancien_code=valeur("ancien_code"),
                annee_depuis=int(annee) if annee.isdigit() else 0,
                formule=formule,
                description=valeur("description"),
            )
        )
    return resultat


def _situer(
    ctx: _Contexte,
    erreur: ErreurDefinition,
    survey: _Feuille,
    choices: _Feuille | None,
    feuille_regles: _Feuille | None,
    ligne_question: dict[str, int],
    ligne_section: dict[str, int],
    ligne_liste: dict[str, int],
    ligne_regle: dict[str, int],
):
    """Ajoute une erreur de valider() avec sa feuille, sa ligne et sa colonne (sauf si déjà signalée)."""
    if erreur.question is not None and (erreur.question, erreur.champ) in ctx.signalees:
        return
    if erreur.regle is not None and (erreur.regle, erreur.champ) in ctx.signalees:
        return
    if erreur.question is None and erreur.regle is None and ("", erreur.champ) in ctx.signalees:
        return
    if erreur.question is not None and erreur.champ != "correspondances":
        colonne = COLONNE_DU_CHAMP.get(erreur.champ or "", None)
        ctx.erreur(survey, ligne_question.get(erreur.question), colonne, f"{erreur.question} : {erreur.message}")
    elif erreur.question is not None:
        ctx.erreur("senacs_correspondances", None, None, f"{erreur.question} : {erreur.message}")
    elif erreur.regle is not None:
        nom = feuille_regles if feuille_regles is not None else "senacs_regles"
        ctx.erreur(nom, ligne_regle.get(erreur.regle), erreur.champ, f"règle {erreur.regle} : {erreur.message}")
    elif erreur.liste is not None:
        ctx.erreur(
            choices or "choices",
            ligne_liste.get(erreur.liste),
            "list_name",
            f"liste « {erreur.liste} » : {erreur.message}",
        )
    elif erreur.section is not None:
        colonne = COLONNE_DU_CHAMP.get(erreur.champ or "", None)
        ctx.erreur(
            survey, ligne_section.get(erreur.section), colonne, f"groupe « {erreur.section} » : {erreur.message}"
        )
    else:
        feuille = "settings" if erreur.champ in ("version", "campagne", "titre") else "survey"
        ctx.erreur(feuille, None, None, erreur.message)
