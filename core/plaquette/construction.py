"""Construction du contenu d'une plaquette à partir des cellules **publiques** d'une diffusion (pur Python).

Entrée : un index :class:`Cellules` des cellules déjà protégées (valeur présente seulement pour une cellule
``publie`` ; une cellule ``secret`` n'a pas de valeur), les libellés des modalités, l'historique des
campagnes précédentes. Sortie : un :class:`~core.plaquette.modele.ContenuPlaquette` entièrement mis en
forme en français. Règles :

- une cellule secrète s'imprime ``s`` ; une statistique sans répondant ou absente s'imprime ``—`` ;
- un graphique ne trace que des valeurs publiées ; les modalités secrètes sont citées sous le graphique
  (« s : … ») et figurent avec ``s`` dans son texte de remplacement ;
- un chiffre dérivé (taux de réponse, part d'un financeur) n'est calculé qu'à partir de deux cellules
  publiées ; si l'une est secrète, il vaut ``s``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from core.formats import ESPACE_INSECABLE, formater_euros, formater_nombre, formater_pourcentage
from core.plaquette.modele import (
    BLOCS,
    PAGES_PAR_CODE,
    Chiffre,
    ContenuPlaquette,
    Graphique,
    Section,
    Tableau,
    pages_incluses,
)
from core.plaquette.vega import svg

PUBLIE, SECRET = "publie", "secret"
SECRET_TEXTE = "s"
ABSENT_TEXTE = "—"

COULEUR_BARRE = "#000091"
COULEUR_SECONDAIRE = "#c9191e"
COULEUR_TENDANCE = "#18753c"
LARGEUR_GRAPHIQUE = 150


# --------------------------------------------------------------------------- cellules


@dataclass(frozen=True, slots=True)
class Valeur:
    """Une cellule lue : ``valeur`` seulement si ``statut == "publie"``."""

    valeur: float | None
    statut: str | None  # "publie", "secret", "sans_objet" ou None (absente)

    @property
    def publiee(self) -> bool:
        return self.statut == PUBLIE and self.valeur is not None

    @property
    def secrete(self) -> bool:
        return self.statut == SECRET


ABSENTE = Valeur(None, None)


class Cellules:
    """Index des cellules publiques d'une diffusion : (niveau, territoire, public, question, statistique,
    modalité) → :class:`Valeur`. Une valeur n'est jamais gardée pour une cellule non publiée ; seules les
    questions de la plaquette (:data:`QUESTIONS`) sont retenues."""

    def __init__(self, lignes: Iterable[tuple]):
        self._index: dict[tuple, Valeur] = {}
        questions = QUESTIONS
        for niveau, territoire, public, question, statistique, modalite, valeur, statut in lignes:
            if question not in questions:
                continue
            v = valeur if statut == PUBLIE else None
            self._index[(niveau, territoire, public, question, statistique, modalite or "")] = Valeur(v, statut)

    def __len__(self) -> int:
        return len(self._index)

    def get(self, lieu: Lieu, question: str, statistique: str, modalite: str = "", public: str = "ensemble"):
        return self._index.get((lieu.niveau, lieu.code, public, question, statistique, modalite), ABSENTE)

    def territoires(self) -> set[tuple[str, str]]:
        return {(c[0], c[1]) for c in self._index}

    def existe(self, lieu: Lieu) -> bool:
        return (lieu.niveau, lieu.code, "ensemble", "*", "attendus", "") in self._index


@dataclass(frozen=True, slots=True)
class Lieu:
    niveau: str  # "nation", "region", "departement"
    code: str  # "FR", "84", "69"
    nom: str  # "France", "Auvergne-Rhône-Alpes", "Rhône"

    @property
    def cle(self) -> str:
        return {"nation": "FR", "region": f"R:{self.code}", "departement": f"D:{self.code}"}[self.niveau]


# --------------------------------------------------------------------------- mise en forme


def nombre(v: Valeur, decimales: int = 0) -> str:
    if v.secrete:
        return SECRET_TEXTE
    if not v.publiee:
        return ABSENT_TEXTE
    return formater_nombre(v.valeur, decimales)


def euros(v: Valeur) -> str:
    if v.secrete:
        return SECRET_TEXTE
    if not v.publiee:
        return ABSENT_TEXTE
    return formater_euros(v.valeur)


def millions(v: Valeur) -> str:
    """Montant en millions d'euros (« 12,3 M€ ») ; sous un million, en milliers (« 845 k€ »)."""
    if v.secrete:
        return SECRET_TEXTE
    if not v.publiee:
        return ABSENT_TEXTE
    if abs(v.valeur) >= 1_000_000_000:
        return f"{formater_nombre(v.valeur / 1_000_000_000, 2)}{ESPACE_INSECABLE}Md€"
    if abs(v.valeur) >= 1_000_000:
        return f"{formater_nombre(v.valeur / 1_000_000, 1)}{ESPACE_INSECABLE}M€"
    return f"{formater_nombre(v.valeur / 1000, 0)}{ESPACE_INSECABLE}k€"


def pourcentage(v: Valeur, decimales: int = 0) -> str:
    if v.secrete:
        return SECRET_TEXTE
    if not v.publiee:
        return ABSENT_TEXTE
    return formater_pourcentage(v.valeur, decimales)


