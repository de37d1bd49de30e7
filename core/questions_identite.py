"""Questions d'identité (section A du questionnaire) : codes, libellés et mise en forme des valeurs.

Libellés repris de la section A de ``questionnaire-reference.yaml`` (dictionnaire de données de
référence). Le questionnaire complet, versionné par campagne, remplacera ce module.
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

LIBELLES_IDENTITE: dict[str, str] = {
    "A01": "Nom de la structure",
    "A02": "Adresse (numéro, voie)",
    "A03": "Code postal",
    "A04": "Commune d'implantation (code INSEE)",
    "A05": "Caf de rattachement / département",
    "A06": "Adresse électronique de contact",
    "A07": "Site internet",
    "A08": "Numéro SIRET",
    "A09": "Date du premier agrément",
    "A10": "Date de début de l'agrément en cours",
    "A11": "Date de fin de l'agrément en cours",
    "A12": "Population de la zone de compétence",
    "A13": "Historique de la structure",
    "A14": "Axes du projet en cours",
    "A15": "Mode de gestion de la structure",
    "A16": "Type de territoire d'intervention",
    "A17": "Taille du territoire d'intervention",
    "A18": "Géographie prioritaire",
    "A19": "Adhérente à la Fédération des centres sociaux",
    "A20": "Adhérente à une autre fédération",
    "A21": "Structure « gens du voyage »",
    "A22": "Structure multi-sites / éclatée",
    "A23": "Structure itinérante",
    "A24": "Nombre de sites / lieux d'accueil",
    "A25": "Année de création de la structure (avant agrément)",
    "A26": "Territoire en zone France ruralités revitalisation (ZFRR)",
}
CODES_IDENTITE: tuple[str, ...] = tuple(LIBELLES_IDENTITE)
#: Les axes du projet social (A14) dans les questionnaires qui les posent un par un.
CODES_AXES: tuple[str, ...] = ("A14A", "A14B", "A14C", "A14D", "A14E")

# Codes dont la valeur est un nombre sans séparateur de milliers (année, code postal, SIRET…).
CODES_SANS_SEPARATEUR = frozenset({"A03", "A04", "A08", "A25"})

NON_RENSEIGNE = "Non renseigné"
ESPACE_MILLIERS = "\u00a0"  # espace insécable, comme le format français de Django
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class ReponseIdentite:
    code: str
    libelle: str
    valeur: str
    renseignee: bool


def formater_nombre(nombre: int | float | Decimal, *, separateur: bool = True) -> str:
    """Nombre à la française : « 1 234 » (espace insécable), « 12,5 »."""
    if isinstance(nombre, float) and nombre.is_integer():
        nombre = int(nombre)
    texte = f"{nombre:,}" if separateur else f"{nombre}"
    return texte.replace(",", " ").replace(".", ",").replace(" ", ESPACE_MILLIERS)


def formater_valeur(valeur: object, *, code: str = "", libelles_choix: Mapping[str, str] | None = None) -> str:
    """Texte affichable d'une réponse : Oui/Non, dates JJ/MM/AAAA, nombres à la française, listes."""
    if valeur is None or valeur == "" or valeur == []:
        return NON_RENSEIGNE
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    if isinstance(valeur, int | float | Decimal):
        return formater_nombre(valeur, separateur=code not in CODES_SANS_SEPARATEUR)
    if isinstance(valeur, datetime.date):
        return valeur.strftime("%d/%m/%Y")
    if isinstance(valeur, list | tuple):
        elements = [
            formater_valeur(v, code=code, libelles_choix=libelles_choix) for v in valeur if v not in (None, "")
        ]
        return " ; ".join(elements) if elements else NON_RENSEIGNE
    texte = str(valeur).strip()
    if libelles_choix and texte in libelles_choix:
        return libelles_choix[texte]
    if date_iso := _DATE_ISO.match(texte):
        annee, mois, jour = date_iso.groups()
        return f"{jour}/{mois}/{annee}"
    return texte


def reponses_identite(
    valeurs: Mapping[str, object], libelles_choix: Mapping[str, Mapping[str, str]] | None = None
) -> list[ReponseIdentite]:
    """Les 26 questions d'identité dans l'ordre, avec la valeur donnée (ou « Non renseigné »)."""
    libelles_choix = libelles_choix or {}
    valeurs = dict(valeurs)
    if valeurs.get("A14") in (None, "", []):
        # Depuis 2025, les axes du projet sont cinq questions (A14A à A14E) regroupées sous la note A14.
        axes = [str(valeurs[c]).strip() for c in CODES_AXES if str(valeurs.get(c) or "").strip()]
        if axes:
            valeurs["A14"] = axes
    return [
        ReponseIdentite(
            code=code,
            libelle=libelle,
            valeur=formater_valeur(valeurs.get(code), code=code, libelles_choix=libelles_choix.get(code)),
            renseignee=formater_valeur(valeurs.get(code)) != NON_RENSEIGNE,
        )
        for code, libelle in LIBELLES_IDENTITE.items()
    ]
