"""Écriture des tableaux en XLSX (xlsxwriter), CSV pour Excel (``;``, UTF-8 avec BOM, virgule décimale)
et ODS (OpenDocument écrit ici même : un zip de quelques fichiers XML, sans dépendance).

Les trois reçoivent les mêmes feuilles : des lignes de texte et de ``Case`` (valeur, statut,
décimales). Une case publiée est un nombre (arrondi comme à l'écran, format français à l'affichage) ;
une case secrète ou sans objet est le texte ``s`` ou ``–``.
"""

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

import xlsxwriter

from senacs.statistiques.tableaux import LEGENDE, NOTE_METHODE, Case, Tableaux, methode_plate, tableau_plat


@dataclass
class Feuille:
    nom: str
    entetes: list[str]
    lignes: list[list]  # str | Case | None
    avant: list[str] = field(default_factory=list)  # lignes de texte au-dessus de l'en-tête
    apres: list[str] = field(default_factory=list)  # lignes de texte sous le tableau
    largeurs: dict[int, int] = field(default_factory=dict)


def feuilles_tableaux(tableaux: Tableaux) -> list[Feuille]:
    entetes, lignes = tableau_plat(tableaux)
    m_entetes, m_lignes = methode_plate(tableaux)
    return [
        Feuille("Tableaux", entetes, lignes, largeurs={0: 8, 1: 9, 2: 50, 3: 30, 4: 12}),
        Feuille(
            "Méthode",
            m_entetes,
            m_lignes,
            avant=[tableaux.titre, tableaux.note_diffusion, LEGENDE, ""],
            apres=["", *NOTE_METHODE],
            largeurs={0: 40, 1: 24, 2: 14, 3: 14, 4: 14},
        ),
    ]


# --------------------------------------------------------------------------- CSV


def en_csv(feuille: Feuille) -> bytes:
    """Une feuille en CSV pour Excel : ``;``, UTF-8 avec BOM, virgule décimale, sans séparateur de milliers."""
    tampon = io.StringIO()
    tampon.write("\ufeff")
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(feuille.entetes)
    for ligne in feuille.lignes:
        ecrivain.writerow([v.texte_csv if isinstance(v, Case) else ("" if v is None else v) for v in ligne])
    return tampon.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- XLSX


def en_xlsx(feuilles: Sequence[Feuille], *, titre: str = "") -> bytes:
    tampon = io.BytesIO()
    classeur = xlsxwriter.Workbook(tampon, {"in_memory": True})
    classeur.set_properties({"title": titre, "author": "SENACS", "language": "fr-FR"})
    entete = classeur.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
    gras = classeur.add_format({"bold": True})
    symbole = classeur.add_format({"align": "right"})
    formats = {d: classeur.add_format({"num_format": "#,##0" + ("." + "0" * d if d else "")}) for d in range(4)}
    texte = classeur.add_format({"text_wrap": False})
    for f in feuilles:
        ws = classeur.add_worksheet(f.nom[:31])
        ligne = 0
        for i, t in enumerate(f.avant):
            ws.write_string(ligne, 0, t, gras if i == 0 else texte)
            ligne += 1
        ws.write_row(ligne, 0, f.entetes, entete)
        ws.freeze_panes(ligne + 1, 0)
        debut = ligne
        ligne += 1
        for valeurs in f.lignes:
            for col, v in enumerate(valeurs):
                if isinstance(v, Case):
                    if v.nombre is None:
                        ws.write_string(ligne, col, v.texte, symbole)
                    else:
                        ws.write_number(ligne, col, v.nombre, formats[min(v.decimales, 3)])
                elif v is not None and v != "":
                    ws.write_string(ligne, col, str(v))
            ligne += 1
        if f.lignes:
            ws.autofilter(debut, 0, ligne - 1, len(f.entetes) - 1)
        for t in f.apres:
            ws.write_string(ligne, 0, t, texte)
            ligne += 1
        for col in range(len(f.entetes)):
            ws.set_column(col, col, f.largeurs.get(col, 16))
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


def _cellule_ods(v) -> str:
    if isinstance(v, Case):
        if v.nombre is None:
            return (
                '<table:table-cell table:style-name="symbole" office:value-type="string">'
                f"<text:p>{escape(v.texte)}</text:p></table:table-cell>"
            )
        return (
            f'<table:table-cell table:style-name="ce{min(v.decimales, 3)}" office:value-type="float" '
            f'office:value="{v.nombre!r}"><text:p>{escape(v.texte)}</text:p></table:table-cell>'
        )
    if v is None or v == "":
        return "<table:table-cell/>"
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'


def _ligne_ods(cellules: list[str]) -> str:
    return "<table:table-row>" + "".join(cellules) + "</table:table-row>"


def en_ods(feuilles: Sequence[Feuille], *, titre: str = "") -> bytes:
    corps = []
    for f in feuilles:
        lignes = [_ligne_ods([_cellule_ods(t)]) for t in f.avant]
        lignes.append(
            _ligne_ods(
                [
                    '<table:table-cell table:style-name="entete" office:value-type="string">'
                    f"<text:p>{escape(e)}</text:p></table:table-cell>"
                    for e in f.entetes
                ]
            )
        )
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


FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
    "csv": ("text/csv; charset=utf-8", "csv"),
}


def tableaux_en(format_: str, tableaux: Tableaux) -> bytes:
    feuilles = feuilles_tableaux(tableaux)
    if format_ == "xlsx":
        return en_xlsx(feuilles, titre=tableaux.titre)
    if format_ == "ods":
        return en_ods(feuilles, titre=tableaux.titre)
    if format_ == "csv":
        return en_csv(feuilles[0])
    raise ValueError(f"Format inconnu : {format_}")
