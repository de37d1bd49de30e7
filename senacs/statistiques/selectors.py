"""De la base au cœur statistique : microdonnées, attendus, questions et relations d'une campagne.

Une seule requête lit les réponses déposées (soumises ou validées) ; les structures sont classées
selon l'**instantané** figé au dépôt (type, département, région, zone, gestionnaire : les statistiques
de l'année N ne bougent plus quand une structure déménage ou ferme), et les colonnes polars sont
construites directement (nombres en Float64, choix en Utf8 ou List(Utf8), oui/non en Boolean).

Choix documentés (aussi dans ``docs/schemas/agregats-v1.md`` et ``docs/copil.md``) :

- **questions retenues** : nombres (entier, décimal, euros, pourcentage), choix unique, choix
  multiple, oui/non ; pas les textes, dates, adresses ; pas la question de rattachement à une Caf
  (liste des départements : c'est le territoire lui-même) ; parmi les valeurs calculées, seul le total
  des financements ventilés F26 (somme exacte des lignes F06 à F20). D05 (ETP bénévole = D04 ÷ 1 607)
  et F05 (résultat = F04 − F02) sont écartés : publiés à côté des questions dont ils dérivent, ils
  permettraient de recalculer une cellule masquée par une relation que l'audit ne connaît pas ;
- **questions sensibles** (``QUESTIONS_SENSIBLES``) : une répartition où tous les répondants, ou tous
  sauf un, ont la même réponse est sensible ;
- **relations** : dérivées de la définition du questionnaire (``core.secret.questionnaire.deriver``,
  voir ``docs/secret-statistique.md``) — calcul F26 = F06 + … + F20, identités approchées R02 (ETP
  ventilés) et R04b (budget ≈ financements ventilés), inégalités des règles bloquantes (E03 + E04 ≤
  E01…), questions de suivi (répondants de A24 = « oui » à A22…) et bornes par structure. Le réglage
  ``SENACS_SECRET_MODELE_QUESTIONNAIRE = False`` revient aux relations historiques (``RELATIONS``) ;
- **répartition par âge** H02A à H02F : des parts qui somment à 100 pour chaque structure (règle
  bloquante R13). La somme des six colonnes vaut donc 100 × répondants, que tout le monde connaît :
  on ajoute une question interne H02 (leur total par structure), la relation H02 = H02A + … + H02F et
  la borne a priori « H02 connu exactement » ; H02 sert à l'audit et n'est jamais publiée ;
- **pertinence** : on lit les réponses déposées telles qu'enregistrées ; une réponse à une question
  que la variante de la structure ne pose pas (CS/EVS, questions locales d'un autre département) est
  ignorée.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl
from django.db.models import Q

from core.formats import ErreurSaisie, lire_nombre
from core.questionnaire.modele import LISTE_DEPARTEMENTS, TYPES_NOMBRE
from core.questionnaire.modele import Questionnaire as ModeleQuestionnaire
from core.secret.questionnaire import deriver
from core.stats import Inegalite, QuestionStat, Relation, Territoires
from core.territoires import CODE_NATION, departements, departements_par_code, regions
from senacs.campagnes.models import Campagne
from senacs.reponses.models import Reponse, Statut
from senacs.structures.models import Structure
from senacs.territoires.models import Zone

STATUTS_DEPOSES = (Statut.SOUMISE, Statut.VALIDEE)

QUESTIONS_SENSIBLES: dict[str, str] = {
    "F25": "situation financière perçue (difficultés, risque de cessation d'activité)",
    "E11": "qualification du directeur ou de la directrice : une donnée sur une personne identifiable",
    "B10": "évaluation du projet social précédent non réalisée : un manquement aux attendus de l'agrément",
    "I06": "interpellation d'élus ou d'institutions : une prise de position vis-à-vis des financeurs",
}

LIGNES_FINANCEMENT = tuple(f"F{i:02d}" for i in range(6, 21))
RELATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("F26", LIGNES_FINANCEMENT),
    ("F04", LIGNES_FINANCEMENT),
)
# Relations historiques (sans le modèle du questionnaire). Avec lui, R02 (E02 ≈ E10 + E13 + … + E17)
# est une identité approchée, écrite seulement là où ses termes ont les mêmes répondants : un
# département à deux répondants dont l'un n'a pas ventilé ses ETP reste protégeable.
# Valeurs calculées publiées : recalculées ici comme somme exacte de leurs composantes.
DERIVEES: dict[str, tuple[str, ...]] = {"F26": LIGNES_FINANCEMENT}
# Questions internes (audit seulement) : code → composantes.
INTERNES: dict[str, tuple[str, ...]] = {"H02": ("H02A", "H02B", "H02C", "H02D", "H02E", "H02F")}
LIBELLES_INTERNES = {"H02": "Répartition par âge : total des parts (audit seulement)"}

TYPES_CHOIX = {"choix_unique": "choix_unique", "choix_multiple": "choix_multiple", "oui_non": "oui_non"}
COLONNES_IDENTITE = ("structure", "type", "departement", "region", "zone", "gestionnaire")


# --------------------------------------------------------------------------- territoires


@dataclass(frozen=True, slots=True)
class Territoire:
    """Un territoire d'agrégats : ``cle`` comme dans ``Perimetre.territoires_agregats``."""

    niveau: str  # nation, region, departement
    code: str

    @property
    def cle(self) -> str:
        return {"nation": CODE_NATION, "region": f"R:{self.code}", "departement": f"D:{self.code}"}[self.niveau]

    @property
    def slug(self) -> str:
        """Forme d'URL : FR, R84, D69, D2A."""
        return {"nation": CODE_NATION, "region": f"R{self.code}", "departement": f"D{self.code}"}[self.niveau]

    @property
    def libelle(self) -> str:
        if self.niveau == "nation":
            return "France"
        if self.niveau == "region":
            return next((r.nom for r in regions() if r.code == self.code), self.code)
        return f"{departements_par_code()[self.code].nom} ({self.code})"

    @property
    def libelle_complet(self) -> str:
        return {"nation": "France entière", "region": "Région", "departement": "Département"}[self.niveau] + (
            "" if self.niveau == "nation" else f" {self.libelle}"
        )

    def ascendants(self) -> list["Territoire"]:
        """Le territoire puis ceux au-dessus : département → région → nation."""
        if self.niveau == "nation":
            return [self]
        if self.niveau == "region":
            return [self, NATION]
        region = departements_par_code()[self.code].code_region
        return [self, Territoire("region", region), NATION]

    def departements(self) -> frozenset[str]:
        if self.niveau == "nation":
            return frozenset(d.code for d in departements())
        if self.niveau == "region":
            return frozenset(d.code for d in departements() if d.code_region == self.code)
        return frozenset({self.code})

    @classmethod
    def depuis_cle(cls, cle: str) -> "Territoire | None":
        """``FR``, ``R:84``, ``D:69`` (ou ``69`` : un code seul est un département) ; None si inconnu."""
        cle = (cle or "").strip()
        if cle.upper() == CODE_NATION:
            return NATION
        if cle[:2].upper() == "R:":
            code = cle[2:]
            return cls("region", code) if any(r.code == code for r in regions()) else None
        code = cle[2:] if cle[:2].upper() == "D:" else cle
        code = code.upper()
        return cls("departement", code) if code in departements_par_code() else None

    @classmethod
    def depuis_slug(cls, slug: str) -> "Territoire | None":
        if slug == CODE_NATION:
            return NATION
        if slug[:1] == "R":
            return cls.depuis_cle(f"R:{slug[1:]}")
        if slug[:1] == "D":
            return cls.depuis_cle(f"D:{slug[1:]}")
        return None