def rapport(num: Valeur, den: Valeur) -> Valeur:
    """Part (en %) de deux cellules publiées ; secrète si l'une l'est ; absente sinon."""
    if num.secrete or den.secrete:
        return Valeur(None, SECRET)
    if not (num.publiee and den.publiee) or not den.valeur:
        return ABSENTE
    return Valeur(100.0 * num.valeur / den.valeur, PUBLIE)


def somme(valeurs: Sequence[Valeur]) -> Valeur:
    """Somme de cellules publiées (secrète si l'une l'est, absente si aucune n'existe)."""
    if any(v.secrete for v in valeurs):
        return Valeur(None, SECRET)
    presentes = [v.valeur for v in valeurs if v.publiee]
    if not presentes:
        return ABSENTE
    return Valeur(sum(presentes), PUBLIE)


# --------------------------------------------------------------------------- graphiques


LIBELLE_LIGNE = 26  # caractères par ligne d'un libellé d'axe
LIBELLE_LIGNES = 3


def _court(libelle: str) -> str:
    """Libellé d'axe coupé en lignes ici (« \n », Vega les empile) plutôt que tronqué : le libellé se lit en
    entier ; seul un libellé de plus de trois lignes est raccourci (« … »)."""
    lignes = textwrap.wrap(libelle, LIBELLE_LIGNE, break_long_words=False) or [libelle]
    if len(lignes) > LIBELLE_LIGNES:
        lignes = lignes[:LIBELLE_LIGNES]
        lignes[-1] = lignes[-1][: LIBELLE_LIGNE - 1].rstrip(" ,/(") + "…"
    return "\n".join(lignes)


def _barres(
    titre: str,
    contexte: str,
    items: Sequence[tuple[str, Valeur]],
    forme,
    *,
    couleur: str = COULEUR_BARRE,
    trier: bool = True,
    max_items: int = 12,
) -> Graphique | None:
    """Barres horizontales des seules valeurs publiées, étiquetées en français ; ``None`` si rien à tracer."""
    publies = [(lib, v) for lib, v in items if v.publiee]
    secrets = [lib for lib, v in items if v.secrete]
    if trier:
        publies.sort(key=lambda x: -x[1].valeur)
    publies = publies[:max_items]
    morceaux = [f"{lib} {forme(v)}" for lib, v in publies] + [f"{lib} s (secret statistique)" for lib in secrets]
    alternative = f"{titre}, {contexte} : " + " ; ".join(morceaux) + "." if morceaux else ""
    note = ""
    if secrets:
        note = "Non représentés (secret statistique, s) : " + ", ".join(secrets) + "."
    if not publies:
        if not secrets:
            return None
        return Graphique(titre=titre, svg="", alternative=alternative, note=note)
    valeurs = [{"libelle": _court(lib), "valeur": v.valeur, "texte": forme(v)} for lib, v in publies]
    lignes = max(d["libelle"].count("\n") + 1 for d in valeurs)
    spec = {
        "width": LARGEUR_GRAPHIQUE,
        "height": {"step": 17 if lignes == 1 else 4 + 12 * lignes},
        "data": {"values": valeurs},
        "encoding": {
            "y": {
                "field": "libelle",
                "type": "nominal",
                "sort": None,
                "axis": {
                    "title": None,
                    "labelLimit": 0,
                    "ticks": False,
                    "domain": False,
                    "labelPadding": 4,
                    "labelExpr": "split(datum.label, '\\n')",
                    "labelLineHeight": 12,
                    # un libellé de plusieurs lignes est centré sur sa barre (Vega le pose sous la ligne 1)
                    "labelOffset": {"expr": "-6 * (length(split(datum.label, '\\n')) - 1)"},
                },
            },
            "x": {"field": "valeur", "type": "quantitative", "axis": None, "scale": {"zero": True}},
        },
        "layer": [
            {"mark": {"type": "bar", "color": couleur, "height": {"band": 0.72}}},
            {
                "mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 11, "color": "#1e1e1e"},
                "encoding": {"text": {"field": "texte"}},
            },
        ],
        "config": {"axis": {"labelFontSize": 11}},
        "padding": {"left": 2, "right": 44, "top": 7, "bottom": 4},
    }
    return Graphique(titre=titre, svg=svg(spec), alternative=alternative, note=note)


