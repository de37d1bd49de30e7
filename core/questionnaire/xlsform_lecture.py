"""Lecture d'un XLSForm avec pyxform, le lecteur de référence de la communauté XLSForm.

pyxform lit le classeur (feuilles et en-têtes sans distinction de casse, alias de types
``select one x`` / ``select_one x``, colonnes traduites ``label::Français (fr)``, langue par défaut,
``or_other``, écritures de ``required``, lignes de commentaire, colonnes supplémentaires) ; ce module
en fait un ``Questionnaire`` SENACS. Il procède en quatre temps, chacun situant ses refus (feuille,
ligne du tableur, colonne) :

1. ``_lire_classeur`` : le classeur lu par pyxform (XLSX, XLS ; ODS par python-calamine) ;
2. ``_Lecture.structure`` : un passage sur les lignes de ``survey`` et ``choices`` qui refuse tout ce
   que SENACS ne sait pas représenter (types, noms, groupes, listes…), toutes les erreurs d'un coup ;
3. ``workbook_to_json`` (pyxform) : libellés dans la langue retenue, obligations, ``or_other`` ;
4. ``_Lecture.assembler`` : expressions vérifiées, sections, questions, règles ``senacs_regles``,
   puis ``valider()`` dont les erreurs sont situées à la ligne de la question.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.questionnaire.expressions import ErreurExpression
from core.questionnaire.expressions import analyser as analyser_expression
from core.questionnaire.modele import (
    BLOCS,
    RE_CODE_QUESTION,
    RE_NOM_XLSFORM,
    TYPES,
    Choix,
    Liste,
    Question,
    Questionnaire,
    Section,
    completer_listes,
    valider,
)
from core.questionnaire.odk import LISTE_PUBLICS, QUESTION_PUBLIC, ExpressionIntraduisible, colonnes_odk
from core.questionnaire.xlsform import (
    AUCUN,
    COLONNES_CORRESPONDANCES,
    COLONNES_EXPRESSIONS,
    COLONNES_REGLES,
    COLONNES_SURVEY,
    LISTE_OUI_NON,
    TYPES_XLSFORM,
    ErreurXLSForm,
    _arguments_question,
    _Contexte,
    _et,
    _Feuille,
    _lire_correspondances,
    _lire_feuille,
    _lire_regles,
    _situer,
)

# Type XLSForm (après alias) → type SENACS.
TYPES_SIMPLES: dict[str, str] = {
    "integer": "entier",
    "int": "entier",
    "decimal": "decimal",
    "text": "texte",
    "string": "texte",
    "date": "date",
    "note": "note",
    "calculate": "calcul",
}
for _alias in ("integer", "decimal", "text", "date", "note", "calculate"):
    TYPES_SIMPLES[f"add {_alias} prompt"] = TYPES_SIMPLES[_alias]
TYPES_SIMPLES.update({"q int": "entier", "q decimal": "decimal", "q string": "texte", "q date": "date"})
TYPES_SIMPLES.update({"q note": "note", "q calculate": "calcul"})

# Métadonnées ODK (remplies par l'appareil, pas des questions) : ignorées.
METADONNEES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "device id",
        "imei",
        "subscriberid",
        "subscriber id",
        "simserial",
        "sim id",
        "phonenumber",
        "phone number",
        "username",
        "email",
        "audit",
        "start time",
        "end time",
        "get today",
        "get start time",
        "get end time",
        "get device id",
    }
)

# Types refusés, avec la fonctionnalité nommée en français.
FONCTIONNALITES: dict[str, str] = {}
for _noms, _libelle in (
    (("geopoint", "gps", "location", "add location prompt", "q geopoint", "q location"), "géolocalisation"),
    (("geotrace", "geoshape", "q geotrace", "q geoshape", "start-geopoint", "background-geopoint"), "géolocalisation"),
    (("image", "photo", "add image prompt", "add photo prompt", "q image", "q picture"), "photo (pièce jointe)"),
    (("audio", "add audio prompt", "q audio", "background-audio"), "enregistrement sonore (pièce jointe)"),
    (("video", "add video prompt", "q video"), "vidéo (pièce jointe)"),
    (("file", "add file prompt"), "fichier joint"),
    (("barcode", "add barcode prompt", "q barcode"), "lecture de code-barres"),
    (("time", "datetime", "datetime", "date time", "add date time prompt", "q date time"), "heure (time, dateTime)"),
    (("range",), "curseur (range)"),
    (("rank",), "classement (rank)"),
    (("acknowledge", "add acknowledge prompt", "q acknowledge", "trigger"), "case d'acquittement (acknowledge)"),
    (("hidden",), "champ caché (hidden)"),
    (("xml-external", "csv-external"), "données externes (xml-external, csv-external)"),
    (("osm",), "carte OpenStreetMap (osm)"),
):
    for _nom in _noms:
        FONCTIONNALITES[_nom] = _libelle
FONCTIONNALITES_SELECT = {
    "select_one_from_file": "choix lus dans un fichier externe (select_one_from_file)",
    "select one from file": "choix lus dans un fichier externe (select_one_from_file)",
    "select_multiple_from_file": "choix lus dans un fichier externe (select_multiple_from_file)",
    "select multiple from file": "choix lus dans un fichier externe (select_multiple_from_file)",
    "select_one_external": "choix externes (select_one_external)",
    "rank": "classement (rank)",
}
SELECTS = {
    "select_one": "choix_unique",
    "select one": "choix_unique",
    "select1": "choix_unique",
    "select one from": "choix_unique",
    "add select one prompt using": "choix_unique",
    "select one using": "choix_unique",
    "select_multiple": "choix_multiple",
    "select all that apply": "choix_multiple",
    "select all that apply from": "choix_multiple",
    "select multiple from": "choix_multiple",
    "select multiple using": "choix_multiple",
    "add select multiple prompt using": "choix_multiple",
}
AUTRE = ("or_other", "or other", "or specify other")
CHOIX_AUTRE = "other"
TYPES_ACCEPTES = (
    "integer, decimal, text, date, note, calculate, select_one LISTE, select_multiple LISTE (avec ou sans or_other), "
    "begin_group / end_group"
)
# Colonnes dont une valeur non vide est refusée (fonctionnalité sans équivalent).
COLONNES_REFUSEES = {
    "repeat_count": "répétitions",
    "trigger": "recalcul déclenché",
}
# Colonnes traduisibles : « label:fr » est lu comme « label::fr ».
TRADUISIBLES = frozenset(
    {"label", "hint", "guidance_hint", "constraint_message", "required_message", "image", "audio", "video", "media"}
)
_RE_LANGUE_FR = re.compile(r"(^|\W)(fr|french|fran[cç]ais)(\W|$)", re.IGNORECASE)
_RE_LIGNE_PYXFORM = re.compile(r"\[row\s*:\s*(\d+)\]\s*")
_MESSAGES_PYXFORM = (
    (re.compile(r"There are more than one survey elements named '([^']+)'"), "le nom « {0} » est utilisé deux fois"),
    (re.compile(r"Unknown question type '([^']+)'"), "type « {0} » inconnu"),
    (re.compile(r"List name not in choices sheet: (\S+)"), "liste de choix « {0} » absente de la feuille choices"),
    (re.compile(r"Duplicate column header: (.+)"), "colonne « {0} » en double"),
    (re.compile(r"Missing calculation"), "une question calculate doit avoir une formule (colonne calculation)"),
)


# --------------------------------------------------------------------------- lecture du classeur


def _lire_classeur(chemin: Path):
    """Le classeur lu par pyxform (``DefinitionData``) et, pour les feuilles propres à SENACS, ses
    lignes brutes. Lève ErreurXLSForm si le fichier n'est pas un classeur lisible."""
    from python_calamine import CalamineWorkbook
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import DefinitionData, get_xlsform

    from core import tableur

    suffixe = chemin.suffix.lower()
    try:
        # Mesuré avant d'être lu (classeur démesuré refusé), comme tout tableur déposé.
        tableur.mesurer(chemin.read_bytes(), {".xls": "xls", ".ods": "ods"}.get(suffixe, "xlsx"))
    except tableur.FichierIllisible as exc:
        raise ErreurXLSForm([f"Le fichier « {chemin.name} » n'est pas un classeur lisible : {exc}"]) from exc
    except OSError as exc:
        raise ErreurXLSForm([f"Le fichier « {chemin.name} » ne peut pas être lu ({exc.strerror or exc})."]) from exc
    try:
        classeur = CalamineWorkbook.from_path(str(chemin))
        feuilles = {nom.strip().lower(): nom for nom in classeur.sheet_names}
        brutes = {
            nom: classeur.get_sheet_by_name(feuilles[nom]).to_python(skip_empty_area=False)
            for nom in ("senacs_regles", "senacs_correspondances")
            if nom in feuilles
        }
        if suffixe in (".xlsx", ".xlsm", ".xls"):
            donnees = get_xlsform(str(chemin), file_type=".xls" if suffixe == ".xls" else ".xlsx")
        else:  # ODS (que pyxform ne lit pas) : mêmes règles de lecture, par python-calamine
            donnees = DefinitionData(**_dictionnaire_calamine(classeur))
    except PyXFormError as exc:
        raise ErreurXLSForm([f"Le classeur « {chemin.name} » est refusé : {_traduire_pyxform(str(exc))}."]) from exc
    except Exception as exc:  # python-calamine et openpyxl lèvent leurs propres exceptions
        raise ErreurXLSForm(
            [f"Le fichier « {chemin.name} » n'est pas un classeur lisible ({type(exc).__name__})."]
        ) from exc
    return donnees, brutes, feuilles