NATION = Territoire("nation", CODE_NATION)


def zones_des_departements() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Zones de chaque département découpé (identifiants uniques au niveau national), et sa zone
    « reste du département » — ajoutée (``<dép>-reste``) quand le COPIL n'en a pas déclaré."""
    zones: dict[str, list[str]] = {}
    reste: dict[str, str] = {}
    codes = set()
    for code, departement, est_reste in Zone.objects.order_by("departement_id", "code").values_list(
        "code", "departement_id", "est_reste"
    ):
        zones.setdefault(departement, []).append(code)
        codes.add(code)
        if est_reste and departement not in reste:
            reste[departement] = code
    for departement, liste in zones.items():
        if departement not in reste:
            code = f"{departement}-reste"
            while code in codes:
                code += "-"
            reste[departement] = code
            liste.append(code)
    return {d: tuple(z) for d, z in zones.items()}, reste


# --------------------------------------------------------------------------- questions


def questions_statistiques(modele: ModeleQuestionnaire) -> list[QuestionStat]:
    """Les questions de la campagne vues par le cœur statistique (voir le docstring du module)."""
    questions: list[QuestionStat] = []
    codes = set(modele.codes())
    for q in modele.questions():
        libelle = q.libelle
        if q.type in TYPES_NOMBRE or (q.type == "calcul" and q.code in DERIVEES):
            questions.append(QuestionStat(q.code, "nombre", libelle=libelle))
        elif q.type in ("choix_unique", "choix_multiple"):
            if q.liste == LISTE_DEPARTEMENTS:
                continue
            modalites = tuple(c.code for c in modele.choix(q.code))
            if not modalites:
                continue
            questions.append(
                QuestionStat(q.code, q.type, modalites, sensible=q.code in QUESTIONS_SENSIBLES, libelle=libelle)
            )
        elif q.type == "oui_non":
            questions.append(QuestionStat(q.code, "oui_non", sensible=q.code in QUESTIONS_SENSIBLES, libelle=libelle))
    if modele_relations_actif():
        questions = avec_modele_relations(modele, questions)
    nombres = {q.code for q in questions if q.est_nombre}
    for code, composantes in INTERNES.items():
        if set(composantes) <= nombres and code not in nombres:
            # Le code de l'intitulé (« note ») sert d'identifiant : il n'a pas de réponse propre.
            if code in codes and modele.question(code).type != "note":
                continue
            questions.append(QuestionStat(code, "nombre", libelle=LIBELLES_INTERNES[code]))
    return questions