def _courbe(titre: str, contexte: str, points: Sequence[tuple[str, Valeur]], forme) -> Graphique | None:
    """Évolution sur les campagnes : points publiés seulement, reliés, étiquetés."""
    publies = [(a, v) for a, v in points if v.publiee]
    secrets = [a for a, v in points if v.secrete]
    morceaux = [
        f"{a} {forme(v)}" + (" (secret statistique)" if v.secrete else "") for a, v in points if v.publiee or v.secrete
    ]
    alternative = f"{titre}, {contexte} : " + " ; ".join(morceaux) + "."
    note = ("Non représentés (secret statistique, s) : " + ", ".join(secrets) + ".") if secrets else ""
    if len(publies) < 2:
        return None
    # Étiquette sous le point quand il est plus bas que ses voisins (sinon la courbe la barre), au-dessus sinon.
    valeurs = []
    for i, (a, v) in enumerate(publies):
        voisins = [publies[j][1].valeur for j in (i - 1, i + 1) if 0 <= j < len(publies)]
        bas = all(v.valeur < w for w in voisins)
        valeurs.append({"annee": a, "valeur": v.valeur, "texte": forme(v), "place": "bas" if bas else "haut"})
    spec = {
        "width": 280,
        "height": 100,
        "data": {"values": valeurs},
        "encoding": {
            "x": {
                "field": "annee",
                "type": "ordinal",
                "axis": {"title": None, "labelAngle": 0},
                "scale": {"padding": 0.6},
            },
            "y": {"field": "valeur", "type": "quantitative", "axis": None, "scale": {"zero": False, "padding": 18}},
        },
        "layer": [
            {"mark": {"type": "line", "color": COULEUR_TENDANCE, "strokeWidth": 2.5}},
            {"mark": {"type": "point", "filled": True, "size": 50, "color": COULEUR_TENDANCE}},
            {
                "transform": [{"filter": "datum.place === 'haut'"}],
                "mark": {"type": "text", "dy": -13, "fontSize": 11, "color": "#1e1e1e", "fontWeight": "bold"},
                "encoding": {"text": {"field": "texte"}},
            },
            {
                "transform": [{"filter": "datum.place === 'bas'"}],
                "mark": {"type": "text", "dy": 15, "fontSize": 11, "color": "#1e1e1e", "fontWeight": "bold"},
                "encoding": {"text": {"field": "texte"}},
            },
        ],
        "padding": {"left": 30, "right": 40, "top": 10, "bottom": 4},
    }
    return Graphique(titre=titre, svg=svg(spec), alternative=alternative, note=note)


# --------------------------------------------------------------------------- textes fixes du gabarit

TEXTE_CS = (
    "Un centre social est un équipement de proximité ouvert à tous les habitants, agréé par la Caf pour "
    "quatre ans au plus sur la base d'un projet social construit avec eux. Lieu d'animation de la vie "
    "sociale, il accueille, écoute et oriente, propose des activités et des services pour tous les âges et "
    "soutient les initiatives des habitants."
)
TEXTE_EVS = (
    "Un espace de vie sociale (EVS) est une structure de proximité, le plus souvent associative et animée "
    "par des bénévoles, qui développe des actions collectives favorisant le lien social, la participation "
    "des habitants et les solidarités de voisinage. Son agrément par la Caf repose sur un projet plus "
    "resserré que celui d'un centre social."
)
TEXTE_SENACS = (
    "SENACS (Système d'échanges national des centres sociaux) est l'observatoire que conduisent chaque année "
    "la Caisse nationale des allocations familiales, les Caf et le réseau fédéral des centres sociaux. Chaque "
    "structure agréée y décrit son projet, ses activités, ses moyens et ses partenariats."
)
METHODE = (
    "Les chiffres de cette plaquette portent sur l'année {donnees} (campagne {campagne}) et proviennent des "
    "seules structures qui ont déposé leur réponse. Les sommes (personnes touchées, salariés, bénévoles, "
    "budgets) additionnent les déclarations des répondants : elles sous-estiment le total du territoire "
    "lorsque toutes les structures n'ont pas répondu.",
    "s : secret statistique. Un chiffre est masqué lorsqu'il permettrait de connaître, ou d'estimer de "
    "trop près, la réponse d'une structure (trop peu de répondants, une structure qui pèse l'essentiel du "
    "total, ou un chiffre qui se déduirait d'autres chiffres publiés). — : sans objet (aucun répondant).",
    "Conformément à la charte d'utilisation des données SENACS, les réponses sont traitées de manière "
    "anonyme, globale et agrégée ; cette plaquette suit le gabarit national commun et a été soumise au "
    "comité de pilotage (COPIL) du territoire, qui réunit la Caf et la représentation fédérale des centres "
    "sociaux. Chaque structure peut demander ses tableaux automatisés.",
)


# --------------------------------------------------------------------------- construction


@dataclass
class Entrees:
    """Ce qu'il faut pour construire une plaquette (tout vient des agrégats protégés)."""

    cellules: Cellules
    lieu: Lieu
    nation: Lieu
    campagne: int
    annee_donnees: int
    libelles: Mapping[str, Mapping[str, str]]  # question → modalité → libellé
    historique: Sequence[tuple[int, Cellules]] = ()  # campagnes précédentes (année, cellules), anciennes d'abord
    comparaison: Sequence[Lieu] = ()  # territoires comparés (région, nation…) ; pour FR : les régions
    textes: Mapping[str, str] | None = None
    pages: Iterable[str] | None = None
    mention: str = "Projet"
    version_gabarit: str = ""
    edite_le: str = ""


def _choix(e: Entrees, question: str, lieu: Lieu | None = None, public: str = "ensemble", cellules=None):
    """(libellé, part) des modalités d'une question à choix, dans l'ordre du questionnaire."""
    lieu = lieu or e.lieu
    cellules = cellules or e.cellules
    return [
        (libelle, cellules.get(lieu, question, "part", code, public))
        for code, libelle in (e.libelles.get(question) or {}).items()
    ]


def _oui(e: Entrees, question: str, lieu: Lieu | None = None) -> Valeur:
    return e.cellules.get(lieu or e.lieu, question, "part", "oui")


def _stat(e: Entrees, question: str, statistique: str = "somme", lieu: Lieu | None = None, public="ensemble"):
    return e.cellules.get(lieu or e.lieu, question, statistique, "", public)


