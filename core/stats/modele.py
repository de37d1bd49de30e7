"""Contrat d'entrée et de sortie du cœur statistique (Python pur, sans Django).

Entrées (construites côté Django à partir de la base) :

``microdonnees`` — un ``polars.DataFrame``, une ligne par structure **répondante** :

=============  ===========  ==============================================================
colonne        type         sens
=============  ===========  ==============================================================
structure      Int64        identifiant stable de la structure (unique)
type           Utf8         ``"CS"`` ou ``"EVS"``
departement    Utf8         code INSEE du département (``"01"``, ``"2A"``, ``"971"``…)
region         Utf8         code INSEE de la région
zone           Utf8 / null  identifiant de zone infra-départementale (unique dans la campagne)
gestionnaire   Utf8         organisme gestionnaire : ses structures comptent pour UN contributeur
<code>         selon nature ``nombre`` → Float64, ``choix_unique`` → Utf8,
                            ``choix_multiple`` → List(Utf8), ``oui_non`` → Boolean ;
                            null = pas de réponse (jamais zéro)
=============  ===========  ==============================================================

``attendus`` — les structures attendues de la campagne : ``structure, type, departement, region,
zone`` (mêmes types). Chaque répondante doit y figurer.

Sortie : une table de **cellules** (``polars.DataFrame``) dont les colonnes ``COLONNES_OUVERTES``
forment le fichier open data (schéma ``docs/schemas/agregats-v1.md``) ; les autres colonnes
(``COLONNES_INTERNES``) servent aux règles du secret et à l'audit et ne sortent jamais du serveur.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from core.territoires import CODE_NATION

Nature = Literal["nombre", "choix_unique", "choix_multiple", "oui_non"]
NATURES: tuple[str, ...] = ("nombre", "choix_unique", "choix_multiple", "oui_non")
TYPES_STRUCTURE: tuple[str, ...] = ("CS", "EVS")
PUBLIC_ENSEMBLE = "ensemble"
PUBLICS: tuple[str, ...] = ("CS", "EVS", PUBLIC_ENSEMBLE)
NIVEAUX: tuple[str, ...] = ("nation", "region", "departement", "zone")
QUESTION_CAMPAGNE = "*"  # question des comptes de campagne (attendus, répondants)

# Statistiques publiées, par nature de question. Jamais de minimum ni de maximum.
STATS_CAMPAGNE: tuple[str, ...] = ("attendus", "repondants")
STATS_NOMBRE: tuple[str, ...] = ("repondants", "somme", "moyenne", "mediane", "q1", "q3")
STATS_CHOIX: tuple[str, ...] = ("repondants", "effectif", "part")
STATISTIQUES: tuple[str, ...] = (
    "attendus",
    "repondants",
    "somme",
    "moyenne",
    "mediane",
    "q1",
    "q3",
    "effectif",
    "part",
)
QUANTILES: dict[str, float] = {"q1": 0.25, "mediane": 0.5, "q3": 0.75}

COLONNES_BASE: tuple[str, ...] = ("structure", "type", "departement", "region", "zone", "gestionnaire")
COLONNES_ATTENDUS: tuple[str, ...] = ("structure", "type", "departement", "region", "zone")

COLONNES_OUVERTES: tuple[str, ...] = (
    "campagne",
    "niveau",
    "territoire",
    "parent",
    "public",
    "question",
    "statistique",
    "modalite",
    "valeur",
    "statut",
)

# Colonnes internes de la table de cellules (calcul) ; le module secret en ajoute d'autres.
COLONNES_INTERNES: dict[str, str] = {
    "n": "nombre de structures contribuant à la cellule (répondants à la question, ou dans la modalité)",
    "n_contrib": "nombre de contributeurs (gestionnaires distincts) de la cellule",
    "x1": "plus grande contribution, en valeur absolue, agrégée par gestionnaire (grandeurs)",
    "x2": "deuxième plus grande contribution agrégée par gestionnaire (grandeurs)",
    "total_abs": "somme des valeurs absolues des contributions agrégées par gestionnaire (grandeurs)",
    "denominateur": "répondants à la question dans le territoire et le public (base des parts et moyennes)",
    "n_contrib_question": "gestionnaires distincts parmi les répondants à la question",
    "contributeur_unique": "le gestionnaire, quand un seul gestionnaire a répondu à la question (initié)",
    "negatif": "la question admet des valeurs négatives (pas de borne a priori ≥ 0)",
    "valeur_brute": "valeur exacte de la cellule (la colonne valeur est vidée pour les cellules secrètes)",
}

SCHEMA_CELLULES: dict[str, pl.DataType] = {
    "campagne": pl.Utf8(),
    "niveau": pl.Utf8(),
    "territoire": pl.Utf8(),
    "parent": pl.Utf8(),
    "public": pl.Utf8(),
    "question": pl.Utf8(),
    "statistique": pl.Utf8(),
    "modalite": pl.Utf8(),
    "valeur": pl.Float64(),
    "statut": pl.Utf8(),
    "n": pl.Int64(),
    "n_contrib": pl.Int64(),
    "x1": pl.Float64(),
    "x2": pl.Float64(),
    "total_abs": pl.Float64(),
    "denominateur": pl.Int64(),
    "n_contrib_question": pl.Int64(),
    "contributeur_unique": pl.Utf8(),
    "negatif": pl.Boolean(),
    "valeur_brute": pl.Float64(),
}

CLE_CELLULE: tuple[str, ...] = ("territoire", "public", "question", "statistique", "modalite")

STATUT_PUBLIE = "publie"
STATUT_SECRET = "secret"
STATUT_SANS_OBJET = "sans_objet"  # moyenne, quantile ou part sans aucun répondant (dénominateur publié = 0)
STATUT_A_DECIDER = "a_decider"  # avant application du secret


class ErreurDonnees(ValueError):
    """Entrées non conformes au contrat (message en français, détaillé)."""


@dataclass(frozen=True, slots=True)
class QuestionStat:
    """Une question telle que la voit le cœur statistique.

    ``modalites`` : codes des choix (``("oui", "non")`` pour ``oui_non``, vide pour ``nombre``).
    ``sensible`` : une répartition où tous les répondants, ou tous sauf un, partagent une modalité
    est sensible (divulgation d'attribut de groupe).
    """

    code: str
    nature: Nature
    modalites: tuple[str, ...] = ()
    sensible: bool = False
    libelle: str = ""
    # Question posée seulement après une réponse donnée : (question déclencheuse, modalité). Ses
    # répondants sont alors l'effectif de cette modalité : un compte à protéger comme lui.
    declencheur: tuple[str, str] | None = None
    # Bornes par structure (min, max de la question) : la somme est entre min·n et max·n.
    minimum: float | None = None
    maximum: float | None = None

    def __post_init__(self) -> None:
        if self.nature not in NATURES:
            raise ErreurDonnees(f"Question {self.code} : nature inconnue « {self.nature} ».")
        if not self.code or self.code == QUESTION_CAMPAGNE:
            raise ErreurDonnees(f"Code de question invalide : « {self.code} ».")
        if self.nature == "oui_non" and tuple(self.modalites) not in ((), ("oui", "non")):
            raise ErreurDonnees(f"Question {self.code} : les modalités d'une question oui/non sont (oui, non).")
        if self.nature == "oui_non" and not self.modalites:
            object.__setattr__(self, "modalites", ("oui", "non"))
        if self.nature in ("choix_unique", "choix_multiple") and not self.modalites:
            raise ErreurDonnees(f"Question {self.code} : une question à choix doit déclarer ses modalités.")
        if self.nature == "nombre" and self.modalites:
            raise ErreurDonnees(f"Question {self.code} : une question numérique n'a pas de modalités.")
        if len(set(self.modalites)) != len(self.modalites) or "" in self.modalites:
            raise ErreurDonnees(f"Question {self.code} : modalités vides ou en double.")

    @property
    def est_nombre(self) -> bool:
        return self.nature == "nombre"

    @property
    def est_choix(self) -> bool:
        return self.nature != "nombre"

    @property
    def est_additive(self) -> bool:
        """Les effectifs des modalités somment au nombre de répondants (choix unique, oui/non)."""
        return self.nature in ("choix_unique", "oui_non")


@dataclass(frozen=True, slots=True)
class Relation:
    """Relation additive entre questions numériques : somme(total) = Σ somme(composantes).

    Exemple : ``Relation(total="F04", composantes=("F06", …, "F20"))`` (financements = budget).
    Dans chaque territoire et public. Si les données ne la vérifient pas exactement (réponses
    partielles), l'audit suppose que l'attaquant connaît l'écart : hypothèse prudente.
    """

    total: str
    composantes: tuple[str, ...]
    # Identité approchée (règle « abs(A − B) <= tolérance ») : elle ne vaut que pour les structures qui
    # ont répondu aux deux côtés ; l'audit ne l'écrit que là où tous ses termes ont les mêmes
    # répondants (comptes publics : l'attaquant le sait aussi).
    exacte: bool = True

    def __post_init__(self) -> None:
        if not self.composantes or self.total in self.composantes:
            raise ErreurDonnees(f"Relation {self.total} : composantes vides ou contenant le total.")


@dataclass(frozen=True, slots=True)
class Inegalite:
    """Relation d'ordre entre cellules : Σ coef · cellule(question, statistique, modalité) ≤ 0, dans
    chaque territoire et public (règle bloquante du questionnaire, vraie pour chaque structure)."""

    termes: tuple[tuple[str, str, str, float], ...]
    source: str = ""


@dataclass(frozen=True, slots=True)
class Territoires:
    """Nation « FR » → régions → départements → zones (partition complète du département).

    ``regions`` : code région → codes des départements ; ``zones`` : code département → identifiants
    des zones (y compris la zone « reste du département »). Les identifiants de zone sont uniques
    dans la campagne.
    """

    regions: Mapping[str, tuple[str, ...]]
    zones: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        vus: dict[str, str] = {}
        for region, deps in self.regions.items():
            for d in deps:
                if d in vus:
                    raise ErreurDonnees(f"Département {d} rattaché à deux régions ({vus[d]} et {region}).")
                vus[d] = region
        zones_vues: set[str] = set()
        for dep, zs in self.zones.items():
            if dep not in vus:
                raise ErreurDonnees(f"Zones déclarées pour un département inconnu : {dep}.")
            for z in zs:
                if z in zones_vues or z in vus or z in self.regions or z == CODE_NATION:
                    raise ErreurDonnees(f"Identifiant de zone en double ou ambigu : {z}.")
                zones_vues.add(z)

    @classmethod
    def depuis_donnees(
        cls,
        attendus: pl.DataFrame,
        microdonnees: pl.DataFrame | None = None,
        zones: Mapping[str, Iterable[str]] | None = None,
    ) -> "Territoires":
        """Territoires présents dans les attendus (et les répondants), zones complétées par ``zones``."""
        cadres = [attendus.select("region", "departement", "zone")]
        if microdonnees is not None:
            cadres.append(microdonnees.select("region", "departement", "zone"))
        lignes = pl.concat(cadres, how="vertical_relaxed").unique()
        regions: dict[str, set[str]] = {}
        zones_dep: dict[str, set[str]] = {d: set(zs) for d, zs in (zones or {}).items()}
        for region, dep, zone in lignes.iter_rows():
            regions.setdefault(region, set()).add(dep)
            if zone is not None:
                zones_dep.setdefault(dep, set()).add(zone)
        return cls(
            regions={r: tuple(sorted(ds)) for r, ds in sorted(regions.items())},
            zones={d: tuple(sorted(zs)) for d, zs in sorted(zones_dep.items()) if zs},
        )

    @classmethod
    def referentiel(cls, zones: Mapping[str, Iterable[str]] | None = None) -> "Territoires":
        """Les 18 régions et 101 départements du référentiel INSEE (``core.territoires``), avec zones.

        Pour publier aussi les territoires sans aucune structure attendue (toutes leurs cellules à 0).
        """
        from core.territoires import departements

        regions: dict[str, list[str]] = {}
        for d in departements():
            regions.setdefault(d.code_region, []).append(d.code)
        return cls(
            regions={r: tuple(deps) for r, deps in regions.items()},
            zones={d: tuple(zs) for d, zs in (zones or {}).items()},
        )

    def table(self) -> pl.DataFrame:
        """Une ligne par territoire : niveau, territoire, parent (vide pour la nation)."""
        lignes = [("nation", CODE_NATION, "")]
        for region, deps in self.regions.items():
            lignes.append(("region", region, CODE_NATION))
            for d in deps:
                lignes.append(("departement", d, region))
                for z in self.zones.get(d, ()):
                    lignes.append(("zone", z, d))
        return pl.DataFrame(lignes, schema={"niveau": pl.Utf8, "territoire": pl.Utf8, "parent": pl.Utf8}, orient="row")

    def region_de(self) -> dict[str, str]:
        return {d: r for r, deps in self.regions.items() for d in deps}


def dtype_attendu(question: QuestionStat) -> pl.DataType:
    return {
        "nombre": pl.Float64(),
        "choix_unique": pl.Utf8(),
        "choix_multiple": pl.List(pl.Utf8()),
        "oui_non": pl.Boolean(),
    }[question.nature]


def valider_entrees(
    microdonnees: pl.DataFrame,
    attendus: pl.DataFrame,
    questions: Iterable[QuestionStat],
    territoires: Territoires,
    relations: Iterable[Relation] = (),
) -> None:
    """Vérifie le contrat d'entrée ; lève ``ErreurDonnees`` avec la liste des problèmes."""
    problemes: list[str] = []
    questions = list(questions)
    for nom, cadre, colonnes in (
        ("microdonnees", microdonnees, COLONNES_BASE),
        ("attendus", attendus, COLONNES_ATTENDUS),
    ):
        manquantes = [c for c in colonnes if c not in cadre.columns]
        if manquantes:
            problemes.append(f"{nom} : colonnes manquantes {manquantes}.")
            continue
        if cadre.schema["structure"] != pl.Int64:
            problemes.append(f"{nom} : la colonne structure doit être Int64.")
        for c in ("type", "departement", "region", "zone"):
            if cadre.schema[c] not in (pl.Utf8, pl.Null):
                problemes.append(f"{nom} : la colonne {c} doit être du texte.")
        if cadre["structure"].null_count() or cadre["structure"].n_unique() != cadre.height:
            problemes.append(f"{nom} : identifiants de structure vides ou en double.")
        types = set(cadre["type"].unique().to_list()) - set(TYPES_STRUCTURE)
        if types:
            problemes.append(f"{nom} : types de structure inconnus {sorted(map(str, types))}.")
        if problemes:
            continue
        region_de = territoires.region_de()
        mauvais = cadre.filter(
            pl.col("departement").replace_strict(region_de, default=None, return_dtype=pl.Utf8) != pl.col("region")
        )
        inconnus = cadre.filter(~pl.col("departement").is_in(list(region_de)))
        if inconnus.height:
            problemes.append(f"{nom} : départements hors référentiel {sorted(inconnus['departement'].unique())}.")
        elif mauvais.height:
            problemes.append(f"{nom} : région incohérente avec le département pour {mauvais.height} structure(s).")
        zones_de = {z: d for d, zs in territoires.zones.items() for z in zs}
        avec_zones = set(territoires.zones)
        sans_zone = cadre.filter(pl.col("departement").is_in(list(avec_zones)) & pl.col("zone").is_null())
        if sans_zone.height:
            problemes.append(
                f"{nom} : {sans_zone.height} structure(s) sans zone dans un département découpé en zones "
                f"(structures {sans_zone['structure'].head(5).to_list()}…)."
            )
        zones_fausses = cadre.filter(
            pl.col("zone").is_not_null()
            & (pl.col("zone").replace_strict(zones_de, default=None, return_dtype=pl.Utf8) != pl.col("departement"))
            | (pl.col("zone").is_not_null() & ~pl.col("zone").is_in(list(zones_de)))
        )
        if zones_fausses.height:
            problemes.append(f"{nom} : {zones_fausses.height} structure(s) dans une zone d'un autre département.")
    if not problemes:
        if microdonnees["gestionnaire"].dtype != pl.Utf8:
            problemes.append("microdonnees : la colonne gestionnaire doit être du texte.")
        absents = microdonnees.join(attendus.select("structure"), on="structure", how="anti")
        if absents.height:
            problemes.append(
                f"microdonnees : {absents.height} répondante(s) absente(s) des attendus "
                f"({absents['structure'].head(5).to_list()}…)."
            )
        else:
            ecarts = microdonnees.select(COLONNES_ATTENDUS).join(
                attendus.select(COLONNES_ATTENDUS), on="structure", suffix="_attendu"
            )
            for c in ("type", "departement", "region", "zone"):
                diff = ecarts.filter(pl.col(c).ne_missing(pl.col(f"{c}_attendu")))
                if diff.height:
                    problemes.append(f"microdonnees : {c} différent des attendus pour {diff.height} structure(s).")
    codes = [q.code for q in questions]
    if len(set(codes)) != len(codes):
        problemes.append("questions : codes en double.")
    for q in questions:
        if q.code in COLONNES_BASE:
            problemes.append(f"question {q.code} : code réservé.")
            continue
        if q.code not in microdonnees.columns:
            problemes.append(f"question {q.code} : colonne absente des microdonnées.")
            continue
        dtype = microdonnees.schema[q.code]
        if dtype != dtype_attendu(q) and dtype != pl.Null:
            problemes.append(f"question {q.code} : type {dtype} au lieu de {dtype_attendu(q)}.")
            continue
        if q.nature in ("choix_unique", "choix_multiple") and dtype != pl.Null:
            serie = microdonnees[q.code]
            if q.nature == "choix_multiple":
                serie = serie.explode()
            inconnues = set(serie.drop_nulls().unique().to_list()) - set(q.modalites)
            if inconnues:
                problemes.append(f"question {q.code} : modalités non déclarées {sorted(inconnues)}.")
        if q.nature == "nombre" and dtype != pl.Null:
            if not microdonnees[q.code].drop_nulls().is_finite().all():
                problemes.append(f"question {q.code} : valeurs non finies (NaN ou infini).")
    par_code = {q.code: q for q in questions}
    for r in relations:
        for c in (r.total, *r.composantes):
            if c not in par_code or par_code[c].nature != "nombre":
                problemes.append(f"relation {r.total} : {c} n'est pas une question numérique déclarée.")
    if problemes:
        raise ErreurDonnees("Entrées non conformes :\n- " + "\n- ".join(problemes))
