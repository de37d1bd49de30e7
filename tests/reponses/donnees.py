"""Données de réponse pour les tests : une réponse complète et fichiers d'import (CSV, XLSX)."""

import datetime
import io

import xlsxwriter
from django.utils import timezone

from senacs.campagnes.models import Phase
from senacs.reponses.services import reponse_enregistrer
from tests.factories import CampagneFactory

# Une réponse complète et cohérente d'un centre social du Rhône (aucune anomalie bloquante).
VALEURS_COMPLETES = {
    "A01": "Centre social de la Croix-Rousse",
    "A02": "12 rue d'Austerlitz",
    "A03": "69004",
    "A04": "69384",
    "A05": "69",
    "A06": "accueil@cs-croix-rousse.fr",
    "A08": "73282932000074",
    "A09": "1998-09-01",
    "A10": "2023-01-01",
    "A11": "2026-12-31",
    "A12": 30000,
    "A14A": "Vivre ensemble",
    "A15": "associatif",
    "A16": "urbain",
    "A17": "quartiers",
    "A18": "non_concerne",
    "A19": True,
    "A20": "non",
    "A21": False,
    "A22": False,
    "A23": False,
    "B01": "Isolement des personnes âgées",
    "B02": "Accueil des familles",
    "B05": True,
    "B08": 220,
    "C04": 12,
    "C10": ["diagnostic", "evaluation"],
    "D01": 40,
    "D02": 12,
    "D03": 48,
    "E01": 14,
    "E02": 10.5,
    "E10": 1,
    "E12": True,
    "E13": 1,
    "E14": 2,
    "E15": 5,
    "E16": 1.5,
    "F02": 600000,
    "F03": 400000,
    "F04": 610000,
    "F06": 75000,
    "F07": 25000,
    "F11": 300000,
    "F13": 60000,
    "F15": 50000,
    "F18": 50000,
    "F19": 10000,
    "F20": 40000,
    "F24": 620000,
    "G01": True,
    "G02": True,
    "H01": 2500,
    "H02A": 10,
    "H02B": 20,
    "H02C": 15,
    "H02D": 10,
    "H02E": 30,
    "H02F": 15,
    "H03": True,
    "H10": True,
    "H11": 80,
}


ENTETE = ["structure", "E01", "E02", "F04", "B03", "B06", "B07", "A09", "A15"]


def csv_(lignes, separateur=";", bom=True) -> bytes:
    texte = "\r\n".join(separateur.join(str(c) for c in ligne) for ligne in lignes) + "\r\n"
    return (("\ufeff" if bom else "") + texte).encode("utf-8")


def xlsx(lignes) -> bytes:
    tampon = io.BytesIO()
    classeur = xlsxwriter.Workbook(tampon, {"in_memory": True})
    feuille = classeur.add_worksheet("reponses")
    for i, ligne in enumerate(lignes):
        for j, valeur in enumerate(ligne):
            if isinstance(valeur, int | float):
                feuille.write_number(i, j, valeur)
            elif valeur not in (None, ""):
                feuille.write_string(i, j, valeur)
    classeur.close()
    return tampon.getvalue()


def ligne_69(structure, **autres):
    valeurs = {
        "E01": "12",
        "E02": "8,5",
        "F04": "1 234,56 €",
        "B03": "isolement jeunesse",
        "B06": "oui",
        "B07": "12,5 %",
        "A09": "15/03/2020",
        "A15": "associatif",
    } | autres
    return [structure.identifiant, *(valeurs[c] for c in ENTETE[1:])]


def campagne_ouverte(questionnaire, annee=2026):
    jour = timezone.localdate()
    return CampagneFactory(
        annee=annee,
        questionnaire=questionnaire,
        phase=Phase.SAISIE,
        date_ouverture_saisie=jour - datetime.timedelta(days=30),
        date_fin_saisie=jour + datetime.timedelta(days=30),
        date_fin_controle=jour + datetime.timedelta(days=60),
        date_fin_analyse=jour + datetime.timedelta(days=90),
        date_publication=jour + datetime.timedelta(days=120),
    )


def remplir(reponse, valeurs, par, organisme="la structure"):
    resultat = reponse_enregistrer(
        reponse=reponse, modifications={c: (v, None) for c, v in valeurs.items()}, par=par, organisme=organisme
    )
    assert resultat.ok