def modele_relations_actif() -> bool:
    """Le secret de la diffusion utilise-t-il le modèle dérivé du questionnaire ? Oui par défaut ;
    le réglage ``SENACS_SECRET_MODELE_QUESTIONNAIRE = False`` revient aux seules relations historiques
    (``RELATIONS``), pour comparer."""
    from django.conf import settings

    return bool(getattr(settings, "SENACS_SECRET_MODELE_QUESTIONNAIRE", True))


def avec_modele_relations(modele: ModeleQuestionnaire, questions: list[QuestionStat]) -> list[QuestionStat]:
    """Pertinences (question de suivi → réponse qui la déclenche) et bornes par structure, tirées de
    la définition du questionnaire (``core.secret.questionnaire.deriver``)."""
    derive = deriver(modele)
    par_code = {q.code: q for q in questions}
    declencheurs = {
        p.enfant: (p.parent, p.modalite)
        for p in derive.pertinences
        if p.enfant in par_code and p.parent in par_code and p.modalite in par_code[p.parent].modalites
    }
    bornes: dict[str, tuple[float | None, float | None]] = {}
    for b in derive.bornes:
        bas, haut = bornes.get(b.code, (None, None))
        if b.min is not None:
            bas = b.min if bas is None else max(bas, b.min)
        if b.max is not None:
            haut = b.max if haut is None else min(haut, b.max)
        bornes[b.code] = (bas, haut)
    sortie = []
    for q in questions:
        bas, haut = bornes.get(q.code, (None, None)) if q.est_nombre else (None, None)
        sortie.append(replace(q, declencheur=declencheurs.get(q.code), minimum=bas, maximum=haut))
    return sortie


def relations_statistiques(
    questions: Iterable[QuestionStat], modele: ModeleQuestionnaire | None = None
) -> list[Relation | Inegalite]:
    """Relations entre questions retenues : celles que dérive la définition du questionnaire
    (calculs additifs, identités tenues, inégalités des règles bloquantes ; ``modele`` donné), sinon
    les relations historiques (``RELATIONS``), et les totaux internes (H02)."""
    questions = list(questions)
    nombres = {q.code for q in questions if q.est_nombre}
    relations: list[Relation | Inegalite] = []
    if modele is not None:
        derive = deriver(modele).restreint({q.code: q.nature for q in questions})
        for e in derive.egalites:
            relations.append(Relation(total=e.total, composantes=e.composantes, exacte=e.exacte))
        relations.extend(derive.inegalites)
        paires = INTERNES.items()
    else:
        paires = (*RELATIONS, *INTERNES.items())
    for total, composantes in paires:
        presentes = tuple(c for c in composantes if c in nombres)
        if total in nombres and len(presentes) >= 2:
            relations.append(Relation(total=total, composantes=presentes))
    return relations


def codes_internes(questions: Iterable[QuestionStat]) -> frozenset[str]:
    return frozenset(q.code for q in questions if q.code in INTERNES and q.libelle == LIBELLES_INTERNES[q.code])


# --------------------------------------------------------------------------- valeurs


def nombre(brut: Any) -> float | None:
    if brut is None or isinstance(brut, bool) or brut == "":
        return None
    if isinstance(brut, int | float):
        v = float(brut)
    else:
        try:
            d = lire_nombre(brut)
        except (ErreurSaisie, ValueError, TypeError):
            return None
        if d is None:
            return None
        v = float(d)
    return v if v == v and v not in (float("inf"), float("-inf")) else None


