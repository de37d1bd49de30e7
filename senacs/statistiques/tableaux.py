"""Tableaux agrégés par question (documents de travail du COPIL, design §6), à partir d'une diffusion.

Pour chaque question : les cellules protégées du territoire choisi à côté de celles des territoires
au-dessus (département → région → France), pour les centres sociaux, les espaces de vie sociale et
l'ensemble. Une seule construction (``tableaux_territoire``) sert l'écran et les trois
téléchargements (XLSX, CSV, ODS : ``senacs.statistiques.ecriture``), qui sont donc identiques. Seules
les cellules publiées de la diffusion sont lues : ``s`` pour toute cellule secrète, ``–`` pour une
statistique sans aucun répondant (sans objet).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from core.formats import ESPACE_INSECABLE, formater_nombre
from core.stats import STATUT_PUBLIE, STATUT_SANS_OBJET, STATUT_SECRET
from senacs.statistiques.models import Diffusion
from senacs.statistiques.selectors import Territoire
from senacs.statistiques.services import cellules_publiques

SYMBOLE_SECRET = "s"
SYMBOLE_SANS_OBJET = "–"
PUBLICS = ("CS", "EVS", "ensemble")
LIBELLES_PUBLICS = {"CS": "Centres sociaux", "EVS": "Espaces de vie sociale", "ensemble": "Ensemble"}
LIBELLES_PUBLICS_COURTS = {"CS": "CS", "EVS": "EVS", "ensemble": "Ensemble"}
LIBELLES_STATISTIQUES = {
    "repondants": "Répondants",
    "somme": "Somme",
    "moyenne": "Moyenne",
    "mediane": "Médiane",
    "q1": "1er quartile",
    "q3": "3e quartile",
}
STATS_NOMBRE = ("repondants", "somme", "moyenne", "mediane", "q1", "q3")
LEGENDE = (
    f"{SYMBOLE_SECRET} : secret statistique (chiffre masqué pour qu'aucune réponse de structure ne puisse être "
    f"retrouvée) ; {SYMBOLE_SANS_OBJET} : sans objet (aucun répondant)."
)


def decimales(type_question: str, unite: str | None, statistique: str) -> int:
    """Précision d'affichage : comptes entiers, parts à une décimale, montants à l'euro près, moyennes
    et quantiles d'entiers à une décimale, ETP et décimaux à deux."""
    if statistique in ("repondants", "effectif", "attendus"):
        return 0
    if statistique == "part":
        return 1
    if statistique == "valeur":  # la réponse d'une structure
        return 0 if type_question in ("entier", "euros") or unite == "€" else 2
    if unite == "€" or type_question == "euros":
        return 0
    if type_question == "pourcentage":
        return 1
    if type_question == "entier":
        return 0 if statistique == "somme" else 1
    return 2