def _compte(e: Entrees, statistique: str, public: str = "ensemble", lieu: Lieu | None = None, cellules=None):
    return (cellules or e.cellules).get(lieu or e.lieu, "*", statistique, "", public)


def _pct(v: Valeur) -> str:
    return pourcentage(v, 0)


def _ligne_choix(libelle: str, v: Valeur) -> list[str]:
    return [libelle, _pct(v)]


FINANCEURS: tuple[tuple[str, str], ...] = (
    ("F06", "Caf – animation globale (AGC)"),
    ("F07", "Caf – animation collective familles"),
    ("F08", "Caf – animation locale (EVS)"),
    ("F09", "Caf – autres prestations de service"),
    ("F10", "Caf – action sociale locale"),
    ("F11", "Communes"),
    ("F12", "Intercommunalités"),
    ("F13", "Département"),
    ("F14", "Région"),
    ("F15", "État"),
    ("F16", "MSA"),
    ("F17", "Autres financeurs publics"),
    ("F18", "Participation des usagers"),
    ("F19", "Adhésions et cotisations"),
    ("F20", "Autres produits"),
)
CAF = ("F06", "F07", "F08", "F09", "F10")

ETP_FONCTIONS = (
    ("E10", "Direction"),
    ("E13", "Référent(e) famille"),
    ("E14", "Accueil"),
    ("E15", "Animation"),
    ("E16", "Administratif et gestion"),
    ("E17", "Autres fonctions"),
)
AGES = (
    ("H02A", "0 à 5 ans"),
    ("H02B", "6 à 11 ans"),
    ("H02C", "12 à 17 ans"),
    ("H02D", "18 à 25 ans"),
    ("H02E", "26 à 59 ans"),
    ("H02F", "60 ans et plus"),
)
ACTIONS = (
    ("H03", "Petite enfance (0-5 ans)"),
    ("H05", "Accueil de loisirs (ALSH)"),
    ("H07", "Accompagnement à la scolarité"),
    ("H10", "Soutien à la parentalité"),
    ("H13", "Seniors, lutte contre l'isolement"),
    ("H16", "Lutte contre la fracture numérique"),
    ("H17", "Espace France Services"),
    ("H18", "Apprentissage du français"),
    ("H19", "Insertion sociale et professionnelle"),
    ("H20", "Actions culturelles"),
    ("H21", "Bien-être et santé"),
    ("H23", "Aide alimentaire, épicerie solidaire"),
    ("H24", "Transition écologique"),
)


def construire(e: Entrees) -> ContenuPlaquette:
    """Le contenu complet d'une plaquette (voir le module)."""
    lieu = e.lieu
    annee = str(e.campagne)
    contexte = f"{lieu.nom}, {e.annee_donnees}"
    retenues = pages_incluses(e.pages)
    if lieu.niveau == "nation" and "comparaison" in retenues and not e.comparaison:
        retenues.remove("comparaison")
    textes = dict(e.textes or {})
    bloc_de_page = {b.page: b for b in BLOCS if b.page != "couverture"}

    attendus, repondants = _compte(e, "attendus"), _compte(e, "repondants")
    taux = rapport(repondants, attendus)

    chiffres_cles = [
        Chiffre("structures agréées", nombre(attendus), _detail_cs_evs(e, "attendus")),
        Chiffre("structures répondantes", nombre(repondants), f"taux de réponse {_pct(taux)}"),
        Chiffre("personnes touchées", nombre(_stat(e, "H01")), "dans l'année"),
        Chiffre("salariés", nombre(_stat(e, "E01")), f"{nombre(_stat(e, 'E02'))} ETP"),
        Chiffre("bénévoles", nombre(_stat(e, "D03")), f"{nombre(_stat(e, 'D04'))} heures"),
        Chiffre("budget cumulé", millions(_stat(e, "F04")), "total des produits"),
    ]

    sections: list[Section] = []
    for code in retenues:
        page = PAGES_PAR_CODE[code]
        section = Section(code=code, titre=page.titre)
        fabrique = _FABRIQUES.get(code)
        if fabrique:
            fabrique(e, section, contexte)
        bloc = bloc_de_page.get(code)
        if code == "couverture":
            section.bloc, section.bloc_titre, section.texte = "edito", "Édito", textes.get("edito", "")
        elif bloc:
            section.bloc, section.bloc_titre, section.texte = bloc.code, bloc.titre, textes.get(bloc.code, "")
        sections.append(section)

    for c in chiffres_cles:
        if c.valeur in ("0", "1"):
            c.libelle = SINGULIERS.get(c.libelle, c.libelle)
    nb_cles_secrets = sum(c.valeur == SECRET_TEXTE for c in chiffres_cles)
    chiffres_cles, cles_non_diffuses = _chiffres_cles_diffusables(e, chiffres_cles)
    for section in sections:
        section.chiffres, section.non_diffuses = _ecarter_secrets(section.chiffres)
    avertissement = ""
    if nb_cles_secrets >= 3:
        avertissement = (
            "Peu de structures ont répondu sur ce territoire : la plupart des chiffres sont couverts par le "
            "secret statistique (s). Les pages régionale et nationale donnent les repères d'ensemble."
        )
    if lieu.niveau == "nation":
        titre = "Les centres sociaux et espaces de vie sociale en France"
    elif lieu.niveau == "region":
        titre = f"Les centres sociaux et espaces de vie sociale — région {lieu.nom}"
    else:
        titre = f"Les centres sociaux et espaces de vie sociale — {lieu.nom} ({lieu.code})"
    return ContenuPlaquette(
        cle=lieu.cle,
        niveau=lieu.niveau,
        territoire=lieu.nom,
        titre=titre,
        sous_titre=f"Observatoire SENACS — campagne {annee}, données {e.annee_donnees}",
        titre_document=f"Plaquette SENACS {annee} — {lieu.nom}",
        campagne=annee,
        annee_donnees=str(e.annee_donnees),
        mention=e.mention,
        version_gabarit=e.version_gabarit,
        chiffres_cles=chiffres_cles,
        chiffres_cles_non_diffuses=cles_non_diffuses,
        sections=sections,
        avertissement=avertissement,
        edite_le=e.edite_le,
    )