def _dictionnaire_calamine(classeur) -> dict[str, Any]:
    from core.questionnaire.xlsform import _texte

    resultat: dict[str, Any] = {"sheet_names": list(classeur.sheet_names)}
    for nom in classeur.sheet_names:
        cle = nom.strip().lower()
        if cle not in ("survey", "choices", "settings"):
            continue
        lignes = [[_texte(c) for c in ligne] for ligne in classeur.get_sheet_by_name(nom).to_python()]
        if not lignes:
            continue
        entetes = [re.sub(r"\s+", " ", e.strip()) or None for e in lignes[0]]
        rangs = []
        for ligne in lignes[1:]:
            rangs.append({e: v for e, v in zip(entetes, ligne, strict=False) if e and v})
        while rangs and not rangs[-1]:
            rangs.pop()
        resultat[cle] = rangs
        resultat[f"{cle}_header"] = [{e: None for e in entetes if e}]
    return resultat


def _normaliser_entetes(donnees) -> None:
    """« label:fr » → « label::fr » (les deux écritures circulent) ; types sans espaces superflus."""
    for feuille in ("survey", "choices", "settings"):
        lignes = getattr(donnees, feuille) or []
        entete = getattr(donnees, f"{feuille}_header") or []
        renommage = {}
        for colonne in list(entete[0]) if entete else []:
            base, sep, langue = colonne.partition(":")
            if sep and not langue.startswith(":") and base.strip().lower() in TRADUISIBLES and langue.strip():
                renommage[colonne] = f"{base.strip()}::{langue.strip()}"
        if renommage:
            entete[0] = {renommage.get(c, c): v for c, v in entete[0].items()}
            for i, ligne in enumerate(lignes):
                lignes[i] = {renommage.get(c, c): v for c, v in ligne.items()}
        if feuille == "survey":
            cle_type = next((c for c in (entete[0] if entete else {}) if c.strip().lower() == "type"), None)
            for ligne in lignes:
                if cle_type and isinstance(ligne.get(cle_type), str):
                    ligne[cle_type] = _normaliser_type(ligne[cle_type])


def _normaliser_type(brut: str) -> str:
    """Espaces réduits et mot-clé en minuscules (``Select_One statut`` → ``select_one statut``)."""
    texte = re.sub(r"\s+", " ", brut.strip())
    mots = texte.split(" ")
    for n in range(min(len(mots), 5), 0, -1):
        commande = " ".join(mots[:n]).lower()
        if commande in SELECTS or commande in FONCTIONNALITES_SELECT:
            suite = mots[n:]
            if len(suite) >= 2 and " ".join(suite[1:]).lower() in AUTRE:
                suite = [suite[0], "or_other"]
            return " ".join([commande, *suite])
    return texte.lower() if texte.lower() in _MOTS_TYPES else texte