def arrondi(valeur: float, decimales: int) -> float:
    """Arrondi au plus proche, moitié vers le haut : celui de ``core.formats`` (même nombre qu'à l'écran)."""
    pas = Decimal(1).scaleb(-decimales)
    return float(Decimal(repr(float(valeur))).quantize(pas, rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class Case:
    valeur: float | None
    statut: str
    decimales: int = 0

    @property
    def texte(self) -> str:
        """À l'écran, dans le XLSX et l'ODS (texte affiché) : format français, espace insécable."""
        if self.statut == STATUT_SECRET:
            return SYMBOLE_SECRET
        if self.statut != STATUT_PUBLIE or self.valeur is None:
            return SYMBOLE_SANS_OBJET
        return formater_nombre(self.valeur, self.decimales)

    @property
    def texte_csv(self) -> str:
        """Dans le CSV pour Excel : virgule décimale, sans séparateur de milliers (lu comme un nombre)."""
        return self.texte.replace(ESPACE_INSECABLE, "")

    @property
    def nombre(self) -> float | None:
        """Valeur arrondie comme à l'écran (cellules publiées seulement)."""
        if self.statut != STATUT_PUBLIE or self.valeur is None:
            return None
        return arrondi(self.valeur, self.decimales)

    @property
    def est_secret(self) -> bool:
        return self.statut == STATUT_SECRET


@dataclass(frozen=True, slots=True)
class Colonne:
    territoire: Territoire
    public: str

    @property
    def libelle(self) -> str:
        return f"{self.territoire.libelle} — {LIBELLES_PUBLICS[self.public]}"


@dataclass
class Ligne:
    libelle: str
    mesure: str
    cases: list[Case]
    rang: int = 0  # rang dans le groupe de lignes de même libellé (0 : première)
    taille: int = 1  # nombre de lignes du groupe


@dataclass
class TableauQuestion:
    code: str
    libelle: str
    section: str
    unite: str
    lignes: list[Ligne]


@dataclass
class LigneMethode:
    territoire: Territoire
    public: str
    attendus: Case
    repondants: Case

    @property
    def taux(self) -> Case:
        a, r = self.attendus.nombre, self.repondants.nombre
        if not a or r is None:
            return Case(None, STATUT_SANS_OBJET, 1)
        return Case(100.0 * r / a, STATUT_PUBLIE, 1)


@dataclass
class Tableaux:
    diffusion: Diffusion
    territoire: Territoire
    colonnes: list[Colonne]
    questions: list[TableauQuestion]
    sections: list[tuple[str, str]]  # (code, titre)
    methode: list[LigneMethode] = field(default_factory=list)

    @property
    def campagne(self):
        return self.diffusion.campagne

    @property
    def groupes_colonnes(self) -> list[tuple[Territoire, list[Colonne]]]:
        groupes: list[tuple[Territoire, list[Colonne]]] = []
        for c in self.colonnes:
            if not groupes or groupes[-1][0] != c.territoire:
                groupes.append((c.territoire, []))
            groupes[-1][1].append(c)
        return groupes

    def de_la_section(self, section: str | None) -> list[TableauQuestion]:
        return [q for q in self.questions if section is None or q.section == section]

    @property
    def titre(self) -> str:
        return f"Tableaux SENACS {self.campagne.annee} — {self.territoire.libelle_complet}"

    @property
    def note_diffusion(self) -> str:
        d = self.diffusion
        return (
            f"Campagne {d.campagne.annee} (données {d.campagne.annee_donnees}), diffusion n° {d.numero} du "
            f"{timezone.localtime(d.creee_le):%d/%m/%Y}."
        )


NOTE_METHODE = (
    "Les chiffres portent sur les réponses déposées (soumises ou validées) des structures attendues à la "
    "campagne, c'est-à-dire agréées pendant l'année des données. Chaque structure est rattachée au territoire "
    "et au public (centre social ou espace de vie sociale) qu'elle déclarait au moment de son dépôt.",
    "Pour chaque question, « Répondants » compte les structures qui y ont répondu : c'est la base des "
    "moyennes, des médianes et des parts. Une absence de réponse n'est jamais comptée comme zéro.",
    "Les parts sont en pourcentage des répondants à la question ; pour une question à choix multiple, elles "
    "ne somment pas à 100. Médiane et quartiles sont calculés par interpolation entre les rangs. Il n'y a "
    "jamais de minimum ni de maximum : chacun serait la réponse d'une structure.",
    "Secret statistique : aucun chiffre ne doit permettre de connaître la réponse d'une structure. Un "
    "montant est masqué quand il repose sur moins de 3 organismes gestionnaires (les structures d'un même "
    "gestionnaire comptent pour un), quand l'un d'eux en représente l'essentiel, ou quand le deuxième "
    "pourrait en déduire celui du premier ; une moyenne suit sa somme. Médiane et quartiles ne sont "
    "publiés qu'à partir de 10 structures. Une répartition n'est pas publiée sous 5 répondants ; une "
    "modalité choisie par 1 ou 2 structures est masquée, de même, pour les questions sensibles, une "
    "réponse partagée par toutes les structures ou toutes sauf une. D'autres chiffres sont masqués en "
    "complément pour qu'aucun chiffre masqué ne puisse être retrouvé par différence (France et régions, "
    "région et départements, centres sociaux et espaces de vie sociale, total et détail). Tous portent le "
    "même symbole « s ».",
)


def _code_territoire(t: Territoire) -> tuple[str, str]:
    return (t.niveau, t.code)


def tableaux_territoire(diffusion: Diffusion, territoire: Territoire, *, section: str | None = None) -> Tableaux:
    """Les tableaux par question du territoire (et de ceux au-dessus) ; ``section`` pour n'en garder qu'une."""
    modele = diffusion.campagne.questionnaire.modele
    ascendants = territoire.ascendants()
    cibles = {_code_territoire(t) for t in ascendants}
    cellules = cellules_publiques(diffusion, territoires=[t.code for t in ascendants])
    index: dict[tuple, tuple[float | None, str]] = {}
    for niveau, code, public, question, statistique, modalite, valeur, statut in cellules.select(
        "niveau", "territoire", "public", "question", "statistique", "modalite", "valeur", "statut"
    ).iter_rows():
        if (niveau, code) in cibles:
            index[(niveau, code, public, question, statistique, modalite or "")] = (valeur, statut)
    colonnes = [Colonne(t, p) for t in ascendants for p in PUBLICS]

    def cases(question: str, statistique: str, modalite: str, d: int) -> list[Case]:
        sortie = []
        for c in colonnes:
            valeur, statut = index.get(
                (c.territoire.niveau, c.territoire.code, c.public, question, statistique, modalite),
                (None, STATUT_SANS_OBJET),
            )
            sortie.append(Case(valeur, statut, d))
        return sortie

    questions: list[TableauQuestion] = []
    sections: list[tuple[str, str]] = []
    for q in diffusion.questions:
        code = q["code"]
        if code in diffusion.internes or code not in modele:
            continue
        question = modele.question(code)
        sec = modele.section_de(code)
        if not sections or sections[-1][0] != sec.code:
            sections.append((sec.code, sec.titre))
        if section is not None and sec.code != section:
            continue
        unite = question.unite or ""
        lignes: list[Ligne] = []
        if q["nature"] == "nombre":
            for stat in STATS_NOMBRE:
                mesure = "structures" if stat == "repondants" else unite
                d = decimales(question.type, question.unite, stat)
                lignes.append(Ligne(LIBELLES_STATISTIQUES[stat], mesure, cases(code, stat, "", d)))
        else:
            lignes.append(Ligne("Répondants", "structures", cases(code, "repondants", "", 0)))
            libelles = modele.libelles_choix(code) if q["nature"] != "oui_non" else {"oui": "Oui", "non": "Non"}
            for m in q["modalites"]:
                libelle = libelles.get(m, m)
                lignes.append(Ligne(libelle, "nombre", cases(code, "effectif", m, 0), rang=0, taille=2))
                lignes.append(Ligne(libelle, "part (%)", cases(code, "part", m, 1), rang=1, taille=2))
        questions.append(TableauQuestion(code, question.libelle, sec.code, unite, lignes))

    methode = []
    for t in ascendants:
        for p in PUBLICS:
            attendus = Case(*index.get((t.niveau, t.code, p, "*", "attendus", ""), (None, STATUT_SANS_OBJET)), 0)
            repondants = Case(*index.get((t.niveau, t.code, p, "*", "repondants", ""), (None, STATUT_SANS_OBJET)), 0)
            methode.append(LigneMethode(t, p, attendus, repondants))
    return Tableaux(
        diffusion=diffusion,
        territoire=territoire,
        colonnes=colonnes,
        questions=questions,
        sections=sections,
        methode=methode,
    )


def tableau_plat(tableaux: Tableaux) -> tuple[list[str], list[list]]:
    """En-têtes et lignes du tableau « à plat » des téléchargements (une ligne par ligne d'écran).

    Chaque ligne : section, code, intitulé, ligne, mesure, puis une ``Case`` par colonne."""
    entetes = ["Section", "Question", "Intitulé", "Ligne", "Mesure", *[c.libelle for c in tableaux.colonnes]]
    lignes = []
    for q in tableaux.questions:
        for ligne in q.lignes:
            lignes.append([q.section, q.code, q.libelle, ligne.libelle, ligne.mesure, *ligne.cases])
    return entetes, lignes


def methode_plate(tableaux: Tableaux) -> tuple[list[str], list[list]]:
    entetes = ["Territoire", "Public", "Structures attendues", "Structures répondantes", "Taux de réponse (%)"]
    lignes = [
        [m.territoire.libelle_complet, LIBELLES_PUBLICS[m.public], m.attendus, m.repondants, m.taux]
        for m in tableaux.methode
    ]
    return entetes, lignes