def oui_non(brut: Any) -> bool | None:
    if isinstance(brut, bool):
        return brut
    if isinstance(brut, str):
        t = brut.strip().lower()
        if t in ("oui", "true", "vrai", "1"):
            return True
        if t in ("non", "false", "faux", "0"):
            return False
    if isinstance(brut, int) and brut in (0, 1):
        return bool(brut)
    return None


def valeur_statistique(question: QuestionStat, brut: Any) -> Any:
    """Réponse telle que le cœur l'attend ; None pour une absence de réponse ou une valeur illisible."""
    if question.nature == "nombre":
        return nombre(brut)
    if question.nature == "oui_non":
        return oui_non(brut)
    if question.nature == "choix_unique":
        return brut if isinstance(brut, str) and brut in question.modalites else None
    if isinstance(brut, str):
        brut = brut.split()
    if not isinstance(brut, list | tuple):
        return None
    choisis = [m for m in question.modalites if m in set(brut)]
    return choisis or None


# --------------------------------------------------------------------------- réponses déposées


@dataclass(slots=True)
class Repondante:
    pk: int
    identifiant: str
    type: str
    departement: str
    region: str
    zone: str | None
    gestionnaire: str | None
    valeurs: dict[str, Any]


@dataclass(slots=True)
class _Classement:
    zones: dict[str, tuple[str, ...]]
    reste: dict[str, str]
    zone_de: dict[str, str] = field(default_factory=dict)  # code de zone → département

    def __post_init__(self):
        self.zone_de = {z: d for d, zs in self.zones.items() for z in zs}

    def zone(self, departement: str, figee: str | None, courante: str | None) -> str | None:
        """Zone de l'instantané si elle est toujours une zone du département ; sinon la zone actuelle
        de la structure dans ce département ; sinon la zone « reste ». Aucune sans découpage."""
        if departement not in self.zones:
            return None
        for candidate in (figee, courante):
            if candidate and self.zone_de.get(candidate) == departement:
                return candidate
        return self.reste[departement]


def repondantes(
    campagne: Campagne, departements: Iterable[str] | None = None, *, structure_pk: int | None = None
) -> Iterator[Repondante]:
    """Les réponses déposées (soumises ou validées) de la campagne, classées selon leur instantané
    (à défaut, selon le registre actuel) ; ``departements`` filtre sur le département de l'instantané,
    ``structure_pk`` sur une structure."""
    zones, reste = zones_des_departements()
    classement = _Classement(zones, reste)
    region_de = {d.code: d.code_region for d in departements_par_code().values()}
    filtre = frozenset(departements) if departements is not None else None
    reponses = Reponse.objects.filter(campagne=campagne, statut__in=STATUTS_DEPOSES)
    if structure_pk is not None:
        reponses = reponses.filter(structure_id=structure_pk)
    if filtre is not None:
        reponses = reponses.filter(
            Q(instantane__departement__in=sorted(filtre))
            | (Q(instantane__departement__isnull=True) & Q(structure__departement_id__in=sorted(filtre)))
        )
    lignes = reponses.order_by("structure_id").values_list(
        "structure_id",
        "structure__identifiant",
        "structure__type",
        "structure__departement_id",
        "structure__zone__code",
        "structure__gestionnaire_id",
        "structure__gestionnaire__siren",
        "instantane",
        "valeurs",
    )
    for pk, identifiant, type_, dep, zone, ges_pk, siren, instantane, valeurs in lignes.iterator(chunk_size=500):
        inst = instantane or {}
        departement = inst.get("departement") or dep
        if filtre is not None and departement not in filtre:
            continue
        if "gestionnaire" in inst:
            gestionnaire = inst["gestionnaire"]
        else:
            gestionnaire = (siren or f"G{ges_pk}") if ges_pk else None
        yield Repondante(
            pk=pk,
            identifiant=identifiant,
            type=inst.get("type") or type_,
            departement=departement,
            region=region_de.get(departement) or inst.get("region"),
            zone=classement.zone(departement, inst.get("zone"), zone),
            gestionnaire=gestionnaire,
            valeurs=valeurs or {},
        )


def codes_poses(modele: ModeleQuestionnaire, cache: dict, type_: str, departement: str) -> frozenset[str]:
    cle = (type_, departement)
    if cle not in cache:
        variante = modele.pour_public(type_, departement) if type_ in ("CS", "EVS") else modele
        cache[cle] = frozenset(variante.codes()) | frozenset(DERIVEES) | frozenset(INTERNES)
    return cache[cle]