def _sans_secret_detail(c: Chiffre) -> Chiffre:
    """Un détail qui contient un « s » (« s ETP ») est retiré : le chiffre principal reste lisible seul."""
    if SECRET_TEXTE in c.detail.split():
        c.detail = ""
    return c


def _ecarter_secrets(chiffres: list[Chiffre]) -> tuple[list[Chiffre], list[str]]:
    """Sépare les chiffres diffusables des chiffres couverts par le secret (jamais un « s » en grand)."""
    publies = [_sans_secret_detail(c) for c in chiffres if c.valeur != SECRET_TEXTE]
    return publies, [c.libelle for c in chiffres if c.valeur == SECRET_TEXTE]


def _chiffres_cles_diffusables(e: Entrees, chiffres: list[Chiffre]) -> tuple[list[Chiffre], list[str]]:
    """Les chiffres clés de couverture sans « s » : un chiffre masqué est remplacé par un autre chiffre clé
    diffusable (réserve ci-dessous, dans l'ordre) ; s'il n'y en a plus, son libellé rejoint la ligne
    « non diffusé (secret statistique) » imprimée en petit."""
    publies, masques = _ecarter_secrets(chiffres)
    reserve = (
        ("heures de bénévolat", lambda: nombre(_stat(e, "D04"))),
        ("équivalents temps plein", lambda: nombre(_stat(e, "E02"), 1)),
        ("adhérents individuels", lambda: nombre(_stat(e, "C01"))),
        ("enfants de 0 à 11 ans accueillis", lambda: nombre(_stat(e, "H06"))),
        ("familles touchées par les actions collectives", lambda: nombre(_stat(e, "H11"))),
        ("associations accueillies", lambda: nombre(_stat(e, "C11"))),
    )
    for libelle, valeur in reserve:
        if len(publies) >= len(chiffres):
            break
        v = valeur()
        if v != SECRET_TEXTE:
            publies.append(Chiffre(SINGULIERS.get(libelle, libelle) if v in ("0", "1") else libelle, v))
    return publies, masques


def _detail_cs_evs(e: Entrees, statistique: str, cellules=None, lieu=None) -> str:
    cs = nombre(_compte(e, statistique, "CS", lieu, cellules))
    evs = nombre(_compte(e, statistique, "EVS", lieu, cellules))
    return f"{cs} CS et {evs} EVS"


# --------------------------------------------------------------------------- pages


SINGULIERS = {
    "structures agréées": "structure agréée",
    "structures répondantes": "structure répondante",
    "personnes touchées": "personne touchée",
    "salariés": "salarié",
    "bénévoles": "bénévole",
}


def accord(valeur: str, singulier: str, pluriel: str) -> str:
    """« 1 répondant », « 0 répondant », « 12 répondants », « s répondants »."""
    return f"{valeur} {singulier if valeur in ('0', '1') else pluriel}"


def _page_qu_est_ce(e: Entrees, s: Section, contexte: str) -> None:
    s.introduction = [TEXTE_CS, TEXTE_EVS, TEXTE_SENACS]
    cs, evs = nombre(_compte(e, "attendus", "CS")), nombre(_compte(e, "attendus", "EVS"))
    s.chiffres = [
        Chiffre(
            accord(cs, "centre social agréé", "centres sociaux agréés").removeprefix(cs + " "),
            cs,
            accord(nombre(_compte(e, "repondants", "CS")), "répondant", "répondants"),
        ),
        Chiffre(
            accord(evs, "espace de vie sociale agréé", "espaces de vie sociale agréés").removeprefix(evs + " "),
            evs,
            accord(nombre(_compte(e, "repondants", "EVS")), "répondant", "répondants"),
        ),
    ]


def _page_territoire(e: Entrees, s: Section, contexte: str) -> None:
    urbain = e.cellules.get(e.lieu, "A16", "part", "urbain")
    qpv = e.cellules.get(e.lieu, "A18", "part", "qpv")
    associatif = e.cellules.get(e.lieu, "A15", "part", "associatif")
    s.chiffres = [
        Chiffre("en territoire urbain", _pct(urbain)),
        Chiffre("implantées en quartier prioritaire (QPV)", _pct(qpv)),
        Chiffre("en gestion associative", _pct(associatif)),
    ]
    g = _barres("Modes de gestion", contexte, _choix(e, "A15"), _pct)
    if g:
        s.graphiques.append(g)
    g = _barres("Territoire d'intervention", contexte, _choix(e, "A17"), _pct, couleur=COULEUR_SECONDAIRE, trier=False)
    if g:
        s.graphiques.append(g)
    s.tableaux.append(
        Tableau(
            titre="Géographie prioritaire (part des structures répondantes)",
            colonnes=["Situation", "Part"],
            lignes=[_ligne_choix(lib, v) for lib, v in _choix(e, "A18")],
        )
    )


