"""Tableurs : la seule lecture des fichiers déposés et la seule écriture des exports.

Python pur (aucun import de Django).

**Lecture.** Un classeur XLSX ou ODS est un zip de XML : avant de le confier à python-calamine, qui
réserve d'un bloc le rectangle allant de A1 à la dernière cellule remplie, on le *mesure* en flux —
nombre d'entrées du zip, taille décompressée réelle, dimensions déclarées, rectangle occupé et
nombre de cellules de chaque feuille (répétitions ODS comprises), temps passé — et l'on refuse avec
un message en français tout ce qui dépasse ``Limites``. Un fichier de quelques kilo-octets qui
déclare la cellule XFD1048576 est ainsi refusé en quelques millisecondes au lieu d'épuiser la mémoire.

**Écriture.** CSV (pour Excel en français : ``;``, UTF-8 avec BOM), XLSX (xlsxwriter) et ODS
(OpenDocument écrit ici même) reçoivent les mêmes ``Feuille``. Aucune cellule de texte ne peut être
exécutée comme une formule par un tableur : en CSV, un texte qui commence par ``=``, ``+``, ``-``,
``@``, une tabulation ou un retour chariot (et qui n'est pas un nombre) est précédé d'une apostrophe
(que ``lire_csv`` retire à la relecture) ; en XLSX il est écrit comme texte marqué « préfixe
apostrophe » (la valeur reste intacte) ; en ODS une cellule de texte n'est jamais une formule.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr


class FichierIllisible(Exception):
    """Le fichier ne peut pas être lu (format, encodage, classeur endommagé ou démesuré). Message en français."""


# =========================================================================== lecture


@dataclass(frozen=True)
class Limites:
    """Bornes d'un classeur déposé. Au-delà, le fichier est refusé avant d'être lu."""

    cellules: int = 1_000_000  # rectangle A1 → dernière cellule remplie, par feuille et au total
    lignes: int = 200_000
    colonnes: int = 2_000
    octets_decompresses: int = 100 * 1024 * 1024  # somme des entrées du zip, mesurée en décompressant
    entrees: int = 2_000  # fichiers dans le zip
    secondes: float = 10.0  # temps de mesure


LIMITES = Limites()

_SIGNATURES = {"xlsx": b"PK\x03\x04", "ods": b"PK\x03\x04", "xls": b"\xd0\xcf\x11\xe0"}
_MORCEAU = 64 * 1024
_RE_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def _nombre_fr(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def _colonne(lettres: str) -> int:
    n = 0
    for c in lettres.upper():
        n = n * 26 + ord(c) - 64
    return n


def _ref(ref: str) -> tuple[int, int] | None:
    """« XFD1048576 » → (1048576, 16384) ; None si illisible."""
    m = _RE_REF.match(ref.strip())
    return (int(m.group(2)), _colonne(m.group(1))) if m else None


class _Mesure:
    """Rectangle occupé et cellules d'une feuille ; lève FichierIllisible au premier dépassement."""

    def __init__(self, nom: str, limites: Limites, total: list[int]):
        self.nom = nom
        self.limites = limites
        self.total = total  # [cellules de toutes les feuilles], partagé
        self.lignes = 0
        self.colonnes = 0

    def etendre(self, ligne: int, colonne: int, cellules: int = 1) -> None:
        lim = self.limites
        if ligne > self.lignes:
            self.lignes = ligne
        if colonne > self.colonnes:
            self.colonnes = colonne
        self.total[0] += cellules
        if self.lignes > lim.lignes:
            raise FichierIllisible(
                f"la feuille « {self.nom} » va jusqu'à la ligne {_nombre_fr(self.lignes)} : "
                f"la limite est de {_nombre_fr(lim.lignes)} lignes."
            )
        if self.colonnes > lim.colonnes:
            raise FichierIllisible(
                f"la feuille « {self.nom} » va jusqu'à la colonne {_nombre_fr(self.colonnes)} : "
                f"la limite est de {_nombre_fr(lim.colonnes)} colonnes."
            )
        if self.lignes * self.colonnes > lim.cellules or self.total[0] > lim.cellules:
            raise FichierIllisible(
                f"la feuille « {self.nom} » couvre plus de {_nombre_fr(lim.cellules)} cellules "
                f"({_nombre_fr(self.lignes)} lignes × {_nombre_fr(self.colonnes)} colonnes) : "
                "supprimez les lignes et colonnes inutiles ou découpez le fichier."
            )


