"""core.tableur : lecture mesurée des classeurs déposés, écriture unique des exports sans formule."""

import io
import re
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from core import tableur
from core.tableur import Feuille, FichierIllisible, Limites
from tests import bombes


@pytest.mark.parametrize("nom", sorted(bombes.BOMBES))
def test_a_small_bomb_is_refused_before_being_read(nom):
    fabrique, extension = bombes.BOMBES[nom]
    contenu = fabrique()
    assert len(contenu) < 10_000
    with pytest.raises(FichierIllisible, match=r"limite|couvre plus de"):
        tableur.lire_fichier(contenu, extension)


def test_the_far_cell_message_is_french_and_names_the_sheet():
    with pytest.raises(FichierIllisible) as e:
        tableur.lire_classeur(bombes.xlsx_cellule_lointaine(), "xlsx")
    assert str(e.value) == (
        "la feuille « sheet1 » va jusqu'à la ligne 1\u202f048\u202f576 : la limite est de 200\u202f000 lignes."
    )


def test_the_cell_count_is_measured_before_reading():
    contenu = bombes.xlsx_dense(30, 40)
    assert len(tableur.lire_classeur(contenu, "xlsx")) == 31
    with pytest.raises(FichierIllisible, match="couvre plus de 1\u202f000 cellules"):
        tableur.lire_classeur(contenu, "xlsx", Limites(cellules=1_000))


def test_the_uncompressed_size_and_time_are_bounded():
    contenu = bombes.xlsx_dense(200, 50)
    with pytest.raises(FichierIllisible, match="décompressé dépasse"):
        tableur.lire_classeur(contenu, "xlsx", Limites(octets_decompresses=100_000))
    with pytest.raises(FichierIllisible, match="secondes de lecture"):
        tableur.lire_classeur(contenu, "xlsx", Limites(secondes=0))


def test_empty_repeated_ods_cells_are_harmless_and_filled_ones_count():
    # LibreOffice écrit des lignes vides répétées jusqu'en bas de la feuille : elles ne comptent pas.
    assert tableur.lire_classeur(bombes.ods_repetee(remplie=False), "ods") == [["nom"]]
    assert len(tableur.lire_classeur(bombes.ods_repetee(3, 4), "ods")) == 4
    with pytest.raises(FichierIllisible, match="couvre plus de"):
        tableur.lire_classeur(bombes.ods_repetee(3, 400), "ods", Limites(cellules=1_000))


def test_a_doctype_is_refused():
    contenu = bombes.xlsx()
    tampon = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(contenu)) as source, zipfile.ZipFile(tampon, "w") as cible:
        for info in source.infolist():
            donnees = source.read(info)
            if info.filename.endswith("sheet1.xml"):
                donnees = donnees.replace(b"?><worksheet", b'?><!DOCTYPE w [<!ENTITY a "b">]><worksheet', 1)
            cible.writestr(info, donnees)
    with pytest.raises(FichierIllisible, match="DTD"):
        tableur.lire_classeur(tampon.getvalue(), "xlsx")


def test_a_zip_with_too_many_entries_is_refused():
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as z:
        for i in range(30):
            z.writestr(f"x{i}", "")
    with pytest.raises(FichierIllisible, match="30 fichiers internes"):
        tableur.lire_classeur(tampon.getvalue(), "xlsx", Limites(entrees=20))


def test_not_a_zip_is_refused_in_french():
    with pytest.raises(FichierIllisible, match="le classeur ne peut pas être lu"):
        tableur.lire_classeur(b"PK\x03\x04 pas un zip", "xlsx")
    with pytest.raises(FichierIllisible, match="n'est pas un classeur ODS valide"):
        tableur.lire_classeur(b"pas un zip", "ods")


# --- Écriture --------------------------------------------------------------------------------------

DANGEREUX = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("texte", DANGEREUX)
def test_csv_neutralises_formulas(texte):
    octets = tableur.ecrire_csv(["nom"], [[texte]])
    lignes = octets.decode("utf-8-sig").split("\r\n")
    assert lignes[1].lstrip('"').startswith("'")
    # Relu par le même lecteur (réimport du registre), le texte revient intact.
    assert tableur.lire_csv(octets)[1] == [texte]


def test_csv_keeps_numbers_and_plain_text():
    octets = tableur.ecrire_csv(["a", "b", "c", "d"], [[-3, "-3,5", "Centre social", "+33 1 23 45 67 89"]])
    assert octets.decode("utf-8-sig").split("\r\n")[1] == "-3;-3,5;Centre social;+33 1 23 45 67 89"


def test_xlsx_writes_formula_like_text_as_quoted_text():
    octets = tableur.ecrire_xlsx([Feuille("F", ["=entete"], [[t] for t in DANGEREUX] + [[-4]])])
    with zipfile.ZipFile(io.BytesIO(octets)) as z:
        feuille = z.read("xl/worksheets/sheet1.xml").decode()
        styles = z.read("xl/styles.xml").decode()
    assert "<f>" not in feuille
    assert 'quotePrefix="1"' in styles
    valeurs = CalamineWorkbook.from_filelike(io.BytesIO(octets)).get_sheet_by_index(0).to_python()
    assert [v[0] for v in valeurs] == ["=entete", *DANGEREUX, -4]


def test_ods_writes_formula_like_text_as_text():
    octets = tableur.ecrire_ods([Feuille("F", ["nom"], [[t] for t in DANGEREUX])])
    with zipfile.ZipFile(io.BytesIO(octets)) as z:
        contenu = z.read("content.xml").decode()
    assert "table:formula" not in contenu
    valeurs = CalamineWorkbook.from_filelike(io.BytesIO(octets)).get_sheet_by_index(0).to_python()
    assert [v[0] for v in valeurs[1:]] == [t.replace("\r", "\n") if t == "\rx" else t for t in DANGEREUX]


def test_every_export_goes_through_the_one_writer():
    """Aucun autre module n'écrit de CSV ou de classeur lui-même (la neutralisation serait contournée).
    Seul le modèle XLSForm (core/questionnaire/xlsform.py), fichier d'exploitation, garde son écriture."""
    from pathlib import Path

    racine = Path(__file__).resolve().parents[2]
    exceptions = {Path("core/tableur.py"), Path("core/questionnaire/xlsform.py")}
    fautifs = [
        str(chemin.relative_to(racine))
        for dossier in ("core", "senacs")
        for chemin in (racine / dossier).rglob("*.py")
        if chemin.relative_to(racine) not in exceptions
        and re.search(r"csv\.writer\(|csv\.DictWriter\(|import xlsxwriter", chemin.read_text(encoding="utf-8"))
    ]
    assert fautifs == []