def _page_projets(e: Entrees, s: Section, contexte: str) -> None:
    s.chiffres = [
        Chiffre("enfants de 0 à 11 ans accueillis", nombre(_stat(e, "H06"))),
        Chiffre("jeunes de 12 à 25 ans accompagnés", nombre(_stat(e, "H08"))),
        Chiffre("familles touchées par les actions collectives", nombre(_stat(e, "H11"))),
        Chiffre("personnes accompagnées dans l'accès aux droits", nombre(_stat(e, "H15"))),
    ]
    g = _barres("Enjeux prioritaires du territoire", contexte, _choix(e, "B03"), _pct, max_items=8)
    if g:
        s.graphiques.append(g)
    ages = [(lib, _stat(e, code, "moyenne")) for code, lib in AGES]
    g = _barres(
        "Âge des personnes touchées (part moyenne)", contexte, ages, _pct, couleur=COULEUR_SECONDAIRE, trier=False
    )
    if g:
        s.graphiques.append(g)
    s.tableaux.append(
        Tableau(
            titre="Actions menées (part des structures répondantes)",
            colonnes=["Action", "Part"],
            lignes=[[lib, _pct(_oui(e, code))] for code, lib in ACTIONS],
        )
    )


def _page_participation(e: Entrees, s: Section, contexte: str) -> None:
    s.chiffres = [
        Chiffre("bénévoles", nombre(_stat(e, "D03"))),
        Chiffre("heures de bénévolat", nombre(_stat(e, "D04"))),
        Chiffre("adhérents individuels", nombre(_stat(e, "C01"))),
        Chiffre("associations accueillies", nombre(_stat(e, "C11"))),
    ]
    g = _barres("Domaines d'intervention des bénévoles", contexte, _choix(e, "D09"), _pct)
    if g:
        s.graphiques.append(g)
    s.tableaux.append(
        Tableau(
            titre="Bénévolat et gouvernance",
            colonnes=["Indicateur", "Total", "Médiane par structure"],
            lignes=[
                [lib, nombre(_stat(e, code)), nombre(_stat(e, code, "mediane"), 1)]
                for code, lib in (
                    ("D01", "Bénévoles d'activité"),
                    ("D02", "Bénévoles dans la gouvernance"),
                    ("D07", "Bénévoles de 12 à 25 ans"),
                    ("C04", "Membres des instances de pilotage"),
                    ("C05", "dont habitants ou usagers"),
                    ("C12", "Initiatives d'habitants accompagnées"),
                )
            ],
        )
    )
    s.tableaux.append(
        Tableau(
            titre="Participation des habitants (part des structures répondantes)",
            colonnes=["Pratique", "Part"],
            lignes=[
                ["Diagnostic partagé avec les habitants", _pct(_oui(e, "B04"))],
                ["Formations proposées aux bénévoles", _pct(_oui(e, "D10"))],
            ]
            + [_ligne_choix(lib, v) for lib, v in _choix(e, "C09")][:5],
        )
    )


def _page_rh(e: Entrees, s: Section, contexte: str) -> None:
    s.chiffres = [
        Chiffre("salariés", nombre(_stat(e, "E01"))),
        Chiffre("équivalents temps plein", nombre(_stat(e, "E02"), 1)),
        Chiffre("ETP médian par structure", nombre(_stat(e, "E02", "mediane"), 1)),
        Chiffre("avec un(e) référent(e) famille", _pct(_oui(e, "E12"))),
    ]
    fonctions = [(lib, _stat(e, code)) for code, lib in ETP_FONCTIONS]
    g = _barres("ETP par fonction", contexte, fonctions, lambda v: nombre(v, 0), trier=False)
    if g:
        s.graphiques.append(g)
    s.tableaux.append(
        Tableau(
            titre="Emplois et contrats",
            colonnes=["Indicateur", "Total"],
            lignes=[
                [lib, nombre(_stat(e, code))]
                for code, lib in (
                    ("E03", "Salariés en CDI"),
                    ("E04", "Salariés en CDD"),
                    ("E05", "Contrats aidés"),
                    ("E06", "Adultes-relais"),
                    ("E07", "Postes FONJEP"),
                    ("E08", "Volontaires en service civique"),
                    ("E18", "Intervenants vacataires"),
                    ("E19", "Postes vacants au 31 décembre"),
                )
            ],
        )
    )


