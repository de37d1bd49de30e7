"""Tableaux statistiques en XLSX, CSV pour Excel (``;``, UTF-8 avec BOM, virgule décimale) et ODS.

L'écriture elle-même (et la neutralisation des textes qu'un tableur exécuterait comme une formule)
est celle, unique, de ``core.tableur`` ; ce module y range les tableaux. Une case publiée est un
nombre (arrondi comme à l'écran, format français à l'affichage) ; une case secrète ou sans objet est
le texte ``s`` ou ``–``.
"""

from collections.abc import Sequence

from core.tableur import Feuille, ecrire_csv, ecrire_ods, ecrire_xlsx
from senacs.statistiques.tableaux import LEGENDE, NOTE_METHODE, Tableaux, methode_plate, tableau_plat

__all__ = ["FORMATS", "Feuille", "en_csv", "en_ods", "en_xlsx", "feuilles_tableaux", "tableaux_en"]


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


# --------------------------------------------------------------------------- formats


def en_csv(feuille: Feuille) -> bytes:
    """Une feuille en CSV pour Excel : ``;``, UTF-8 avec BOM, virgule décimale, sans séparateur de milliers."""
    return ecrire_csv(feuille.entetes, feuille.lignes)


def en_xlsx(feuilles: Sequence[Feuille], *, titre: str = "") -> bytes:
    return ecrire_xlsx(feuilles, titre=titre)


def en_ods(feuilles: Sequence[Feuille], *, titre: str = "") -> bytes:
    return ecrire_ods(feuilles, titre=titre)


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
