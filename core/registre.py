"""Registre des structures : lecture et validation d'un fichier tableur, écriture de l'export.

Python pur (aucun import de Django) : ce module lit un fichier CSV, XLSX, XLS ou ODS, reconnaît
l'en-tête, convertit et contrôle chaque cellule, et renvoie des lignes typées avec des erreurs en
français qui citent la ligne (telle que le tableur l'affiche : l'en-tête est la ligne 1) et la colonne.
Les contrôles qui demandent la base (périmètre de l'utilisateur, historique des agréments) sont faits
par ``senacs.structures.importation``. Le format est documenté dans ``docs/registre.md``.
"""

import datetime
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core import tableur
from core.formats import ErreurSaisie, lire_nombre
from core.territoires import departement_depuis_code_postal, departement_depuis_commune, departements_par_code

# Colonnes du registre, dans l'ordre de l'export.
COLONNES: tuple[str, ...] = (
    "identifiant",
    "type",
    "nom",
    "siret",
    "adresse",
    "code_postal",
    "commune_insee",
    "commune",
    "departement",
    "email",
    "site_web",
    "gestionnaire",
    "mode_gestion",
    "type_territoire",
    "taille_territoire",
    "geographie_prioritaire",
    "adherent_fcsf",
    "autre_federation",
    "gens_du_voyage",
    "multi_sites",
    "itinerante",
    "nombre_sites",
    "population_zone",
    "annee_creation",
    "zfrr",
    "date_premier_agrement",
    "agrement_debut",
    "agrement_fin",
    "active",
)

# Colonnes qui doivent figurer dans l'en-tête, et dont chaque cellule doit être remplie.
COLONNES_OBLIGATOIRES: tuple[str, ...] = (
    "identifiant",
    "type",
    "nom",
    "commune_insee",
    "commune",
    "departement",
    "mode_gestion",
    "type_territoire",
    "geographie_prioritaire",
)

# Colonnes à choix : la correspondance code → libellé est fournie par l'appelant (les TextChoices).
COLONNES_CHOIX: tuple[str, ...] = (
    "type",
    "mode_gestion",
    "type_territoire",
    "taille_territoire",
    "geographie_prioritaire",
    "autre_federation",
)
COLONNES_OUI_NON: tuple[str, ...] = ("adherent_fcsf", "gens_du_voyage", "multi_sites", "itinerante", "zfrr", "active")
COLONNES_DATES: tuple[str, ...] = ("date_premier_agrement", "agrement_debut", "agrement_fin")
COLONNES_ENTIERS: dict[str, tuple[int, int]] = {
    "nombre_sites": (1, 999),
    "population_zone": (1, 99_999_999),
}
LONGUEURS_MAX: dict[str, int] = {
    "identifiant": 20,
    "nom": 200,
    "adresse": 250,
    "commune": 150,
    "gestionnaire": 200,
    "email": 254,
    "site_web": 200,
}

# Quelques intitulés courants acceptés pour les colonnes (après normalisation).
ALIAS_COLONNES: dict[str, str] = {
    "commune_nom": "commune",
    "nom_commune": "commune",
    "code_commune": "commune_insee",
    "code_insee": "commune_insee",
    "courriel": "email",
    "mail": "email",
    "e_mail": "email",
    "adresse_electronique": "email",
    "site_internet": "site_web",
    "site": "site_web",
    "cp": "code_postal",
    "dep": "departement",
}

EXTENSIONS = ("csv", "xlsx", "xls", "ods")
DATE_PREMIER_AGREMENT_MIN = datetime.date(1950, 1, 1)
ANNEE_CREATION_MIN = 1800

RE_IDENTIFIANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
RE_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z0-9-]{2,}$")
RE_HOTE = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,}(?::\d{1,5})?$")
RE_DATE_FR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
RE_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
SIREN_LA_POSTE = "356000000"

VRAI = frozenset({"oui", "o", "vrai", "true", "1", "x", "yes"})
FAUX = frozenset({"non", "n", "faux", "false", "0", "no"})