def _page_finances(e: Entrees, s: Section, contexte: str) -> None:
    total_ventile = _stat(e, "F26")
    caf = somme([_stat(e, code) for code in CAF])
    s.chiffres = [
        Chiffre("budget cumulé (produits)", millions(_stat(e, "F04"))),
        Chiffre("budget médian par structure", euros(_stat(e, "F04", "mediane"))),
        Chiffre("part des Caf dans les financements", _pct(rapport(caf, total_ventile))),
        Chiffre("part des charges de personnel", _pct(rapport(_stat(e, "F03"), _stat(e, "F02")))),
    ]
    parts = [(lib, rapport(_stat(e, code), total_ventile)) for code, lib in FINANCEURS]
    g = _barres("Financements par financeur (part des financements ventilés)", contexte, parts, _pct, max_items=15)
    if g:
        s.graphiques.append(g)
    s.tableaux.append(
        Tableau(
            titre="Financements par financeur",
            colonnes=["Financeur", "Montant", "Part"],
            lignes=[
                [lib, euros(_stat(e, code)), _pct(rapport(_stat(e, code), total_ventile))] for code, lib in FINANCEURS
            ]
            + [["Total des financements ventilés", euros(total_ventile), _pct(rapport(total_ventile, total_ventile))]],
            note="Part : montant du financeur ÷ total des financements ventilés (F06 à F20) des répondants.",
        )
    )


def _page_partenariats(e: Entrees, s: Section, contexte: str) -> None:
    s.chiffres = [
        Chiffre("en partenariat avec leur commune", _pct(_oui(e, "G01"))),
        Chiffre("couvertes par une convention pluripartenariale", _pct(_oui(e, "G02"))),
        Chiffre("partenaires opérationnels en moyenne", nombre(_stat(e, "G04", "moyenne"), 1)),
    ]
    g = _barres("Types de partenaires opérationnels", contexte, _choix(e, "G03"), _pct, max_items=10)
    if g:
        s.graphiques.append(g)
    s.tableaux.append(
        Tableau(
            titre="Participation à des dispositifs territoriaux (part des structures répondantes)",
            colonnes=["Dispositif", "Part"],
            lignes=[_ligne_choix(lib, v) for lib, v in _choix(e, "G05")],
        )
    )


INDICATEURS_TENDANCE = (
    ("Structures agréées", lambda c, lieu: c.get(lieu, "*", "attendus"), nombre),
    ("Structures répondantes", lambda c, lieu: c.get(lieu, "*", "repondants"), nombre),
    ("Personnes touchées", lambda c, lieu: c.get(lieu, "H01", "somme"), nombre),
    ("Salariés (ETP)", lambda c, lieu: c.get(lieu, "E02", "somme"), nombre),
    ("Bénévoles", lambda c, lieu: c.get(lieu, "D03", "somme"), nombre),
    ("Budget cumulé", lambda c, lieu: c.get(lieu, "F04", "somme"), millions),
    ("Budget médian", lambda c, lieu: c.get(lieu, "F04", "mediane"), euros),
)


def _page_tendances(e: Entrees, s: Section, contexte: str) -> None:
    series = [*e.historique, (e.campagne, e.cellules)][-5:]
    annees = [str(a) for a, _ in series]
    s.introduction = [
        "Évolution des principaux indicateurs sur les dernières campagnes publiées. Les sommes dépendent du "
        "nombre de structures répondantes, qui varie d'une année à l'autre : la médiane se compare mieux."
    ]
    s.tableaux.append(
        Tableau(
            titre="Évolution sur les dernières campagnes",
            colonnes=["Indicateur", *annees],
            lignes=[[lib, *(forme(lire(c, e.lieu)) for _, c in series)] for lib, lire, forme in INDICATEURS_TENDANCE],
            note="Campagne de collecte ; les données portent sur l'année précédente.",
        )
    )
    g = _courbe(
        "Structures répondantes par campagne",
        e.lieu.nom,
        [(a, c.get(e.lieu, "*", "repondants")) for a, c in zip(annees, (c for _, c in series), strict=True)],
        nombre,
    )
    if g:
        s.graphiques.append(g)
    g = _courbe(
        "Budget médian par campagne",
        e.lieu.nom,
        [(a, c.get(e.lieu, "F04", "mediane")) for a, c in zip(annees, (c for _, c in series), strict=True)],
        euros,
    )
    if g:
        s.graphiques.append(g)


INDICATEURS_COMPARAISON = (
    ("Taux de réponse", lambda e, t: _pct(rapport(_compte(e, "repondants", lieu=t), _compte(e, "attendus", lieu=t)))),
    ("Part en territoire urbain", lambda e, t: _pct(e.cellules.get(t, "A16", "part", "urbain"))),
    ("Part implantée en QPV", lambda e, t: _pct(e.cellules.get(t, "A18", "part", "qpv"))),
    ("Part en gestion associative", lambda e, t: _pct(e.cellules.get(t, "A15", "part", "associatif"))),
    ("Personnes touchées (médiane)", lambda e, t: nombre(_stat(e, "H01", "mediane", t))),
    ("ETP salariés (médiane)", lambda e, t: nombre(_stat(e, "E02", "mediane", t), 1)),
    ("Bénévoles (médiane)", lambda e, t: nombre(_stat(e, "D03", "mediane", t))),
    ("Budget (médiane)", lambda e, t: euros(_stat(e, "F04", "mediane", t))),
    (
        "Part des Caf dans les financements",
        lambda e, t: _pct(rapport(somme([_stat(e, c, lieu=t) for c in CAF]), _stat(e, "F26", lieu=t))),
    ),
    (
        "Part des communes dans les financements",
        lambda e, t: _pct(rapport(_stat(e, "F11", lieu=t), _stat(e, "F26", lieu=t))),
    ),
    ("Avec un(e) référent(e) famille", lambda e, t: _pct(_oui(e, "E12", t))),
)