_MOTS_TYPES = (
    set(TYPES_SIMPLES) | METADONNEES | set(FONCTIONNALITES) | {"begin group", "begin_group", "end group", "end_group"}
) | {"begin repeat", "begin_repeat", "end repeat", "end_repeat", "begin loop", "end loop"}


def _rangs(donnees, feuille: str) -> list[list[str]]:
    """Lignes d'une feuille lue par pyxform, en tableau (en-tête d'abord) pour ``_lire_feuille``."""
    entete = getattr(donnees, f"{feuille}_header") or []
    colonnes = list(entete[0]) if entete else []
    lignes = getattr(donnees, feuille) or []
    return [colonnes] + [[str(ligne.get(c, "") or "") for c in colonnes] for ligne in lignes]


def _traduire_pyxform(message: str) -> str:
    message = message.strip().rstrip(".")
    for motif, gabarit in _MESSAGES_PYXFORM:
        m = motif.search(message)
        if m:
            return gabarit.format(*m.groups())
    return f"pyxform refuse le formulaire (« {message} »)"


# --------------------------------------------------------------------------- importer


def importer(chemin: str | Path, campagne: int | None = None) -> Questionnaire:
    """Lit un XLSForm (XLSX, XLS ou ODS) ; lève ErreurXLSForm avec toutes les erreurs trouvées.

    ``campagne`` : année de la campagne à laquelle le formulaire est destiné ; elle sert de version et
    d'année quand la feuille ``settings`` (facultative) ne les donne pas."""
    chemin = Path(chemin)
    try:
        donnees, brutes, _ = _lire_classeur(chemin)
        _normaliser_entetes(donnees)
        return _Lecture(donnees, brutes, campagne, chemin.stem).questionnaire()
    except ErreurXLSForm:
        raise
    except Exception as exc:  # jamais de trace pour l'auteur du classeur : le motif, en français
        raise ErreurXLSForm(
            [
                f"Le classeur « {chemin.name} » n'a pas pu être lu (erreur inattendue {type(exc).__name__}) : "
                "signalez-le à l'équipe SENACS avec le fichier."
            ]
        ) from exc


@dataclass
class _Ligne:
    """Une ligne de ``survey`` retenue par le premier passage."""

    numero: int
    genre: str  # "question", "section", "groupe"
    nom: str
    code: str
    type: str  # type SENACS
    liste: str | None = None
    autre: bool = False
    section: int = 0
    groupe: str | None = None
    filtre: str | None = None  # choice_filter