FichierIllisible = tableur.FichierIllisible


@dataclass(frozen=True, slots=True)
class Erreur:
    """Une erreur du fichier. ``ligne`` est le numéro de ligne du tableur (en-tête = 1), None pour le fichier."""

    ligne: int | None
    colonne: str | None
    message: str

    def __str__(self) -> str:
        if self.ligne is None:
            return f"Fichier : {self.message}"
        if self.colonne is None:
            quoi = " (en-tête)" if self.ligne == 1 else ""
            return f"Ligne {self.ligne}{quoi} : {self.message}"
        return f"Ligne {self.ligne}, colonne « {self.colonne} » : {self.message}"


@dataclass(slots=True)
class LigneRegistre:
    """Une ligne valide du fichier : valeurs converties (None pour une cellule vide) des colonnes présentes."""

    numero: int
    valeurs: dict[str, Any]


@dataclass(slots=True)
class Analyse:
    colonnes: tuple[str, ...] = ()
    lignes: list[LigneRegistre] = field(default_factory=list)
    erreurs: list[Erreur] = field(default_factory=list)


# --- Normalisation -------------------------------------------------------------------------------


def sans_accents(texte: str) -> str:
    decompose = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c))


def normaliser(texte: str) -> str:
    """Forme de comparaison : minuscules, sans accents, apostrophes droites, espaces réduites."""
    t = sans_accents(texte).replace("\u2019", "'").replace("\u02bc", "'").lower()
    return " ".join(t.split())


def normaliser_entete(texte: str) -> str:
    t = normaliser(texte)
    t = re.sub(r"[^a-z0-9]+", "_", t).strip("_")
    return ALIAS_COLONNES.get(t, t)


def texte_cellule(valeur: Any) -> str:
    """Texte d'une cellule, quel que soit le type renvoyé par le lecteur (nombre, date, booléen)."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, float):
        if valeur.is_integer():
            return str(int(valeur))
        return str(valeur)
    if isinstance(valeur, datetime.datetime):
        return valeur.date().isoformat() if valeur.time() == datetime.time() else valeur.isoformat(sep=" ")
    if isinstance(valeur, datetime.date):
        return valeur.isoformat()
    return str(valeur).replace("\u00a0", " ").replace("\u202f", " ").strip()


def date_fr(jour: datetime.date | None) -> str:
    return jour.strftime("%d/%m/%Y") if jour else ""


def nombre_fr(n: int) -> str:
    """Entier avec le séparateur de milliers français (espace fine insécable) : 4 000."""
    return f"{n:,}".replace(",", "\u202f")


def nom_departement(code: str) -> str:
    dep = departements_par_code().get(code)
    return f"{code} ({dep.nom})" if dep else code


# --- Lecture des fichiers ------------------------------------------------------------------------


def extension_de(nom_fichier: str) -> str:
    """Extension en minuscules (sans le point) si elle est admise ; sinon FichierIllisible."""
    _, point, ext = nom_fichier.rpartition(".")
    ext = ext.lower() if point else ""
    if ext not in EXTENSIONS:
        admises = ", ".join(f".{e}" for e in EXTENSIONS)
        raise FichierIllisible(f"format de fichier non pris en charge (extensions admises : {admises}).")
    return ext


# Lecture mesurée (classeurs démesurés refusés avant d'être lus) : une seule, dans core.tableur.
lire_fichier = tableur.lire_fichier
lire_csv = tableur.lire_csv
lire_classeur = tableur.lire_classeur


# --- Analyse -------------------------------------------------------------------------------------


class _ErreurCellule(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def analyser(
    cellules: Sequence[Sequence[Any]],
    choix: Mapping[str, Sequence[tuple[str, str]]],
    aujourd_hui: datetime.date,
) -> Analyse:
    """Reconnaît l'en-tête et valide chaque ligne. ``choix`` : colonne → [(code, libellé)]."""
    analyse = Analyse()
    if not cellules:
        analyse.erreurs.append(Erreur(None, None, "le fichier est vide."))
        return analyse
    index, erreurs_entete = _lire_entete(cellules[0], cellules[1:])
    if erreurs_entete:
        analyse.erreurs.extend(erreurs_entete)
        return analyse
    analyse.colonnes = tuple(c for c in COLONNES if c in index)
    table_choix = {col: _table_choix(options) for col, options in choix.items()}
    deja_vus: dict[str, int] = {}
    for position, brute in enumerate(cellules[1:], start=2):
        valeurs_brutes = {col: (brute[i] if i < len(brute) else None) for col, i in index.items()}
        if all(texte_cellule(v) == "" for v in valeurs_brutes.values()):
            continue  # ligne vide : ignorée, la numérotation suit celle du tableur
        ligne, erreurs = _analyser_ligne(position, valeurs_brutes, choix, table_choix, aujourd_hui)
        identifiant = valeurs_brutes.get("identifiant")
        identifiant = texte_cellule(identifiant)
        if identifiant:
            if identifiant in deja_vus:
                erreurs.append(
                    Erreur(
                        position,
                        "identifiant",
                        f"l'identifiant « {identifiant} » figure déjà ligne {deja_vus[identifiant]} du fichier.",
                    )
                )
            else:
                deja_vus[identifiant] = position
        if erreurs:
            analyse.erreurs.extend(erreurs)
        else:
            analyse.lignes.append(ligne)
    if not analyse.lignes and not analyse.erreurs:
        analyse.erreurs.append(Erreur(None, None, "le fichier ne contient aucune structure sous la ligne d'en-tête."))
    return analyse


