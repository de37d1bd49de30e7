"""Classeurs piégés de quelques kilo-octets (XLSX et ODS) : ils déclarent ou remplissent une cellule
lointaine, ou répètent une cellule remplie sur des millions de cases. Lus sans mesure, ils font réserver
des giga-octets à python-calamine. Utilisés par les tests et par ``bench/televersement.py``."""

import io
import zipfile

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook '
    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="registre" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _cellule(ref: str, texte: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{texte}</t></is></c>'


def xlsx(lignes: str = "", dimension: str = "") -> bytes:
    """Classeur XLSX d'une feuille (en-tête « nom » en A1) ; ``lignes`` : XML ajouté dans sheetData."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    feuille = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet '
        f'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dim}<sheetData>'
        f'<row r="1">{_cellule("A1", "nom")}</row>{lignes}</sheetData></worksheet>'
    )
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", feuille)
    return tampon.getvalue()


def xlsx_cellule_lointaine() -> bytes:
    """Une cellule remplie en XFD1048576 : calamine réserverait 16 384 × 1 048 576 cases (512 Gio)."""
    return xlsx(f'<row r="1048576">{_cellule("XFD1048576", "x")}</row>')


def xlsx_dimension_declaree() -> bytes:
    return xlsx(dimension="A1:XFD1048576")


def xlsx_dense(lignes: int, colonnes: int) -> bytes:
    """``lignes`` × ``colonnes`` cellules numériques identiques (très compressibles)."""
    ligne = "".join('<c t="n"><v>1</v></c>' for _ in range(colonnes))
    return xlsx("".join(f"<row>{ligne}</row>" for _ in range(lignes)))


_NS_ODS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods(lignes_xml: str) -> bytes:
    contenu = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS_ODS} office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="registre">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>nom</text:p></table:table-cell>'
        f"</table:table-row>{lignes_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
        z.writestr("content.xml", contenu, compress_type=zipfile.ZIP_DEFLATED)
    return tampon.getvalue()


def ods_repetee(lignes: int = 1_048_575, colonnes: int = 16_384, remplie: bool = True) -> bytes:
    """Une cellule (remplie ou vide) répétée sur ``lignes`` × ``colonnes`` cases."""
    contenu = ' office:value-type="string"><text:p>x</text:p></table:table-cell>' if remplie else "/>"
    return ods(
        f'<table:table-row table:number-rows-repeated="{lignes}">'
        f'<table:table-cell table:number-columns-repeated="{colonnes}"{contenu}</table:table-row>'
    )


# Bombes de moins de 10 Ko : toutes refusées par core.tableur.
BOMBES = {
    "xlsx-cellule-lointaine": (xlsx_cellule_lointaine, "xlsx"),
    "xlsx-dimension-declaree": (xlsx_dimension_declaree, "xlsx"),
    "ods-repetee": (ods_repetee, "ods"),
    "ods-repetee-moderee": (lambda: ods_repetee(3_000, 1_000), "ods"),
}