class _Lecture:
    def __init__(self, donnees, brutes: dict[str, list], campagne: int | None, nom_fichier: str):
        self.donnees = donnees
        self.campagne_demandee = campagne
        self.nom_fichier = nom_fichier
        self.ctx = _Contexte()
        self.survey = _lire_feuille("survey", _rangs(donnees, "survey"), _COLONNES_LUES) if donnees.survey else None
        self.choices = (
            _lire_feuille("choices", _rangs(donnees, "choices"), ("list_name", "name", "label"))
            if donnees.choices
            else None
        )
        self.settings = (
            _lire_feuille(
                "settings",
                _rangs(donnees, "settings"),
                ("form_title", "form_id", "version", "senacs_campagne", "default_language"),
            )
            if donnees.settings
            else None
        )
        self.regles = (
            _lire_feuille("senacs_regles", brutes["senacs_regles"], COLONNES_REGLES)
            if "senacs_regles" in brutes
            else None
        )
        self.correspondances = (
            _lire_feuille("senacs_correspondances", brutes["senacs_correspondances"], COLONNES_CORRESPONDANCES)
            if "senacs_correspondances" in brutes
            else None
        )
        self.cellules = dict(self.survey.lignes) if self.survey else {}
        self.entete_survey = _rangs(donnees, "survey")[0] if donnees.survey else []
        self.textes: dict[tuple[int, str], tuple[str | None, bool]] = {}
        self.lignes: list[_Ligne] = []
        self.sections: list[dict[str, Any]] = []
        self.codes: dict[str, str] = {}  # nom XLSForm → code SENACS
        self.listes_utilisees: set[str] = set()
        self.refuses: set[str] = set()  # noms des lignes refusées (leurs références ne sont pas signalées)

    # -- ensemble

    def questionnaire(self) -> Questionnaire:
        if self.survey is None:
            raise ErreurXLSForm(["Feuille « survey » absente : c'est elle qui décrit les questions."])
        for colonne in ("type", "name"):
            if colonne not in self.survey.entetes:
                self.ctx.erreur(self.survey, 1, None, f"colonne « {colonne} » absente")
        if self.ctx.erreurs:
            raise ErreurXLSForm(self.ctx.erreurs)
        titre, version, campagne = self.reglages()
        listes, lignes_listes = self.lire_choix()
        self.structure(listes, titre)
        if self.ctx.erreurs:
            raise ErreurXLSForm(self.ctx.erreurs)
        json = self.pyxform(titre)
        if self.ctx.erreurs:
            raise ErreurXLSForm(self.ctx.erreurs)
        return self.assembler(json, titre, version, campagne, listes, lignes_listes)

    # -- réglages

    def reglages(self) -> tuple[str, str, int]:
        titre = version = ""
        campagne = 0
        numero = 2
        texte_campagne = ""
        s = self.settings
        if s is not None and s.lignes:
            numero, cellules = s.lignes[0]
            titre = s.valeur(cellules, "form_title") or s.valeur(cellules, "form_id")
            version = s.valeur(cellules, "version")
            texte_campagne = s.valeur(cellules, "senacs_campagne")
        titre = titre or self.nom_fichier
        if texte_campagne:
            if texte_campagne.isdigit():
                campagne = int(texte_campagne)
            else:
                self.ctx.erreur(s, numero, "senacs_campagne", f"année « {texte_campagne} » invalide (ex. 2026)")
        elif version and re.match(r"^((?:19|20)\d{2})", version):
            campagne = int(version[:4])
        elif self.campagne_demandee is not None:
            campagne = self.campagne_demandee
        elif version:
            self.ctx.erreur(
                s,
                numero,
                "version",
                f"impossible de lire l'année de campagne dans la version « {version} » : "
                "commencez-la par l'année (ex. 2026), ajoutez une colonne senacs_campagne ou indiquez la campagne",
            )
        else:
            self.ctx.erreur(
                "settings",
                None,
                None,
                "ni version ni senacs_campagne : indiquez l'année de campagne (--campagne) ou une version (ex. 2026)",
            )
        if not version:
            version = str(campagne or self.campagne_demandee or "")
        if any(e.startswith("Feuille « settings »") for e in self.ctx.erreurs):
            self.ctx.signalees.update({("", "version"), ("", "campagne"), ("", "titre")})
        return titre, version, campagne

    # -- choix

    def lire_choix(self) -> tuple[dict[str, list[tuple[int, str]]], dict[str, int]]:
        """Codes des listes (avec leur ligne) ; les libellés viennent ensuite de pyxform."""
        listes: dict[str, list[tuple[int, str]]] = {}
        lignes_listes: dict[str, int] = {}
        c = self.choices
        if c is None:
            return listes, lignes_listes
        for colonne in ("list_name", "name"):
            if colonne not in c.entetes:
                self.ctx.erreur(c, 1, None, f"colonne « {colonne} » absente")
        vus: dict[tuple[str, str], int] = {}
        for numero, cellules in c.lignes:
            nom_liste, code = c.valeur(cellules, "list_name"), c.valeur(cellules, "name")
            if not nom_liste and not code:
                continue  # ligne de commentaire
            if not nom_liste:
                self.ctx.erreur(c, numero, "list_name", "nom de liste manquant")
                continue
            if not code:
                self.ctx.erreur(c, numero, "name", f"code de choix manquant dans la liste « {nom_liste} »")
                continue
            if (nom_liste, code) in vus:
                self.ctx.erreur(
                    c,
                    numero,
                    "name",
                    f"le choix « {code} » figure déjà dans la liste « {nom_liste} » (ligne {vus[(nom_liste, code)]})",
                )
                continue
            vus[(nom_liste, code)] = numero
            listes.setdefault(nom_liste, []).append((numero, code))
            lignes_listes.setdefault(nom_liste, numero)
        return listes, lignes_listes

    # -- premier passage : structure

    def structure(self, listes: dict, titre: str) -> None:
        """Premier passage sur survey : groupes, types, noms ; ``self.lignes`` et ``self.sections``."""
        s = self.survey
        self._noms: dict[str, int] = {}
        self._lignes_codes: dict[str, int] = {}
        self._pile: list[dict[str, Any]] = []
        self._implicites = 0
        self._titre = titre
        for numero, cellules in s.lignes:
            valeur = lambda colonne, c=cellules: s.valeur(c, colonne)  # noqa: E731
            type_brut, nom = valeur("type"), valeur("name")
            if not type_brut:
                if nom or valeur("label"):
                    self.ctx.erreur(s, numero, "type", "type manquant")
                continue  # ligne vide ou de commentaire
            for colonne, fonctionnalite in COLONNES_REFUSEES.items():
                if valeur(colonne):
                    self.ctx.erreur(
                        s, numero, colonne, f"colonne « {colonne} » ({fonctionnalite}) non prise en charge"
                    )
            t = type_brut.lower()
            if t in METADONNEES or (nom == QUESTION_PUBLIC and t == f"select_one {LISTE_PUBLICS}"):
                continue  # métadonnée ODK, ou question technique de l'export (variante CS / EVS)
            if t in ("begin group", "begin_group"):
                self.ouvrir_groupe(numero, nom, valeur)
            elif t in ("end group", "end_group"):
                if not self._pile:
                    self.ctx.erreur(s, numero, "type", "« end_group » sans « begin_group » correspondant")
                else:
                    self._pile.pop()
            elif t.split(" ")[0] in ("begin_repeat", "end_repeat") or t.startswith(_REPETITIONS):
                self.ctx.erreur(
                    s, numero, "type", f"type « {type_brut} » : les répétitions (repeat) ne sont pas prises en charge"
                )
                self.refuser(nom, numero)
            else:
                self.question(numero, nom, type_brut, listes, valeur)
        for groupe in self._pile:
            self.ctx.erreur(
                s,
                groupe["ligne"],
                "type",
                f"le groupe « {groupe['nom']} » n'est jamais fermé (« end_group » manquant)",
            )
        self.verifier_lignes()

    def refuser(self, nom: str, numero: int) -> None:
        """Ligne refusée : son nom reste connu, pour ne pas signaler en plus les références qui le lisent."""
        if nom:
            self._noms.setdefault(nom, numero)
            self.refuses.add(nom)

    def section_courante(self, numero: int) -> int:
        """Index de la section de la ligne ; hors de tout groupe, une section implicite « questions »."""
        if self._pile:
            return self._pile[0]["section"]
        if not self.sections or not self.sections[-1].get("implicite") or self.sections[-1].get("fermee"):
            self._implicites += 1
            code = "questions" if self._implicites == 1 else f"questions_{self._implicites}"
            self.sections.append(
                {
                    "code": code,
                    "titre": self._titre,
                    "bloc": None,
                    "description": "",
                    "implicite": True,
                    "ligne": numero,
                }
            )
        return len(self.sections) - 1

    def declarer(self, nom: str, numero: int, code_senacs: str) -> bool:
        """Enregistre le nom (et le code senacs_code) d'une ligne ; faux s'il est refusé."""
        s, ctx = self.survey, self.ctx
        if not nom:
            ctx.erreur(s, numero, "name", "nom (name) manquant")
            return False
        if not RE_NOM_XLSFORM.match(nom):
            ctx.erreur(s, numero, "name", f"nom « {nom} » invalide : {_FORMAT_NOM_COURT}")
            return False
        if nom in self._noms:
            ctx.erreur(s, numero, "name", f"le nom « {nom} » est déjà utilisé ligne {self._noms[nom]}")
            return False
        self._noms[nom] = numero
        code = code_senacs or nom
        if code_senacs and not RE_NOM_XLSFORM.match(code_senacs):
            ctx.erreur(s, numero, "senacs_code", f"code « {code_senacs} » invalide")
            return False
        if code in self._lignes_codes and code_senacs:
            ctx.erreur(
                s, numero, "senacs_code", f"le code « {code} » est déjà utilisé ligne {self._lignes_codes[code]}"
            )
            return False
        self._lignes_codes[code] = numero
        self.codes[nom] = code
        return True

    def ouvrir_groupe(self, numero: int, nom: str, valeur) -> None:
        """Groupe de premier niveau : une section ; groupe dans un groupe : un intitulé (note)."""
        if self.sections and self.sections[-1].get("implicite"):
            self.sections[-1]["fermee"] = True
        if not self.declarer(nom, numero, ""):
            nom = nom or f"groupe_ligne_{numero}"
        if len(self._pile) >= 2:
            self.ctx.erreur(
                self.survey, numero, "type", "groupes imbriqués sur plus de deux niveaux : non pris en charge"
            )
        if not self._pile:
            bloc = valeur("senacs_bloc") or None
            if bloc is not None and bloc not in BLOCS:
                message = f"bloc « {bloc} » inconnu (blocs possibles : {', '.join(BLOCS)})"
                self.ctx.erreur(self.survey, numero, "senacs_bloc", message)
                bloc = "noyau"
            self.sections.append({"code": nom, "bloc": bloc, "ligne": numero, "nom": nom})
            self._pile.append({"nom": nom, "ligne": numero, "section": len(self.sections) - 1})
        else:
            section = self._pile[0]["section"]
            self.lignes.append(_Ligne(numero, "groupe", nom, nom, "note", section=section))
            self._pile.append({"nom": nom, "ligne": numero, "section": section})

    def question(self, numero: int, nom: str, type_brut: str, listes: dict, valeur) -> None:
        notre_type, liste, autre = self.type_de(self.survey, numero, type_brut, listes)
        if notre_type is None:
            self.refuser(nom, numero)
            return
        if not self.declarer(nom, numero, valeur("senacs_code")):
            return
        notre_type = self.type_senacs(numero, type_brut, notre_type, valeur)
        if liste is not None and notre_type != "oui_non":
            self.listes_utilisees.add(liste)
        ligne = _Ligne(
            numero, "question", nom, self.codes[nom], notre_type, liste, autre, self.section_courante(numero)
        )
        if len(self._pile) == 2:
            ligne.groupe = self.codes.get(self._pile[1]["nom"], self._pile[1]["nom"])
        if valeur("choice_filter"):
            if ligne.liste is None or ligne.type == "oui_non":
                self.ctx.erreur(
                    self.survey, numero, "choice_filter", "choice_filter ne s'applique qu'à une question à choix"
                )
            else:
                ligne.filtre = valeur("choice_filter")
        self.lignes.append(ligne)

    def type_senacs(self, numero: int, type_brut: str, notre_type: str, valeur) -> str:
        """Type précisé par senacs_type (euros, oui_non…) s'il est compatible avec le type XLSForm."""
        senacs_type = valeur("senacs_type")
        if not senacs_type:
            if notre_type == "texte" and "multiline" in valeur("appearance").lower():
                return "texte_long"
            return notre_type
        if senacs_type not in TYPES:
            message = f"type « {senacs_type} » inconnu (types possibles : {', '.join(TYPES)})"
            self.ctx.erreur(self.survey, numero, "senacs_type", message)
        elif _base_xlsform(notre_type) != TYPES_XLSFORM[senacs_type]:
            message = (
                f"le type « {senacs_type} » ne correspond pas au type XLSForm « {type_brut} » "
                f"(attendu : {TYPES_XLSFORM[senacs_type]})"
            )
            self.ctx.erreur(self.survey, numero, "senacs_type", message)
        else:
            return senacs_type
        return notre_type

    def verifier_lignes(self) -> None:
        """Expressions, obligations et libellés de chaque ligne retenue, avant pyxform (qui s'arrête à
        la première erreur) : toutes les erreurs sont signalées d'un coup."""
        s = self.survey
        connus = set(self.codes.values()) | {f"{li.code}_{CHOIX_AUTRE}" for li in self.lignes if li.autre}
        connus |= self.refuses
        numeros = [li.numero for li in self.lignes]
        numeros += [sec["ligne"] for sec in self.sections if not sec.get("implicite")]
        for numero in sorted(numeros):
            for colonne in ("relevant", "constraint", "calculation"):
                self.textes[(numero, colonne)] = self.expression(numero, colonne, connus)
        for ligne in self.lignes:
            if ligne.filtre:
                self.textes[(ligne.numero, "choice_filter")] = self.contrainte_du_filtre(ligne, connus)
            cellules = self.cellules[ligne.numero]
            colonne = "senacs_required" if s.valeur(cellules, "senacs_required") else "required"
            self.obligatoire(ligne.numero, colonne, s.valeur(cellules, colonne))
            if ligne.type == "calcul" and self.textes[(ligne.numero, "calculation")][0] is None:
                self.ctx.erreur(
                    s, ligne.numero, "calculation", f"{ligne.code} : une question calculate doit avoir une formule"
                )
            libelles = [v for c, v in zip(self.entete_survey, cellules, strict=False) if _est_libelle(c)]
            if ligne.type != "calcul" and not any(libelles):
                self.ctx.erreur(s, ligne.numero, "label", f"{ligne.code} : la question n'a pas de libellé")

    def contrainte_du_filtre(self, ligne: _Ligne, connus: set[str]) -> tuple[str | None, bool]:
        """``choice_filter`` (choix en cascade) traduit en contrainte : le choix retenu doit satisfaire
        le filtre, où chaque colonne de la feuille choices est remplacée par sa valeur pour ce choix.
        ``region = ${region}`` sur la liste des départements donne
        ``(selected('d01 d07 d69', .) and ('ara' = ${region})) or …``."""
        filtre = _codes_dans(ligne.filtre or "", self.codes)
        entete = (self.donnees.choices_header or [{}])[0]
        colonnes = {c.strip().lower() for c in entete}
        inconnues: list[str] = []
        groupes: dict[str, list[str]] = {}
        for brute in self.donnees.choices or []:
            rang = {str(k).strip().lower(): str(v) for k, v in brute.items() if v is not None}
            if rang.get("list_name", rang.get("list name", "")).strip() != ligne.liste or not rang.get("name"):
                continue

            def remplacer(m, rang=rang):
                nom = m.group("nom")
                if nom is None or nom in ("and", "or", "div", "mod") or filtre[m.end() :].lstrip().startswith("("):
                    return m.group(0)
                if nom.lower() not in colonnes:
                    inconnues.append(nom)
                    return "''"
                return _litteral_filtre(rang.get(nom.lower(), ""))

            condition = _RE_FILTRE.sub(remplacer, filtre)
            groupes.setdefault(condition, []).append(rang["name"].strip())
        if inconnues:
            for nom in sorted(set(inconnues)):
                self.ctx.erreur(
                    self.survey, ligne.numero, "choice_filter", f"colonne « {nom} » absente de la feuille choices"
                )
            return None, True
        if ligne.type == "choix_unique":
            termes = [f"(selected('{' '.join(codes)}', .) and ({c}))" for c, codes in groupes.items()]
            texte = " or ".join(termes)
        else:
            termes = [
                f"(({c}) or not({' or '.join(f'selected(., {chr(39)}{code}{chr(39)})' for code in codes)}))"
                for c, codes in groupes.items()
            ]
            texte = " and ".join(termes)
        try:
            expression = analyser_expression(texte)
        except ErreurExpression as exc:
            self.ctx.erreur(self.survey, ligne.numero, "choice_filter", f"filtre « {ligne.filtre} » illisible : {exc}")
            return None, True
        for code in sorted(expression.references() - connus):
            self.ctx.erreur(self.survey, ligne.numero, "choice_filter", f"référence inconnue ${{{code}}}")
        return texte, False

    def type_de(self, s: _Feuille, numero: int, type_brut: str, listes: dict) -> tuple[str | None, str | None, bool]:
        t = type_brut.lower()
        if t in TYPES_SIMPLES:
            return TYPES_SIMPLES[t], None, False
        if t == "percentage":
            return "pourcentage", None, False
        if t in FONCTIONNALITES:
            self.ctx.erreur(s, numero, "type", f"type « {type_brut} » non pris en charge : {FONCTIONNALITES[t]}")
            return None, None, False
        mots = type_brut.split(" ")
        for n in range(min(len(mots), 5), 0, -1):
            commande = " ".join(mots[:n]).lower()
            if commande in FONCTIONNALITES_SELECT:
                self.ctx.erreur(
                    s, numero, "type", f"type « {type_brut} » non pris en charge : {FONCTIONNALITES_SELECT[commande]}"
                )
                return None, None, False
            if commande in SELECTS:
                suite = mots[n:]
                autre = len(suite) == 2 and suite[1].lower() in AUTRE
                if len(suite) != 1 and not autre:
                    self.ctx.erreur(
                        s,
                        numero,
                        "type",
                        f"« {type_brut} » : indiquez une seule liste de choix (ex. « select_one statut », "
                        "« select_one statut or_other »)",
                    )
                    return None, None, False
                liste = suite[0]
                if liste not in listes and liste != LISTE_OUI_NON:
                    self.ctx.erreur(
                        s,
                        numero,
                        "type",
                        f"la liste de choix « {liste} » est absente de la feuille « choices »"
                        if self.choices is not None
                        else f"la liste de choix « {liste} » est introuvable : la feuille « choices » est absente",
                    )
                    return None, None, False
                return SELECTS[commande], liste, autre
        self.ctx.erreur(
            s, numero, "type", f"type « {type_brut} » non pris en charge (types acceptés : {TYPES_ACCEPTES})"
        )
        return None, None, False

    # -- pyxform

    def pyxform(self, titre: str) -> dict[str, Any]:
        from pyxform.errors import PyXFormError
        from pyxform.xls2json import workbook_to_json

        try:
            return workbook_to_json(self.donnees, form_name="senacs", fallback_form_name="senacs", warnings=[])
        except PyXFormError as exc:
            message = str(exc)
            ligne = _RE_LIGNE_PYXFORM.search(message)
            texte = _traduire_pyxform(_RE_LIGNE_PYXFORM.sub("", message).split("\n")[0])
            self.ctx.erreur("survey", int(ligne.group(1)) if ligne else None, None, texte)
        except Exception as exc:  # pyxform n'a pas su lire : jamais de trace, le motif en clair
            self.ctx.erreur("survey", None, None, f"pyxform n'a pas pu lire le formulaire ({type(exc).__name__})")
        return {}

    # -- second passage : assemblage

    def assembler(self, json: dict, titre: str, version: str, campagne: int, listes: dict, lignes_listes: dict):
        """Second passage : le questionnaire, validé, avec les erreurs de ``valider()`` situées."""
        ctx, s = self.ctx, self.survey
        langue = _langue(json, self.settings)
        elements = _elements(json)
        objets_listes = self.listes_de_choix(json, langue, listes)
        connus = set(self.codes.values()) | {f"{li.code}_{CHOIX_AUTRE}" for li in self.lignes if li.autre}
        questions, lignes_questions = self.questions(elements, langue, connus)
        objets_sections, lignes_sections = self.sections_finales(questions, elements, langue)
        regles, ligne_regle = _lire_regles(ctx, self.regles, connus)
        correspondances = _lire_correspondances(ctx, self.correspondances, connus)
        toutes = [q for sec in objets_sections for q in sec.questions]
        questionnaire = Questionnaire(
            version=version,
            campagne=campagne,
            titre=titre,
            sections=tuple(objets_sections),
            listes=completer_listes(objets_listes, toutes),
            regles=tuple(regles),
            correspondances=tuple(correspondances),
        )
        if not ctx.erreurs:
            self.verifier_colonnes_odk(questionnaire)
        for erreur in valider(questionnaire):
            lignes = (lignes_questions, lignes_sections, lignes_listes, ligne_regle)
            _situer(ctx, erreur, s, self.choices, self.regles, *lignes)
        if ctx.erreurs:
            raise ErreurXLSForm(ctx.erreurs)
        return questionnaire

    def listes_de_choix(self, json: dict, langue: str | None, listes: dict) -> list[Liste]:
        """Listes de la feuille choices, libellés dans la langue retenue (« other » ajouté par or_other)."""
        libelles_choix = {
            nom: {c.get("name"): _libelle(c.get("label"), langue) for c in choix}
            for nom, choix in (json.get("choices") or {}).items()
        }
        objets_listes: list[Liste] = []
        for nom, codes in listes.items():
            if nom == LISTE_PUBLICS or (nom == LISTE_OUI_NON and nom not in self.listes_utilisees):
                continue
            choix = []
            for numero, code in codes:
                libelle = libelles_choix.get(nom, {}).get(code, "")
                if not libelle:
                    self.ctx.erreur(self.choices, numero, "label", f"le choix « {code} » n'a pas de libellé")
                choix.append(Choix(code, libelle or code))  # erreur déjà signalée, une seule fois
            if any(li.autre and li.liste == nom for li in self.lignes) and all(c.code != CHOIX_AUTRE for c in choix):
                choix.append(Choix(CHOIX_AUTRE, "Autre"))
            objets_listes.append(Liste(nom, tuple(choix)))
        return objets_listes

    def questions(self, elements: dict, langue: str | None, connus: set[str]):
        """Questions par index de section (avec la question « …_other » d'un or_other) et leur ligne."""
        questions: dict[int, list[tuple[_Ligne, Question]]] = {}
        lignes_questions: dict[str, int] = {}
        for ligne in self.lignes:
            element = elements.get(ligne.nom, {})
            args = self.arguments(ligne, element, langue, connus)
            args["groupe"] = ligne.groupe
            question = Question(**args)
            questions.setdefault(ligne.section, []).append((ligne, question))
            lignes_questions[question.code] = ligne.numero
            if ligne.autre:
                autre = Question(
                    code=f"{question.code}_{CHOIX_AUTRE}",
                    libelle=f"{question.libelle} : précisez",
                    type="texte",
                    pertinence=_et(question.pertinence, f"selected(${{{question.code}}}, '{CHOIX_AUTRE}')"),
                    publics=question.publics,
                    groupe=question.groupe,
                )
                questions[ligne.section].append((ligne, autre))
                lignes_questions[autre.code] = ligne.numero
        return questions, lignes_questions

    def sections_finales(self, questions: dict, elements: dict, langue: str | None):
        """Sections : titre, description, bloc, et condition du groupe qui descend sur ses questions."""
        ctx, s = self.ctx, self.survey
        objets_sections = []
        lignes_sections = {}
        for i, section in enumerate(self.sections):
            membres = questions.get(i, [])
            if section.get("implicite"):
                titre_section, description, condition = section["titre"], "", None
            else:
                element = elements.get(section["nom"], {})
                titre_section = _libelle(element.get("label"), langue)
                description = _libelle(element.get("hint"), langue)
                condition, erreur = self.textes[(section["ligne"], "relevant")]
                if erreur:
                    self.ctx.signalees.update((q.code, "pertinence") for _, q in membres)
                if not titre_section:
                    ctx.erreur(s, section["ligne"], "label", f"le groupe « {section['nom']} » n'a pas de libellé")
            bloc = section["bloc"] or _bloc_par_defaut(q for _, q in membres)
            membres_finaux = []
            for _, q in membres:
                if condition:
                    q = _remplacer(q, pertinence=_et(condition, q.pertinence))
                membres_finaux.append(q)
            objets_sections.append(
                Section(
                    code=section["code"],
                    titre=titre_section,
                    bloc=bloc,
                    questions=tuple(membres_finaux),
                    description=description,
                )
            )
            lignes_sections[section["code"]] = section["ligne"]
        return objets_sections, lignes_sections

    def arguments(self, ligne: _Ligne, element: dict, langue: str | None, connus: set[str]) -> dict[str, Any]:
        s = self.survey
        cellules = self.cellules[ligne.numero]
        valeur = lambda colonne: s.valeur(cellules, colonne)  # noqa: E731
        args = _arguments_question(self.ctx, s, ligne.numero, valeur, ligne.type, ligne.code)
        args["libelle"] = _libelle(element.get("label"), langue) or (ligne.code if ligne.type == "calcul" else "")
        args["aide"] = _libelle(element.get("hint"), langue)
        bind = element.get("bind") or {}
        if valeur("senacs_required"):
            args["obligatoire"] = self.obligatoire(ligne.numero, "senacs_required", valeur("senacs_required"))
        else:
            args["obligatoire"] = self.obligatoire(ligne.numero, "required", bind.get("required") or "")
        args["liste"] = ligne.liste if ligne.type in ("choix_unique", "choix_multiple") else None
        for cle, colonne in (("pertinence", "relevant"), ("contrainte", "constraint"), ("calcul", "calculation")):
            texte, erreur = self.textes[(ligne.numero, colonne)]
            args[cle] = texte
            if erreur:
                self.ctx.signalees.add((ligne.code, cle))
        message = valeur("senacs_constraint_message")
        if not message:
            message = _libelle(bind.get("jr:constraintMsg"), langue)
        filtre, _ = self.textes.get((ligne.numero, "choice_filter"), (None, False))
        if filtre:
            args["contrainte"] = _et(args["contrainte"], filtre)
            message = message or "Ce choix n'est pas proposé compte tenu des réponses précédentes."
        args["message_contrainte"] = None if message in ("", AUCUN) else message
        return args

    def obligatoire(self, numero: int, colonne: str, texte: str) -> bool:
        t = str(texte).strip()
        if t.lower() in ("yes", "true", "true()", "1", "oui", "vrai"):
            return True
        if t.lower() in ("", "no", "false", "false()", "0", "non", "faux"):
            return False
        self.ctx.erreur(
            self.survey,
            numero,
            colonne,
            f"valeur « {t} » non reconnue (yes ou no attendu ; une obligation conditionnelle s'écrit avec relevant "
            "ou une règle senacs_regles)",
        )
        return False

    def expression(self, numero: int, colonne: str, connus: set[str]) -> tuple[str | None, bool]:
        """Expression d'une colonne (relevant, constraint, calculation) et vrai si elle a été refusée :
        la colonne senacs_… si elle est remplie (« (aucun) » : pas d'expression), sinon la colonne
        XLSForm ; les noms sont remplacés par les codes (senacs_code), les références vérifiées."""
        s = self.survey
        cellules = self.cellules[numero]
        senacs = s.valeur(cellules, f"senacs_{colonne}")
        if senacs == AUCUN:
            return None, False
        texte = senacs or s.valeur(cellules, colonne)
        if not texte:
            return None, False
        colonne_lue = f"senacs_{colonne}" if senacs else colonne
        texte = _codes_dans(texte, self.codes)
        try:
            expression = analyser_expression(texte)
        except ErreurExpression as exc:
            self.ctx.erreur(s, numero, colonne_lue, f"expression « {texte} » invalide : {exc}")
            return texte, True
        inconnues = sorted(expression.references() - connus)
        for code in inconnues:
            self.ctx.erreur(
                s, numero, colonne_lue, f"référence inconnue ${{{code}}} (aucune question ne porte ce nom)"
            )
        return texte, bool(inconnues)

    def verifier_colonnes_odk(self, questionnaire: Questionnaire) -> None:
        """Une ligne exportée par SENACS porte à la fois la traduction ODK (relevant…) et l'original
        (senacs_relevant…) : si l'une a été modifiée sans l'autre, le classeur est refusé."""
        s = self.survey
        types = {q.code: q.type for q in questionnaire.questions()}
        question_departement = next((q.code for q in questionnaire.questions() if q.liste == "departements"), None)
        par_ligne = {li.numero: li for li in self.lignes if li.genre in ("question", "groupe")}
        for numero, cellules in s.lignes:
            ligne = par_ligne.get(numero)
            if ligne is None or not any(s.valeur(cellules, f"senacs_{c}") for c in COLONNES_EXPRESSIONS):
                continue
            try:
                odk = colonnes_odk(questionnaire.question(ligne.code), types, question_departement)
            except (ExpressionIntraduisible, ErreurExpression, KeyError):
                continue
            for colonne in COLONNES_EXPRESSIONS:
                if (
                    s.valeur(cellules, f"senacs_{colonne}")
                    and s.valeur(cellules, colonne)
                    and s.valeur(cellules, colonne) != odk[colonne]
                ):
                    self.ctx.erreur(
                        s,
                        numero,
                        colonne,
                        f"« {s.valeur(cellules, colonne)} » ne correspond plus à senacs_{colonne} "
                        f"(traduction attendue : « {odk[colonne]} ») : modifiez senacs_{colonne} et videz {colonne}, "
                        "qui sera récrite à l'export",
                    )