def _lire_entete(entete: Sequence[Any], donnees: Sequence[Sequence[Any]]) -> tuple[dict[str, int], list[Erreur]]:
    index: dict[str, int] = {}
    inconnues: list[str] = []
    doublons: list[str] = []
    sans_nom: list[int] = []
    for i, cellule in enumerate(entete):
        brut = texte_cellule(cellule)
        if not brut:
            if any(i < len(ligne) and texte_cellule(ligne[i]) for ligne in donnees):
                sans_nom.append(i + 1)
            continue
        nom = normaliser_entete(brut)
        if nom not in COLONNES:
            inconnues.append(brut)
        elif nom in index:
            doublons.append(brut)
        else:
            index[nom] = i
    erreurs: list[Erreur] = []
    manquantes = [c for c in COLONNES_OBLIGATOIRES if c not in index]
    if manquantes:
        erreurs.append(Erreur(1, None, f"colonnes obligatoires absentes : {_liste(manquantes)}."))
    if inconnues:
        erreurs.append(
            Erreur(
                1,
                None,
                f"colonnes inconnues : {_liste(inconnues)} (colonnes admises : {', '.join(COLONNES)}).",
            )
        )
    if doublons:
        erreurs.append(Erreur(1, None, f"colonnes en double : {_liste(doublons)}."))
    if ("agrement_debut" in index) != ("agrement_fin" in index):
        erreurs.append(Erreur(1, None, "les colonnes « agrement_debut » et « agrement_fin » vont ensemble."))
    if sans_nom:
        numeros = ", ".join(str(n) for n in sans_nom)
        erreurs.append(Erreur(1, None, f"des données figurent sous des colonnes sans intitulé (n° {numeros})."))
    return index, erreurs


def _liste(noms: Iterable[str]) -> str:
    return ", ".join(f"« {n} »" for n in noms)