class _Lecteur:
    """Décompresse les entrées d'un zip en comptant les octets et le temps."""

    def __init__(self, archive: zipfile.ZipFile, limites: Limites):
        self.archive = archive
        self.limites = limites
        self.octets = 0
        self.debut = time.monotonic()

    def verifier_temps(self) -> None:
        if time.monotonic() - self.debut > self.limites.secondes:
            raise FichierIllisible(
                f"le classeur demande plus de {self.limites.secondes:g} secondes de lecture : découpez-le."
            )

    def morceaux(self, info: zipfile.ZipInfo) -> Iterable[bytes]:
        with self.archive.open(info) as flux:
            while morceau := flux.read(_MORCEAU):
                self.octets += len(morceau)
                if self.octets > self.limites.octets_decompresses:
                    mo = self.limites.octets_decompresses // (1024 * 1024)
                    raise FichierIllisible(
                        f"le classeur décompressé dépasse {mo} Mo : ce n'est pas un tableau ordinaire."
                    )
                self.verifier_temps()
                yield morceau

    def analyser(self, info: zipfile.ZipInfo, debut, fin=None) -> None:
        parseur = expat.ParserCreate(namespace_separator=" ")
        parseur.buffer_text = True

        def doctype(*_args):
            raise FichierIllisible("le classeur contient une déclaration de type de document (DTD) : refusé.")

        parseur.StartDoctypeDeclHandler = doctype
        parseur.EntityDeclHandler = doctype
        parseur.StartElementHandler = debut
        if fin is not None:
            parseur.EndElementHandler = fin
        try:
            for morceau in self.morceaux(info):
                parseur.Parse(morceau, False)
            parseur.Parse(b"", True)
        except expat.ExpatError as e:
            raise FichierIllisible(f"le classeur est endommagé ({info.filename} : XML invalide).") from e


_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _mesurer_xlsx(lecteur: _Lecteur, total: list[int]) -> None:
    for info in lecteur.archive.infolist():
        nom = info.filename
        if not (nom.startswith("xl/worksheets/") and nom.endswith(".xml")):
            continue
        mesure = _Mesure(nom.rsplit("/", 1)[-1].removesuffix(".xml"), lecteur.limites, total)
        etat = {"ligne": 0, "colonne": 0}

        def debut(balise: str, attributs: dict[str, str], mesure=mesure, etat=etat) -> None:
            espace, _, local = balise.rpartition(" ")
            if espace and espace != _NS_MAIN:
                return
            if local == "dimension":
                # Dimensions déclarées : « A1:XFD1048576 » est refusé même si les cellules manquent.
                for morceau in attributs.get("ref", "").split(":"):
                    position = _ref(morceau)
                    if position:
                        mesure.etendre(*position, cellules=0)
            elif local == "row":
                r = attributs.get("r")
                etat["ligne"] = int(r) if r and r.isdigit() else etat["ligne"] + 1
                etat["colonne"] = 0
                mesure.etendre(etat["ligne"], 1, cellules=0)
            elif local == "c":
                position = _ref(attributs.get("r", ""))
                if position:
                    etat["ligne"], etat["colonne"] = position
                else:
                    etat["colonne"] += 1
                mesure.etendre(max(etat["ligne"], 1), etat["colonne"])

        lecteur.analyser(info, debut)


