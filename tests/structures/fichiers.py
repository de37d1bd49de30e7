"""Fichiers de registre pour les tests : lignes valides (Rhône, Ain) et classeurs CSV ou XLSX."""

import csv
import datetime
import io
import re

import xlsxwriter

from core import registre

SIRET_VALIDE = "73282932000074"


def ligne(**valeurs) -> dict:
    """Une ligne valide (centre social du Rhône) ; les arguments remplacent des colonnes."""
    base = {
        "identifiant": "CS69001",
        "type": "CS",
        "nom": "Centre social de la Croix-Rousse",
        "siret": SIRET_VALIDE,
        "adresse": "12 rue d'Austerlitz",
        "code_postal": "69004",
        "commune_insee": "69384",
        "commune": "Lyon 4e Arrondissement",
        "departement": "69",
        "email": "contact@cs-croixrousse.fr",
        "site_web": "https://cs-croixrousse.fr",
        "gestionnaire": "Association de la Croix-Rousse",
        "mode_gestion": "associatif",
        "type_territoire": "urbain",
        "taille_territoire": "quartiers",
        "geographie_prioritaire": "qpv",
        "adherent_fcsf": "oui",
        "autre_federation": "non",
        "gens_du_voyage": "non",
        "multi_sites": "non",
        "itinerante": "non",
        "nombre_sites": "1",
        "population_zone": "12000",
        "annee_creation": "1975",
        "zfrr": "non",
        "date_premier_agrement": "15/09/1979",
        "agrement_debut": "01/01/2022",
        "agrement_fin": "31/12/2025",
        "active": "oui",
    }
    base.update(valeurs)
    return base


def ligne_01(**valeurs) -> dict:
    base = {
        "identifiant": "EVS01001",
        "type": "EVS",
        "nom": "Espace de vie sociale de Bourg",
        "siret": "",
        "code_postal": "01000",
        "commune_insee": "01053",
        "commune": "Bourg-en-Bresse",
        "departement": "01",
        "gestionnaire": "",
    }
    return ligne(**{**base, **valeurs})


def fichier_csv(lignes, separateur=";", bom=True, colonnes=None, encodage="utf-8") -> bytes:
    colonnes = colonnes or list(registre.COLONNES)
    tampon = io.StringIO(newline="")
    ecrivain = csv.writer(tampon, delimiter=separateur, lineterminator="\r\n")
    ecrivain.writerow(colonnes)
    for valeurs in lignes:
        ecrivain.writerow([valeurs.get(c, "") for c in colonnes])
    texte = tampon.getvalue()
    return (("\ufeff" if bom else "") + texte).encode(encodage)


def fichier_xlsx(lignes, colonnes=None, typer=True) -> bytes:
    """Classeur comme en produit un tableur : nombres en nombres, dates en dates (si ``typer``)."""
    colonnes = colonnes or list(registre.COLONNES)
    tampon = io.BytesIO()
    classeur = xlsxwriter.Workbook(tampon, {"in_memory": True})
    feuille = classeur.add_worksheet("Feuil1")
    format_date = classeur.add_format({"num_format": "dd/mm/yyyy"})
    feuille.write_row(0, 0, colonnes)
    for i, valeurs in enumerate(lignes, start=1):
        for j, colonne in enumerate(colonnes):
            v = valeurs.get(colonne, "")
            if v == "":
                continue
            if typer and colonne in registre.COLONNES_DATES and re.fullmatch(r"\d\d/\d\d/\d{4}", v):
                jour = datetime.datetime.strptime(v, "%d/%m/%Y")
                feuille.write_datetime(i, j, jour, format_date)
            elif typer and colonne in ("nombre_sites", "population_zone", "annee_creation", "siret", "code_postal"):
                feuille.write_number(i, j, int(v))
            else:
                feuille.write_string(i, j, v)
    classeur.close()
    return tampon.getvalue()