def valeurs_statistiques(
    questions: list[QuestionStat], valeurs: dict[str, Any], poses: frozenset[str]
) -> dict[str, Any]:
    """Réponses d'une structure pour le cœur : normalisées, limitées aux questions posées à sa
    variante, valeurs calculées (F26) et internes (H02) recalculées à partir des composantes."""
    sortie: dict[str, Any] = {}
    for q in questions:
        if q.code in DERIVEES or q.code in INTERNES:
            continue
        sortie[q.code] = valeur_statistique(q, valeurs.get(q.code)) if q.code in poses else None
    for code, composantes in (*DERIVEES.items(), *INTERNES.items()):
        if code in {q.code for q in questions}:
            presentes = [sortie.get(c) for c in composantes if sortie.get(c) is not None]
            sortie[code] = float(sum(presentes)) if presentes else None
    return sortie


# --------------------------------------------------------------------------- données du cœur


@dataclass
class DonneesCampagne:
    campagne: Campagne
    microdonnees: pl.DataFrame
    attendus: pl.DataFrame
    questions: list[QuestionStat]
    relations: list[Relation]
    territoires: Territoires
    internes: frozenset[str]
    identifiants: dict[int, str]


def donnees_campagne(campagne: Campagne) -> DonneesCampagne:
    """Entrées de ``core.stats.calculer_statistiques`` pour une campagne (voir le docstring du module)."""
    modele = campagne.questionnaire.modele
    questions = questions_statistiques(modele)
    relations = relations_statistiques(questions, modele if modele_relations_actif() else None)
    zones, reste = zones_des_departements()
    classement = _Classement(zones, reste)
    region_de = {d.code: d.code_region for d in departements_par_code().values()}

    colonnes: dict[str, list] = {c: [] for c in COLONNES_IDENTITE}
    reponses: dict[str, list] = {q.code: [] for q in questions}
    identifiants: dict[int, str] = {}
    cache: dict = {}
    for r in repondantes(campagne):
        poses = codes_poses(modele, cache, r.type, r.departement)
        for c, v in zip(
            COLONNES_IDENTITE, (r.pk, r.type, r.departement, r.region, r.zone, r.gestionnaire), strict=True
        ):
            colonnes[c].append(v)
        valeurs = valeurs_statistiques(questions, r.valeurs, poses)
        for q in questions:
            reponses[q.code].append(valeurs.get(q.code))
        identifiants[r.pk] = r.identifiant
    schema = {
        "structure": pl.Int64,
        "type": pl.Utf8,
        "departement": pl.Utf8,
        "region": pl.Utf8,
        "zone": pl.Utf8,
        "gestionnaire": pl.Utf8,
    }
    types = {"nombre": pl.Float64, "choix_unique": pl.Utf8, "choix_multiple": pl.List(pl.Utf8), "oui_non": pl.Boolean}
    micro = pl.DataFrame(
        {**{c: pl.Series(c, colonnes[c], dtype=schema[c]) for c in COLONNES_IDENTITE}}
        | {q.code: pl.Series(q.code, reponses[q.code], dtype=types[q.nature]) for q in questions}
    )

    # Attendus : le registre actuel pour les non-répondantes, l'instantané pour les répondantes.
    repondues = {pk: i for i, pk in enumerate(colonnes["structure"])}
    att: dict[str, list] = {c: [] for c in ("structure", "type", "departement", "region", "zone")}
    lignes = Structure.objects.attendues(campagne.annee_donnees).values_list(
        "pk", "identifiant", "type", "departement_id", "zone__code"
    )
    vues = set()
    for pk, identifiant, type_, dep, zone in lignes:
        if pk in vues:
            continue
        vues.add(pk)
        if pk in repondues:
            continue
        att["structure"].append(pk)
        att["type"].append(type_)
        att["departement"].append(dep)
        att["region"].append(region_de[dep])
        att["zone"].append(classement.zone(dep, None, zone))
        identifiants.setdefault(pk, identifiant)
    for c in att:
        att[c].extend(colonnes[c])  # toute répondante est attendue, classée selon son instantané
    attendus = pl.DataFrame({c: pl.Series(c, v, dtype=schema[c]) for c, v in att.items()})
    return DonneesCampagne(
        campagne=campagne,
        microdonnees=micro,
        attendus=attendus,
        questions=questions,
        relations=relations,
        territoires=Territoires.depuis_donnees(
            attendus, micro, {d: z for d, z in zones.items() if d in set(attendus["departement"].to_list())}
        ),
        internes=codes_internes(questions),
        identifiants=identifiants,
    )