def _mesurer_ods(lecteur: _Lecteur, total: list[int]) -> None:
    try:
        info = lecteur.archive.getinfo("content.xml")
    except KeyError as e:
        raise FichierIllisible("le classeur ODS n'a pas de contenu (content.xml absent).") from e
    etat: dict[str, Any] = {"mesure": None, "ligne": 0, "rep_lignes": 1, "colonne": 0, "cellule": None}

    def repete(attributs: dict[str, str], nom: str) -> int:
        valeur = attributs.get(f"{_NS_TABLE} {nom}", "1")
        return int(valeur) if valeur.isdigit() and int(valeur) > 0 else 1

    def debut(balise: str, attributs: dict[str, str]) -> None:
        espace, _, local = balise.rpartition(" ")
        cellule = etat["cellule"]
        if cellule is not None and espace != _NS_TABLE:
            cellule[1] = True  # contenu (text:p…) : la cellule compte
        if espace != _NS_TABLE:
            return
        if local == "table":
            etat["mesure"] = _Mesure(attributs.get(f"{_NS_TABLE} name", "?"), lecteur.limites, total)
            etat["ligne"] = 0
        elif local == "table-row":
            etat["rep_lignes"] = repete(attributs, "number-rows-repeated")
            etat["colonne"] = 0
        elif local in ("table-cell", "covered-table-cell"):
            remplie = f"{_NS_OFFICE} value-type" in attributs or f"{_NS_TABLE} formula" in attributs
            etat["cellule"] = [repete(attributs, "number-columns-repeated"), remplie]

    def fin(balise: str) -> None:
        espace, _, local = balise.rpartition(" ")
        if espace != _NS_TABLE:
            return
        mesure = etat["mesure"]
        if local in ("table-cell", "covered-table-cell") and etat["cellule"] is not None:
            colonnes, remplie = etat["cellule"]
            etat["cellule"] = None
            etat["colonne"] += colonnes
            if remplie and mesure is not None:
                # Une cellule remplie répétée sur n lignes et m colonnes occupe n × m cellules.
                mesure.etendre(etat["ligne"] + etat["rep_lignes"], etat["colonne"], colonnes * etat["rep_lignes"])
        elif local == "table-row":
            etat["ligne"] += etat["rep_lignes"]
            lecteur.verifier_temps()

    lecteur.analyser(info, debut, fin)


def mesurer(contenu: bytes, extension: str, limites: Limites = LIMITES) -> None:
    """Refuse (FichierIllisible) un classeur XLSX ou ODS démesuré, sans le lire. Rien pour XLS et CSV."""
    if extension not in ("xlsx", "ods"):
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(contenu))
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise FichierIllisible(f"le classeur ne peut pas être lu ({e}).") from e
    with archive:
        infos = archive.infolist()
        if len(infos) > limites.entrees:
            raise FichierIllisible(f"le classeur contient {_nombre_fr(len(infos))} fichiers internes : refusé.")
        if sum(i.file_size for i in infos) > limites.octets_decompresses:
            mo = limites.octets_decompresses // (1024 * 1024)
            raise FichierIllisible(f"le classeur décompressé dépasse {mo} Mo : ce n'est pas un tableau ordinaire.")
        lecteur = _Lecteur(archive, limites)
        total = [0]
        try:
            if extension == "xlsx":
                _mesurer_xlsx(lecteur, total)
            else:
                _mesurer_ods(lecteur, total)
            # Les autres entrées (chaînes partagées, styles…) sont lues par calamine : leur taille réelle
            # compte aussi (un en-tête de zip peut mentir sur la taille décompressée).
            mesurees = {"content.xml"} if extension == "ods" else set()
            for info in infos:
                if info.filename in mesurees or info.filename.startswith("xl/worksheets/"):
                    continue
                for _ in lecteur.morceaux(info):
                    pass
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as e:
            raise FichierIllisible(f"le classeur est endommagé ({type(e).__name__}).") from e


def _ouvrir(contenu: bytes, extension: str, limites: Limites):
    from python_calamine import CalamineWorkbook

    if extension not in _SIGNATURES:
        raise FichierIllisible(f"format de fichier « {extension} » non pris en charge.")
    if not contenu.startswith(_SIGNATURES[extension]):
        raise FichierIllisible(f"le fichier n'est pas un classeur {extension.upper()} valide.")
    mesurer(contenu, extension, limites)
    classeur = CalamineWorkbook.from_filelike(io.BytesIO(contenu))
    if not classeur.sheet_names:
        raise FichierIllisible("le classeur ne contient aucune feuille.")
    return classeur


def _proteger(lecture):
    try:
        return lecture()
    except FichierIllisible:
        raise
    except (ValueError, OSError) as e:
        raise FichierIllisible(f"le classeur ne peut pas être lu ({e}).") from e
    except Exception as e:  # python-calamine lève ses propres exceptions (CalamineError, ZipError, XmlError…)
        raise FichierIllisible(f"le classeur ne peut pas être lu ({type(e).__name__}).") from e