def _page_comparaison(e: Entrees, s: Section, contexte: str) -> None:
    if e.lieu.niveau == "nation":
        s.titre = "Comparaison des régions"
        s.introduction = ["Les régions côte à côte : structures, réponses et quelques repères médians."]
        s.tableaux.append(
            Tableau(
                titre=f"Les régions, campagne {e.campagne}",
                colonnes=["Région", "Agréées", "Répondantes", "Taux de réponse", "Budget médian"],
                lignes=[
                    [
                        r.nom,
                        nombre(_compte(e, "attendus", lieu=r)),
                        nombre(_compte(e, "repondants", lieu=r)),
                        _pct(rapport(_compte(e, "repondants", lieu=r), _compte(e, "attendus", lieu=r))),
                        euros(_stat(e, "F04", "mediane", r)),
                    ]
                    for r in e.comparaison
                ],
            )
        )
        return
    lieux = [e.lieu, *e.comparaison]
    s.introduction = [
        f"{e.lieu.nom} au regard de " + " et de ".join(t.nom for t in e.comparaison) + " : parts des structures "
        "répondantes et valeurs médianes par structure, qui se comparent d'un territoire à t'autre."
    ]
    s.tableaux.append(
        Tableau(
            titre=f"Repères comparés, campagne {e.campagne}",
            pleine_largeur=True,
            colonnes=["Indicateur", *(t.nom for t in lieux)],
            lignes=[[lib, *(f(e, t) for t in lieux)] for lib, f in INDICATEURS_COMPARAISON],
        )
    )
    etp = [(t.nom, _stat(e, "E02", "mediane", t)) for t in lieux]
    g = _barres(
        "ETP salariés par structure (médiane)", f"campagne {e.campagne}", etp, lambda v: nombre(v, 1), trier=False
    )
    if g:
        s.graphiques.append(g)


LEXIQUE = (
    ("CS", "Centre social, agréé par la Caf (animation globale et coordination)"),
    ("EVS", "Espace de vie sociale, agréé par la Caf (animation locale)"),
    ("QPV", "Quartier prioritaire de la politique de la ville"),
    ("ETP", "Équivalent temps plein"),
    ("AGC, ACF", "Prestations de service Caf : animation globale et coordination, animation collective familles"),
    ("Médiane", "Valeur qui partage les structures répondantes en deux moitiés"),
    ("COPIL", "Comité de pilotage SENACS du territoire (Caf et fédération des centres sociaux)"),
    ("s", "Secret statistique : valeur masquée"),
    ("—", "Sans objet : aucune structure répondante"),
)


def _page_methodologie(e: Entrees, s: Section, contexte: str) -> None:
    donnees, campagne = e.annee_donnees, e.campagne
    s.introduction = [METHODE[0].format(donnees=donnees, campagne=campagne), *METHODE[1:]]
    taux = rapport(_compte(e, "repondants"), _compte(e, "attendus"))
    s.chiffres = [
        Chiffre("structures agréées", nombre(_compte(e, "attendus"))),
        Chiffre("structures répondantes", nombre(_compte(e, "repondants"))),
        Chiffre("taux de réponse", _pct(taux)),
    ]
    s.tableaux.append(
        Tableau(
            titre="Qui a répondu",
            colonnes=["Structures", "Agréées", "Répondantes", "Taux de réponse"],
            lignes=[
                [
                    libelle,
                    nombre(_compte(e, "attendus", public)),
                    nombre(_compte(e, "repondants", public)),
                    _pct(rapport(_compte(e, "repondants", public), _compte(e, "attendus", public))),
                ]
                for public, libelle in (
                    ("CS", "Centres sociaux"),
                    ("EVS", "Espaces de vie sociale"),
                    ("ensemble", "Ensemble"),
                )
            ],
            note="Structures agréées pendant l'année des données ; répondantes : réponse déposée à la campagne.",
        )
    )
    s.tableaux.append(Tableau(titre="Lexique", colonnes=["Terme", "Signification"], lignes=[list(t) for t in LEXIQUE]))


#: Questions lues par la plaquette (``*`` : comptes de campagne) ; les autres cellules ne sont pas chargées.
QUESTIONS: frozenset[str] = frozenset(
    {"*", "A15", "A16", "A17", "A18", "B03", "B04", "C01", "C04", "C05", "C09", "C11", "C12", "D01", "D02", "D03"}
    | {"D04", "D07", "D09", "D10", "E01", "E02", "E03", "E04", "E05", "E06", "E07", "E08", "E12", "E18", "E19"}
    | {"F02", "F03", "F04", "F26", "G01", "G02", "G03", "G04", "G05", "H01", "H06", "H08", "H11", "H15"}
    | {c for c, _ in FINANCEURS + ETP_FONCTIONS + AGES + ACTIONS}
)

_FABRIQUES = {
    "qu-est-ce": _page_qu_est_ce,
    "territoire": _page_territoire,
    "projets": _page_projets,
    "participation": _page_participation,
    "rh": _page_rh,
    "finances": _page_finances,
    "partenariats": _page_partenariats,
    "tendances": _page_tendances,
    "comparaison": _page_comparaison,
    "methodologie": _page_methodologie,
}
