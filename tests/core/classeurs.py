"""Classeurs XLSX écrits « par un autre outil » pour les tests d'import XLSForm."""

from pathlib import Path

import xlsxwriter

SETTINGS = [["form_title", "form_id", "version"], ["Enquête structures", "enquete", "2026"]]


def ecrire_classeur(chemin: Path, **feuilles: list[list]) -> Path:
    """Classeur XLSX écrit « par un autre outil » : une feuille par argument, la première ligne est l'en-tête."""
    classeur = xlsxwriter.Workbook(str(chemin))
    for nom, lignes in feuilles.items():
        feuille = classeur.add_worksheet(nom)
        for i, ligne in enumerate(lignes):
            for j, valeur in enumerate(ligne):
                if isinstance(valeur, bool):
                    feuille.write_boolean(i, j, valeur)
                elif isinstance(valeur, int | float):
                    feuille.write_number(i, j, valeur)
                elif valeur not in (None, ""):
                    feuille.write_string(i, j, valeur)
    classeur.close()
    return chemin