def lire_classeur(contenu: bytes, extension: str, limites: Limites = LIMITES) -> list[list[Any]]:
    """Cellules de la première feuille d'un classeur XLSX, XLS ou ODS, mesuré avant d'être lu."""

    def lecture():
        classeur = _ouvrir(contenu, extension, limites)
        return classeur.get_sheet_by_index(0).to_python(skip_empty_area=False)

    return _proteger(lecture)


def lire_feuilles(
    contenu: bytes, extension: str, noms: Iterable[str] | None = None, limites: Limites = LIMITES
) -> dict[str, list[list[Any]]]:
    """Feuilles d'un classeur (toutes, ou celles dont le nom est dans ``noms``), mesuré avant d'être lu."""

    def lecture():
        classeur = _ouvrir(contenu, extension, limites)
        voulues = None if noms is None else set(noms)
        return {
            nom: classeur.get_sheet_by_name(nom).to_python(skip_empty_area=False)
            for nom in classeur.sheet_names
            if voulues is None or nom in voulues
        }

    return _proteger(lecture)


def noms_feuilles(contenu: bytes, extension: str, limites: Limites = LIMITES) -> list[str]:
    return _proteger(lambda: list(_ouvrir(contenu, extension, limites).sheet_names))


def lire_csv(contenu: bytes) -> list[list[str]]:
    """CSV en UTF-8 (avec ou sans BOM ; à défaut Windows-1252, l'encodage d'Excel en France),
    séparateur « ; » ou « , » détecté sur la ligne d'en-tête. L'apostrophe posée par ``neutraliser``
    devant un texte qui commence comme une formule est retirée."""
    if b"\x00" in contenu[:4096]:
        raise FichierIllisible("ce fichier n'est pas un CSV texte (enregistrez-le en « CSV UTF-8 »).")
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        texte = contenu.decode("cp1252", errors="replace")
    premiere = texte.split("\n", 1)[0]
    sans_guillemets = re.sub(r'"[^"]*"', "", premiere)
    separateur = ";" if sans_guillemets.count(";") >= sans_guillemets.count(",") else ","
    try:
        return [
            [_deneutraliser(c) for c in ligne]
            for ligne in csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
        ]
    except csv.Error as e:
        raise FichierIllisible(f"CSV mal formé ({e}).") from e


def lire_fichier(contenu: bytes, extension: str, limites: Limites = LIMITES) -> list[list[Any]]:
    """Cellules de la première feuille (ou du CSV), ligne par ligne, en-tête compris."""
    if extension == "csv":
        return lire_csv(contenu)
    if extension in _SIGNATURES:
        return lire_classeur(contenu, extension, limites)
    raise FichierIllisible(f"format de fichier « {extension} » non pris en charge.")


# =========================================================================== écriture

_DEBUTS_FORMULE = ("=", "+", "-", "@", "\t", "\r")
_RE_NOMBRE = re.compile(r"^[+-]?(\d[\d\s\u00a0\u202f]*)?([.,]\d+)?(e[+-]?\d+)?\s*%?$", re.IGNORECASE)


def formule_possible(texte: str) -> bool:
    """Un tableur exécuterait-il ce texte comme une formule ? (un nombre signé n'en est pas une)."""
    return texte.startswith(_DEBUTS_FORMULE) and not (
        any(c.isdigit() for c in texte) and _RE_NOMBRE.match(texte.strip()) is not None
    )


def neutraliser(texte: str) -> str:
    """Texte d'une cellule CSV : précédé d'une apostrophe s'il commence comme une formule."""
    return "'" + texte if formule_possible(texte) else texte


def _deneutraliser(texte: str) -> str:
    return texte[1:] if texte.startswith("'") and formule_possible(texte[1:]) else texte


@dataclass
class Feuille:
    """Une feuille d'export. Cellules : str, int, float, date, bool, None, ou un objet « case » qui
    porte ``nombre`` (ou None), ``texte``, ``decimales`` et ``texte_csv`` (cases des tableaux)."""

    nom: str
    entetes: Sequence[str]
    lignes: Iterable[Sequence[Any]]
    avant: list[str] = field(default_factory=list)  # lignes de texte au-dessus de l'en-tête
    apres: list[str] = field(default_factory=list)  # lignes de texte sous le tableau
    largeurs: dict[int, int] = field(default_factory=dict)
    largeur: int = 16
    colonnes_texte: frozenset[int] = frozenset()  # entiers écrits comme du texte (codes, identifiants)
    format_nombre: str | None = None  # format des nombres décimaux (ex. « 0.0 »)
    figer_colonnes: int = 0
    filtre: bool = True


