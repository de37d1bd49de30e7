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
    Question,
    Questionnaire,
    Regle,
)
from core.questionnaire.odk import (
    CHOIX_PUBLICS,
    LISTE_PUBLICS,
    QUESTION_PUBLIC,
    ExpressionIntraduisible,
    colonnes_odk,
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
    "senacs_relevant",
    "senacs_required",
    "senacs_constraint",
    "senacs_constraint_message",
    "senacs_calculation",
)
# Colonnes que l'export écrit pour ODK (traduites) et, quand la traduction diffère, en original dans
# senacs_<colonne> ; « (aucun) » y note un original vide.
COLONNES_EXPRESSIONS = ("relevant", "required", "constraint", "constraint_message", "calculation")
AUCUN = "(aucun)"
COLONNES_REGLES = ("code", "gravite", "publics", "questions", "expression", "message")
COLONNES_CORRESPONDANCES = ("code", "ancien_code", "annee_depuis", "formule", "description")
# Synonymes de colonnes admis à l'import (en minuscules).
SYNONYMES = {
    "constraint_message": ("constraint_message", "constraint message", "jr:constraintmsg"),
    "relevant": ("relevant", "relevance"),
    "calculation": ("calculation", "calculate"),
    "required": ("required",),
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
    types = {question.code: question.type for question in q.questions()}
    departement = next((question.code for question in q.questions() if question.liste == "departements"), None)
    erreurs: list[str] = []

    def colonnes(question: Question) -> dict[str, Any]:
        try:
            return _colonnes_question(question, types, departement)
        except ExpressionIntraduisible as exc:
            erreurs.append(f"Question {question.code} : {exc}.")
            return {}

    variantes = any(set(question.publics) != set(PUBLICS) or question.facultatif_pour for question in q.questions())
    if variantes:  # ODK pose d'abord la question qui choisit la variante CS / EVS
        lignes.append(
            ligne(
                type=f"select_one {LISTE_PUBLICS}",
                name=QUESTION_PUBLIC,
                label="Type de structure",
                hint="Choisit les questions posées (variante des centres sociaux ou des espaces de vie sociale).",
                required="yes",
            )
        )
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
                entete = {**colonnes(question), "type": "begin_group"}
                lignes.append(ligne(**entete, name=question.code, label=question.libelle))
                groupe_ouvert = question.code
                continue
            lignes.append(ligne(**colonnes(question), name=question.code, label=question.libelle))
        if groupe_ouvert:
            lignes.append(ligne(type="end_group"))
        lignes.append(ligne(type="end_group"))
    if erreurs:
        classeur.close()
        chemin.unlink(missing_ok=True)
        raise ErreurXLSForm(erreurs)
    feuille(
        "survey",
        COLONNES_SURVEY,
        lignes,
        {"type": 28, "name": 10, "label": 60, "hint": 60, "relevant": 30, "constraint": 30, "calculation": 30},
    )

    choix = [[li.nom, c.code, c.libelle] for li in q.listes for c in li.choix]
    if any(question.type == "oui_non" for question in q.questions()) and q.liste(LISTE_OUI_NON) is None:
        choix += [[LISTE_OUI_NON, c.code, c.libelle] for c in CHOIX_OUI_NON]
    if variantes:
        choix += [[LISTE_PUBLICS, code, libelle] for code, libelle in CHOIX_PUBLICS]
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


def _colonnes_question(question: Question, types: dict[str, str], departement: str | None) -> dict[str, Any]:
    """Colonnes d'une question : celles qu'ODK lit (traduites, voir ``core.questionnaire.odk``) et,
    quand la traduction diffère de l'original SENACS, l'original dans ``senacs_<colonne>``."""
    type_xlsform = TYPES_XLSFORM.get(question.type, question.type)
    if question.type == "oui_non":
        type_xlsform = f"select_one {LISTE_OUI_NON}"
    elif question.type in ("choix_unique", "choix_multiple"):
        type_xlsform = f"{type_xlsform} {question.liste or ''}".strip()
    odk = colonnes_odk(question, types, departement)
    originaux = {
        "relevant": question.pertinence or "",
        "required": "yes" if question.obligatoire else "",
        "constraint": question.contrainte or "",
        "constraint_message": question.message_contrainte or "",
        "calculation": question.calcul or "",
    }
    extension = {
        f"senacs_{colonne}": (originaux[colonne] or (AUCUN if colonne != "required" else "no"))
        for colonne in COLONNES_EXPRESSIONS
        if odk[colonne] != originaux[colonne]
    }
    return {
        "type": type_xlsform,
        "hint": question.aide,
        **odk,
        **extension,
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


def importer(chemin: str | Path, campagne: int | None = None) -> Questionnaire:
    """Lit un XLSForm avec pyxform (voir ``core.questionnaire.xlsform_lecture``) ; lève ErreurXLSForm."""
    from core.questionnaire.xlsform_lecture import importer as importer_avec_pyxform

    return importer_avec_pyxform(chemin, campagne)


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
        "obligatoire": False,  # lu par l'appelant (yes/no, ou senacs_required)
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


# --------------------------------------------------------------------------- description (simulation)


def decrire(questionnaire: Questionnaire) -> list[str]:
    """Ce qu'un import créerait, ligne par ligne, en français : sections (bloc, questions avec type,
    obligation, condition, contrainte, calcul), listes de choix et règles de cohérence."""
    q = questionnaire
    lignes = [f"Sections ({len(q.sections)}) :"]
    for section in q.sections:
        n = len(section.questions)
        lignes.append(
            f"  - {section.code} « {section.titre} » ({BLOCS.get(section.bloc, section.bloc).lower()}), "
            f"{n} question{'s' if n > 1 else ''} :"
        )
        for question in section.questions:
            details = [TYPES.get(question.type, question.type).lower()]
            if question.liste:
                details[0] += f" (liste « {question.liste} »)"
            if question.unite:
                details.append(f"en {question.unite}")
            if question.obligatoire:
                details.append(
                    "obligatoire"
                    + (f" sauf {', '.join(question.facultatif_pour)}" if question.facultatif_pour else "")
                )
            if tuple(question.publics) != PUBLICS:
                details.append(f"posée aux {' et '.join(question.publics)}")
            if question.departements:
                details.append(f"locale : départements {', '.join(question.departements)}")
            if question.groupe:
                details.append(f"dans le groupe {question.groupe}")
            if question.pertinence:
                details.append(f"affichée si {question.pertinence}")
            if question.contrainte:
                details.append(f"contrainte {question.contrainte}")
            if question.min is not None or question.max is not None:
                details.append(f"bornes {_cellule(question.min) or '…'} à {_cellule(question.max) or '…'}")
            if question.calcul:
                details.append(f"calcul {question.calcul}")
            lignes.append(f"      {question.code} — {question.libelle} ({' ; '.join(details)})")
    lignes.append(f"Listes de choix ({len(q.listes)}) :")
    for liste in q.listes:
        apercu = ", ".join(f"{c.code} ({c.libelle})" for c in liste.choix[:8])
        reste = len(liste.choix) - 8
        lignes.append(f"  - {liste.nom} : {apercu}" + (f", et {reste} autres" if reste > 0 else ""))
    lignes.append(f"Règles de cohérence ({len(q.regles)}) :" + ("" if q.regles else " aucune"))
    for regle in q.regles:
        lignes.append(f"  - {regle.code} ({regle.gravite}) : {regle.expression}")
    if q.correspondances:
        lignes.append(f"Correspondances avec les années passées ({len(q.correspondances)}) :")
        for c in q.correspondances:
            lignes.append(f"  - {c.code} ← {c.ancien_code} depuis {c.annee_depuis}")
    return lignes