_FORMAT_NOM_COURT = "une lettre ou « _ », puis lettres, chiffres, « _ », « - » ou « . », sans espace"
_REPETITIONS = ("begin repeat", "end repeat", "begin loop", "end loop")
_COLONNES_LUES = COLONNES_SURVEY + ("choice_filter", "repeat_count", "trigger", "senacs_code")


_RE_FILTRE = re.compile(r"'[^']*'|\"[^\"]*\"|\$\{[^}]*\}|\d+(?:\.\d+)?|(?P<nom>[A-Za-z_][\w.]*)")


def _litteral_filtre(valeur: str) -> str:
    valeur = valeur.strip()
    return f"'{valeur}'" if "'" not in valeur else f'"{valeur}"'


def _est_libelle(colonne: str) -> bool:
    base = colonne.strip().lower().split("::")[0].split(":")[0]
    return base in ("label", "caption")


def _base_xlsform(notre_type: str) -> str:
    return {"choix_unique": "select_one", "choix_multiple": "select_multiple"}.get(notre_type) or TYPES_XLSFORM[
        notre_type
    ]


def _bloc_par_defaut(questions) -> str:
    """Sans colonne senacs_bloc : noyau si toutes les questions suivent la convention des codes
    nationaux (A01, H02A…), module thématique sinon."""
    return "noyau" if all(RE_CODE_QUESTION.match(q.code) for q in questions) else "thematique"