def _est_case(v: Any) -> bool:
    return hasattr(v, "texte_csv") and hasattr(v, "nombre")


def texte_csv(v: Any) -> str:
    """Texte d'une cellule CSV : vide pour None, oui/non, JJ/MM/AAAA, nombre tel quel, texte neutralisé."""
    if v is None:
        return ""
    if _est_case(v):
        return neutraliser(v.texte_csv)
    if isinstance(v, bool):
        return "oui" if v else "non"
    if isinstance(v, datetime.datetime):
        return v.strftime("%d/%m/%Y %H:%M")
    if isinstance(v, datetime.date):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, int | float):
        return str(v)
    return neutraliser(str(v))


def ecrire_csv(
    entetes: Sequence[str],
    lignes: Iterable[Sequence[Any]],
    *,
    separateur: str = ";",
    bom: bool = True,
    fin_ligne: str = "\r\n",
    flux: IO[str] | None = None,
) -> bytes:
    """CSV (par défaut pour Excel en français : « ; », UTF-8 avec BOM, CRLF). Écrit dans ``flux`` s'il
    est donné (et renvoie b""), sinon renvoie les octets."""
    tampon = flux if flux is not None else io.StringIO(newline="")
    if bom and flux is None:
        tampon.write("\ufeff")
    ecrivain = csv.writer(tampon, delimiter=separateur, lineterminator=fin_ligne)
    ecrivain.writerow([neutraliser(str(e)) for e in entetes])
    for ligne in lignes:
        ecrivain.writerow([texte_csv(v) for v in ligne])
    if flux is not None:
        return b""
    return tampon.getvalue().encode("utf-8")  # type: ignore[attr-defined]


def ecrire_xlsx(feuilles: Sequence[Feuille], *, titre: str = "") -> bytes:
    """Classeur XLSX : en-tête en gras figé, filtre, nombres en nombres, dates en dates, textes en texte
    (jamais en formule)."""
    import xlsxwriter

    tampon = io.BytesIO()
    classeur = xlsxwriter.Workbook(tampon, {"in_memory": True, "strings_to_formulas": False})
    classeur.set_properties({"title": titre, "author": "SENACS", "language": "fr-FR"})
    entete = classeur.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
    gras = classeur.add_format({"bold": True})
    symbole = classeur.add_format({"align": "right"})
    apostrophe = classeur.add_format({"quote_prefix": True})
    date = classeur.add_format({"num_format": "dd/mm/yyyy"})
    horodate = classeur.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    decimales = {d: classeur.add_format({"num_format": "#,##0" + ("." + "0" * d if d else "")}) for d in range(4)}

    def texte(ws, ligne: int, col: int, valeur: str, fmt=None) -> None:
        ws.write_string(ligne, col, valeur, apostrophe if formule_possible(valeur) else fmt)

    for f in feuilles:
        ws = classeur.add_worksheet(f.nom[:31])
        format_nombre = classeur.add_format({"num_format": f.format_nombre}) if f.format_nombre else None
        ligne = 0
        for i, t in enumerate(f.avant):
            texte(ws, ligne, 0, t, gras if i == 0 else None)
            ligne += 1
        for col, e in enumerate(f.entetes):
            texte(ws, ligne, col, str(e), entete)
        ws.freeze_panes(ligne + 1, f.figer_colonnes)
        debut = ligne
        ligne += 1
        for valeurs in f.lignes:
            for col, v in enumerate(valeurs):
                if v is None or v == "":
                    continue
                if _est_case(v):
                    if v.nombre is None:
                        texte(ws, ligne, col, v.texte, symbole)
                    else:
                        ws.write_number(ligne, col, v.nombre, decimales[min(v.decimales, 3)])
                elif isinstance(v, bool):
                    ws.write_string(ligne, col, "oui" if v else "non")
                elif isinstance(v, datetime.datetime):
                    ws.write_datetime(ligne, col, v.replace(tzinfo=None), horodate)
                elif isinstance(v, datetime.date):
                    ws.write_datetime(ligne, col, datetime.datetime.combine(v, datetime.time()), date)
                elif isinstance(v, int | float) and col not in f.colonnes_texte:
                    ws.write_number(ligne, col, v, format_nombre if isinstance(v, float) else None)
                else:
                    texte(ws, ligne, col, str(v))
            ligne += 1
        if f.filtre and f.entetes:
            ws.autofilter(debut, 0, max(ligne - 1, debut + 1), len(f.entetes) - 1)
        for t in f.apres:
            texte(ws, ligne, 0, t)
            ligne += 1
        for col in range(len(f.entetes)):
            ws.set_column(col, col, f.largeurs.get(col, f.largeur))
    classeur.close()
    return tampon.getvalue()