def _table_choix(options: Sequence[tuple[str, str]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, libelle in options:
        table[normaliser(str(libelle))] = code
        table[normaliser(code)] = code
    return table


def _analyser_ligne(
    numero: int,
    brutes: dict[str, Any],
    choix: Mapping[str, Sequence[tuple[str, str]]],
    table_choix: Mapping[str, dict[str, str]],
    aujourd_hui: datetime.date,
) -> tuple[LigneRegistre, list[Erreur]]:
    valeurs: dict[str, Any] = {}
    erreurs: list[Erreur] = []
    for colonne, brute in brutes.items():
        texte = texte_cellule(brute)
        if texte == "":
            if colonne in COLONNES_OBLIGATOIRES:
                erreurs.append(Erreur(numero, colonne, "cette cellule est obligatoire."))
            valeurs[colonne] = None
            continue
        try:
            valeurs[colonne] = _convertir(colonne, brute, texte, choix, table_choix, aujourd_hui)
        except _ErreurCellule as e:
            erreurs.append(Erreur(numero, colonne, e.message))
            valeurs[colonne] = None
    erreurs.extend(_controles_croises(numero, valeurs, brutes))
    return LigneRegistre(numero, valeurs), erreurs


def _convertir(
    colonne: str,
    brute: Any,
    texte: str,
    choix: Mapping[str, Sequence[tuple[str, str]]],
    table_choix: Mapping[str, dict[str, str]],
    aujourd_hui: datetime.date,
) -> Any:
    if colonne in LONGUEURS_MAX and len(texte) > LONGUEURS_MAX[colonne]:
        raise _ErreurCellule(f"texte trop long : {LONGUEURS_MAX[colonne]} caractères au plus (reçu {len(texte)}).")
    if colonne == "identifiant":
        if not RE_IDENTIFIANT.match(texte):
            raise _ErreurCellule(
                "l'identifiant ne peut contenir que des lettres sans accent, des chiffres, des points, "
                f"des tirets et des tirets bas (reçu « {texte} »)."
            )
        return texte
    if colonne in COLONNES_CHOIX:
        code = table_choix.get(colonne, {}).get(normaliser(texte))
        if code is None:
            codes = ", ".join(c for c, _ in choix.get(colonne, ()))
            raise _ErreurCellule(f"valeur « {texte} » non reconnue (valeurs admises : {codes}, ou leur libellé).")
        return code
    if colonne in COLONNES_OUI_NON:
        return convertir_oui_non(texte)
    if colonne in COLONNES_DATES:
        return convertir_date(brute, texte)
    if colonne in COLONNES_ENTIERS:
        minimum, maximum = COLONNES_ENTIERS[colonne]
        return convertir_entier(texte, minimum, maximum)
    if colonne == "annee_creation":
        return convertir_entier(texte, ANNEE_CREATION_MIN, aujourd_hui.year)
    if colonne == "siret":
        return convertir_siret(texte)
    if colonne == "code_postal":
        return convertir_code_postal(texte)
    if colonne == "commune_insee":
        return convertir_commune(texte)
    if colonne == "departement":
        return convertir_departement(texte)
    if colonne == "email":
        if not RE_EMAIL.match(texte):
            raise _ErreurCellule(f"adresse électronique « {texte} » non valide.")
        return texte
    if colonne == "site_web":
        return convertir_site_web(texte)
    return texte  # nom, adresse, commune, gestionnaire


def convertir_oui_non(texte: str) -> bool:
    t = normaliser(texte)
    if t in VRAI:
        return True
    if t in FAUX:
        return False
    raise _ErreurCellule(f"répondez « oui » ou « non » (reçu « {texte} »).")


def convertir_date(brute: Any, texte: str) -> datetime.date:
    if isinstance(brute, datetime.datetime):
        return brute.date()
    if isinstance(brute, datetime.date):
        return brute
    m = RE_DATE_FR.match(texte)
    if m:
        jour, mois, annee = int(m[1]), int(m[2]), int(m[3])
    else:
        m = RE_DATE_ISO.match(texte)
        if not m:
            raise _ErreurCellule(f"date attendue au format JJ/MM/AAAA (reçu « {texte} »).")
        annee, mois, jour = int(m[1]), int(m[2]), int(m[3])
    try:
        return datetime.date(annee, mois, jour)
    except ValueError as e:
        raise _ErreurCellule(f"date « {texte} » impossible (jour ou mois hors calendrier).") from e


def convertir_entier(texte: str, minimum: int, maximum: int) -> int:
    """Entier lu à la française (« 12 000 », « 12.000 », « 12000,0 ») par ``core.formats.lire_nombre``."""
    try:
        lu = lire_nombre(texte, entier=True)
    except ErreurSaisie:
        lu = None
    if lu is None or lu < 0:
        raise _ErreurCellule(f"nombre entier attendu (reçu « {texte} »).")
    nombre = int(lu)
    if nombre < minimum or nombre > maximum:
        raise _ErreurCellule(f"la valeur doit être comprise entre {minimum} et {maximum} (reçu {nombre}).")
    return nombre


def siret_valide(siret: str) -> bool:
    """Clé de Luhn d'un SIRET de 14 chiffres (La Poste : somme des chiffres multiple de 5)."""
    if len(siret) != 14 or not siret.isdigit():
        return False
    if siret.startswith(SIREN_LA_POSTE):
        return sum(int(c) for c in siret) % 5 == 0
    total = 0
    for i, c in enumerate(reversed(siret)):
        n = int(c)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def convertir_siret(texte: str) -> str:
    siret = re.sub(r"[\s.]", "", texte)
    if len(siret) != 14 or not siret.isdigit():
        raise _ErreurCellule(f"le numéro SIRET doit comporter 14 chiffres (reçu « {texte} »).")
    if not siret_valide(siret):
        raise _ErreurCellule(f"le numéro SIRET « {texte} » n'est pas valide (clé de contrôle incorrecte).")
    return siret


def convertir_code_postal(texte: str) -> str:
    cp = texte.replace(" ", "")
    if cp.isdigit() and len(cp) == 4:
        cp = "0" + cp  # code postal lu comme un nombre par le tableur (01000 → 1000)
    if len(cp) != 5 or not cp.isdigit():
        raise _ErreurCellule(f"le code postal doit comporter 5 chiffres (reçu « {texte} »).")
    if departement_depuis_code_postal(cp) is None:
        raise _ErreurCellule(f"le code postal « {cp} » ne correspond à aucun département.")
    return cp


def convertir_commune(texte: str) -> str:
    code = texte.replace(" ", "").upper()
    if code.isdigit() and len(code) == 4:
        code = "0" + code
    if len(code) != 5 or not re.fullmatch(r"(\d{2}|2A|2B)\d{3}", code):
        raise _ErreurCellule(
            f"le code commune INSEE doit comporter 5 caractères, par exemple 69123 ou 2A004 (reçu « {texte} »)."
        )
    if departement_depuis_commune(code) is None:
        raise _ErreurCellule(f"le code commune « {code} » ne correspond à aucun département.")
    return code


def convertir_departement(texte: str) -> str:
    code = texte.replace(" ", "").upper()
    if code.isdigit() and len(code) == 1:
        code = "0" + code
    if code not in departements_par_code():
        raise _ErreurCellule(f"département « {texte} » inconnu (attendu : un code INSEE comme 01, 2A, 69 ou 974).")
    return code


def convertir_site_web(texte: str) -> str:
    url = texte
    if not re.match(r"^https?://", url, re.IGNORECASE):
        if "://" in url or " " in url:
            raise _ErreurCellule(f"adresse de site internet « {texte} » non valide.")
        url = "https://" + url
    hote = re.sub(r"^https?://", "", url, flags=re.IGNORECASE).split("/", 1)[0].split("?", 1)[0]
    if not RE_HOTE.match(hote) or " " in url:
        raise _ErreurCellule(f"adresse de site internet « {texte} » non valide.")
    if len(url) > LONGUEURS_MAX["site_web"]:
        raise _ErreurCellule(f"texte trop long : {LONGUEURS_MAX['site_web']} caractères au plus.")
    return url


def _controles_croises(numero: int, valeurs: dict[str, Any], brutes: dict[str, Any]) -> list[Erreur]:
    erreurs: list[Erreur] = []
    departement = valeurs.get("departement")
    if departement:
        commune = valeurs.get("commune_insee")
        if commune and departement_depuis_commune(commune) != departement:
            erreurs.append(
                Erreur(
                    numero,
                    "commune_insee",
                    f"le code commune « {commune} » appartient au département "
                    f"{nom_departement(departement_depuis_commune(commune) or '')}, pas au département "
                    f"{nom_departement(departement)} indiqué dans la colonne « departement ».",
                )
            )
        cp = valeurs.get("code_postal")
        if cp and departement_depuis_code_postal(cp) != departement:
            erreurs.append(
                Erreur(
                    numero,
                    "code_postal",
                    f"le code postal « {cp} » est celui du département "
                    f"{nom_departement(departement_depuis_code_postal(cp) or '')}, pas du département "
                    f"{nom_departement(departement)} indiqué dans la colonne « departement ».",
                )
            )
    if "agrement_debut" in valeurs or "agrement_fin" in valeurs:
        debut, fin = valeurs.get("agrement_debut"), valeurs.get("agrement_fin")
        debut_vide = texte_cellule(brutes.get("agrement_debut")) == ""
        fin_vide = texte_cellule(brutes.get("agrement_fin")) == ""
        if debut_vide and not fin_vide:
            erreurs.append(
                Erreur(
                    numero, "agrement_debut", "la date de début de l'agrément en cours manque (la fin est remplie)."
                )
            )
        elif fin_vide and not debut_vide:
            erreurs.append(
                Erreur(numero, "agrement_fin", "la date de fin de l'agrément en cours manque (le début est rempli).")
            )
        elif debut and fin and fin <= debut:
            erreurs.append(
                Erreur(
                    numero,
                    "agrement_fin",
                    f"la fin de l'agrément ({date_fr(fin)}) doit suivre son début ({date_fr(debut)}).",
                )
            )
    premier = valeurs.get("date_premier_agrement")
    if premier:
        if premier < DATE_PREMIER_AGREMENT_MIN:
            erreurs.append(
                Erreur(
                    numero,
                    "date_premier_agrement",
                    f"date du premier agrément invraisemblable ({date_fr(premier)}, avant 1950).",
                )
            )
        debut = valeurs.get("agrement_debut")
        if debut and premier > debut:
            erreurs.append(
                Erreur(
                    numero,
                    "date_premier_agrement",
                    f"la date du premier agrément ({date_fr(premier)}) ne peut pas suivre le début "
                    f"de l'agrément en cours ({date_fr(debut)}).",
                )
            )
    return erreurs


# --- Écriture de l'export ------------------------------------------------------------------------

# Colonnes écrites comme du texte dans le classeur (codes à zéros initiaux, identifiants, SIRET).
COLONNES_TEXTE_EXPORT = frozenset({"identifiant", "siret", "code_postal", "commune_insee", "departement"})


def valeur_export_texte(valeur: Any) -> str:
    """Valeur d'une cellule dans le CSV : dates JJ/MM/AAAA, oui/non, vide pour None, formules neutralisées."""
    return tableur.texte_csv(valeur)


def ecrire_csv(lignes: Iterable[Sequence[Any]]) -> bytes:
    """CSV pour Excel en français : séparateur « ; », UTF-8 avec BOM, fins de ligne CRLF."""
    return tableur.ecrire_csv(COLONNES, lignes)


def ecrire_xlsx(lignes: Iterable[Sequence[Any]], choix: Mapping[str, Sequence[tuple[str, str]]]) -> bytes:
    """Classeur : feuille « registre » (lue à l'import) et feuille « codes » (valeurs admises)."""
    codes = [(colonne, code, str(libelle)) for colonne in COLONNES_CHOIX for code, libelle in choix.get(colonne, ())]
    codes += [(colonne, "oui / non", "") for colonne in COLONNES_OUI_NON]
    return tableur.ecrire_xlsx(
        [
            tableur.Feuille(
                "registre",
                COLONNES,
                lignes,
                largeurs={COLONNES.index("nom"): 40},
                colonnes_texte=frozenset(i for i, c in enumerate(COLONNES) if c in COLONNES_TEXTE_EXPORT),
                figer_colonnes=1,
            ),
            tableur.Feuille(
                "codes", ("colonne", "code", "libellé"), codes, largeurs={0: 24, 1: 20, 2: 70}, filtre=False
            ),
        ]
    )