def _remplacer(question: Question, **changements) -> Question:
    from dataclasses import replace

    return replace(question, **changements)


def _codes_dans(texte: str, codes: dict[str, str]) -> str:
    if all(nom == code for nom, code in codes.items()):
        return texte
    return re.sub(r"\$\{([^}]*)\}", lambda m: "${" + codes.get(m.group(1), m.group(1)) + "}", texte)


def _elements(json: dict) -> dict[str, dict]:
    """Éléments du formulaire lu par pyxform, par nom (groupes compris)."""
    resultat: dict[str, dict] = {}

    def parcourir(enfants):
        for e in enfants or ():
            if e.get("name"):
                resultat.setdefault(e["name"], e)
            parcourir(e.get("children"))

    parcourir(json.get("children"))
    return resultat


def _langue(json: dict, settings: _Feuille | None) -> str | None:
    """Langue retenue : default_language de settings, sinon une colonne française, sinon la colonne
    sans langue, sinon la première."""
    langues: list[str] = []

    def collecter(valeur):
        if isinstance(valeur, dict):
            for cle in valeur:
                if cle not in langues:
                    langues.append(cle)

    def parcourir(enfants):
        for e in enfants or ():
            collecter(e.get("label"))
            parcourir(e.get("children"))

    parcourir(json.get("children"))
    for choix in (json.get("choices") or {}).values():
        for c in choix:
            collecter(c.get("label"))
    defaut = json.get("default_language")
    if defaut in langues:
        return defaut
    francaise = next((lg for lg in langues if _RE_LANGUE_FR.search(lg)), None)
    return francaise or ("default" if "default" in langues else (langues[0] if langues else None))


def _libelle(valeur: Any, langue: str | None) -> str:
    """Texte d'un libellé pyxform (texte, ou dictionnaire langue → texte) dans la langue retenue ;
    à défaut une langue française, la colonne sans langue ou la première non vide."""
    if valeur is None:
        return ""
    if isinstance(valeur, str):
        return valeur.strip()
    if not isinstance(valeur, dict):
        return str(valeur).strip()
    if langue and valeur.get(langue):
        return str(valeur[langue]).strip()
    for cle, texte in valeur.items():
        if _RE_LANGUE_FR.search(cle) and texte:
            return str(texte).strip()
    if valeur.get("default"):
        return str(valeur["default"]).strip()
    return next((str(t).strip() for t in valeur.values() if t), "")