# --------------------------------------------------------------------------- ODS

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def _styles_nombres() -> str:
    styles = []
    for d in range(4):
        styles.append(
            f'<number:number-style style:name="N{d}"><number:number number:decimal-places="{d}" '
            f'number:min-decimal-places="{d}" number:min-integer-digits="1" number:grouping="true"/>'
            "</number:number-style>"
            f'<style:style style:name="ce{d}" style:family="table-cell" style:data-style-name="N{d}"/>'
        )
    styles.append(
        '<style:style style:name="entete" style:family="table-cell"><style:text-properties fo:font-weight="bold"/>'
        "</style:style>"
        '<style:style style:name="symbole" style:family="table-cell">'
        '<style:paragraph-properties fo:text-align="end"/></style:style>'
    )
    return "".join(styles)


def _texte_ods(texte: str, style: str = "") -> str:
    attribut = f' table:style-name="{style}"' if style else ""
    return (
        f'<table:table-cell{attribut} office:value-type="string"><text:p>{escape(texte)}</text:p></table:table-cell>'
    )


def _cellule_ods(v: Any) -> str:
    if v is None or v == "":
        return "<table:table-cell/>"
    if _est_case(v):
        if v.nombre is None:
            return _texte_ods(v.texte, "symbole")
        return (
            f'<table:table-cell table:style-name="ce{min(v.decimales, 3)}" office:value-type="float" '
            f'office:value="{v.nombre!r}"><text:p>{escape(v.texte)}</text:p></table:table-cell>'
        )
    if isinstance(v, bool):
        return _texte_ods("oui" if v else "non")
    if isinstance(v, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{v!r}"><text:p>{v}</text:p></table:table-cell>'
        )
    if isinstance(v, datetime.date):
        return _texte_ods(texte_csv(v))
    return _texte_ods(str(v))


def _ligne_ods(cellules: list[str]) -> str:
    return "<table:table-row>" + "".join(cellules) + "</table:table-row>"


def ecrire_ods(feuilles: Sequence[Feuille], *, titre: str = "") -> bytes:
    """Classeur ODS : les textes sont des cellules de texte (jamais des formules)."""
    corps = []
    for f in feuilles:
        lignes = [_ligne_ods([_cellule_ods(t)]) for t in f.avant]
        lignes.append(_ligne_ods([_texte_ods(str(e), "entete") for e in f.entetes]))
        lignes += [_ligne_ods([_cellule_ods(v) for v in valeurs]) for valeurs in f.lignes]
        lignes += [_ligne_ods([_cellule_ods(t)]) for t in f.apres]
        corps.append(f"<table:table table:name={quoteattr(f.nom)}>{''.join(lignes)}</table:table>")
    contenu = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_NS} office:version="1.2">'
        f"<office:automatic-styles>{_styles_nombres()}</office:automatic-styles>"
        f"<office:body><office:spreadsheet>{''.join(corps)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    styles = f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {_NS} office:version="1.2"/>'
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {_NS} office:version="1.2"><office:meta>'
        f"<dc:title>{escape(titre)}</dc:title><dc:language>fr-FR</dc:language>"
        "<meta:generator>SENACS</meta:generator></office:meta></office:document-meta>"
    )
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", contenu, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("styles.xml", styles, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("meta.xml", meta, compress_type=zipfile.ZIP_DEFLATED)
    return tampon.getvalue()


TYPES_MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv; charset=utf-8",
}
