"""Diffusion des agrégats protégés d'une campagne, audit qui la conditionne, exports.

- ``diffusion_publier(campagne=…)`` : calcule les statistiques, applique le secret (primaire et
  secondaire), audite, puis **fige** le résultat (fichier Parquet compressé + SHA-256 + ligne
  ``Diffusion``). Une diffusion suivante de la même campagne garde masqué tout ce qui l'a été
  (``gel``) et est auditée avec tout ce qui a déjà été publié (``deja_publiees``). Refusée si l'audit
  échoue : rien n'est figé.
- ``audit_campagne_ok(campagne)`` → ``RapportAudit`` : rejoue l'audit de la diffusion en vigueur avec
  toutes les précédentes. **Toute publication l'appelle** (open data, partage de tableaux, plaquettes)
  et refuse tant que ``rapport.ok`` est faux.
- ``publication_autorisee(campagne)`` → bool : la diffusion en vigueur existe, son fichier est
  intact (empreinte) et son audit était réussi ; ``recontroler=True`` rejoue l'audit.
- ``export_agregats`` (open data, ``docs/schemas/agregats-v1.md``) et ``export_brut`` (réponses
  d'un territoire, pour le préparateur ; journalisé).
"""

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from os import PathLike
from pathlib import Path
from typing import IO, Any

import polars as pl
from django.conf import settings
from django.db import transaction

from core import tableur
from core.erreurs import ErreurMetier
from core.secret import Politique, RapportAudit, auditer, proteger
from core.stats import (
    COLONNES_OUVERTES,
    STATUT_PUBLIE,
    STATUT_SANS_OBJET,
    STATUT_SECRET,
    Inegalite,
    QuestionStat,
    Relation,
    calculer_statistiques,
    vers_table_ouverte,
)
from senacs.campagnes.models import ORDRE_PHASES, Campagne, Phase
from senacs.journal.models import Nature
from senacs.journal.services import journaliser_acces
from senacs.statistiques.models import Diffusion, dossier_statistiques
from senacs.statistiques.selectors import (
    COLONNES_IDENTITE,
    INTERNES,
    Territoire,
    avec_modele_relations,
    codes_poses,
    donnees_campagne,
    questions_statistiques,
    relations_statistiques,
    repondantes,
    valeurs_statistiques,
)

CLE = ["niveau", "territoire", "public", "question", "statistique", "modalite"]
PHASE_MIN_DIFFUSION = Phase.ANALYSE


class ErreurPublication(ErreurMetier):
    """Publication ou export refusé (message en français)."""


class AucuneDiffusion(ErreurPublication):
    pass


def politique_secret() -> Politique:
    """Politique du secret : valeurs par défaut de ``core.secret.Politique``, remplacées par le réglage
    privé ``SENACS_POLITIQUE_SECRET`` (dictionnaire ; p. ex. ``{"p_pourcent": 12.0}``), jamais publié."""
    return Politique(**getattr(settings, "SENACS_POLITIQUE_SECRET", {}))


def sha256_fichier(chemin: Path) -> str:
    h = hashlib.sha256()
    with open(chemin, "rb") as f:
        for bloc in iter(lambda: f.read(1 << 20), b""):
            h.update(bloc)
    return h.hexdigest()


# --------------------------------------------------------------------------- lecture des diffusions


def diffusion_courante(campagne: Campagne) -> Diffusion | None:
    return Diffusion.objects.filter(campagne=campagne).order_by("-numero").first()


def questions_de(diffusion: Diffusion) -> list[QuestionStat]:
    return [
        QuestionStat(
            q["code"],
            q["nature"],
            tuple(q["modalites"]),
            q["sensible"],
            q["libelle"],
            declencheur=tuple(q["declencheur"]) if q.get("declencheur") else None,
            minimum=q.get("minimum"),
            maximum=q.get("maximum"),
        )
        for q in diffusion.questions
    ]


def relations_de(diffusion: Diffusion) -> list[Relation]:
    return [
        Inegalite(tuple(tuple(t) for t in r["termes"]), r.get("source", ""))
        if "termes" in r
        else Relation(r["total"], tuple(r["composantes"]), r.get("exacte", True))
        for r in diffusion.relations
    ]


def lire_cellules(diffusion: Diffusion, *, verifier: bool = True) -> pl.DataFrame:
    """Table protégée complète (colonnes internes comprises : ne jamais l'envoyer telle quelle)."""
    chemin = diffusion.chemin
    if not chemin.exists():
        raise ErreurPublication(f"Fichier de la diffusion introuvable : {chemin}.")
    if verifier and sha256_fichier(chemin) != diffusion.empreinte:
        raise ErreurPublication(f"Le fichier de la diffusion n° {diffusion.numero} a été modifié (empreinte).")
    return pl.read_parquet(chemin)


def cellules_publiques(diffusion: Diffusion, territoires: Iterable[str] | None = None) -> pl.DataFrame:
    """Colonnes ouvertes seulement, ``valeur`` vide hors cellules publiées, questions internes exclues ;
    ``territoires`` : codes (``FR``, ``84``, ``69``…) pour ne lire que ceux-là."""
    lecture = pl.scan_parquet(diffusion.chemin).select(COLONNES_OUVERTES)
    if territoires is not None:
        lecture = lecture.filter(pl.col("territoire").is_in(list(territoires)))
    if diffusion.internes:
        lecture = lecture.filter(~pl.col("question").is_in(list(diffusion.internes)))
    return lecture.with_columns(valeur=pl.when(pl.col("statut") == STATUT_PUBLIE).then(pl.col("valeur"))).collect()


def table_ouverte(cellules: pl.DataFrame, internes: Iterable[str] = ()) -> pl.DataFrame:
    """Le fichier open data : colonnes ouvertes, cellules ``publie`` et ``secret`` seulement (une cellule
    « sans objet », sans aucun répondant, n'est pas écrite), questions internes exclues."""
    internes = list(internes)
    table = vers_table_ouverte(cellules.filter(pl.col("statut") != STATUT_SANS_OBJET))
    if internes:
        table = table.filter(~pl.col("question").is_in(internes))
    return table.with_columns(pl.when(pl.col(pl.Utf8) != "").then(pl.col(pl.Utf8)))


def csv_ouvert(table: pl.DataFrame) -> bytes:
    tampon = io.BytesIO()
    table.write_csv(tampon, separator=",", include_header=True, null_value="", quote_style="necessary")
    return tampon.getvalue()


def _motif_anterieur(campagne: Campagne, avant: int | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(gel, déjà publiées) : cellules masquées et publiées par les diffusions précédentes."""
    gel, publiees = [], []
    anterieures = Diffusion.objects.filter(campagne=campagne).order_by("numero")
    if avant is not None:
        anterieures = anterieures.filter(numero__lt=avant)
    for d in anterieures:
        t = lire_cellules(d).select(*CLE, "statut")
        gel.append(t.filter(pl.col("statut") == STATUT_SECRET).select(CLE))
        publiees.append(t.filter(pl.col("statut") == STATUT_PUBLIE).select(CLE))
    vide = pl.DataFrame(schema={c: pl.Utf8 for c in CLE})
    gel_df = pl.concat(gel).unique() if gel else vide
    publiees_df = pl.concat(publiees).unique() if publiees else vide
    # Une cellule publiée une fois est connue : elle n'est plus « gelée » masquée.
    gel_df = gel_df.join(publiees_df, on=CLE, how="anti")
    return gel_df, publiees_df


def _bornes(cellules: pl.DataFrame, internes: Iterable[str]) -> pl.DataFrame | None:
    """Ce que tout le monde sait d'avance : le total interne (H02 = 100 × répondants), exactement."""
    internes = list(internes)
    if not internes:
        return None
    b = cellules.filter(pl.col("question").is_in(internes) & (pl.col("statistique") == "somme"))
    return b.select(*CLE, borne_min=pl.col("valeur_brute"), borne_max=pl.col("valeur_brute"))


def _neutraliser_internes(cellules: pl.DataFrame, internes: Iterable[str]) -> pl.DataFrame:
    """Un total interne connu d'avance ne protège ni ne révèle rien : aucune règle primaire ne s'y
    applique (contributions neutralisées), la borne a priori le fixe dans l'audit."""
    internes = list(internes)
    if not internes:
        return cellules
    est = pl.col("question").is_in(internes) & pl.col("statistique").is_in(["somme", "moyenne"])
    return cellules.with_columns(
        x1=pl.when(est).then(0.0).otherwise(pl.col("x1")),
        x2=pl.when(est).then(0.0).otherwise(pl.col("x2")),
        n_contrib=pl.when(est & (pl.col("n_contrib") > 0))
        .then(pl.max_horizontal(pl.col("n_contrib"), pl.lit(1000)))
        .otherwise(pl.col("n_contrib")),
    )


# --------------------------------------------------------------------------- calcul et diffusion


@dataclass
class Calcul:
    campagne: Campagne
    cellules: pl.DataFrame  # table protégée complète
    questions: list[QuestionStat]
    relations: list[Relation]
    internes: frozenset[str]
    rapport: RapportAudit
    primaires: int
    secondaires: int


def calculer_diffusion(campagne: Campagne, politique: Politique | None = None) -> Calcul:
    """Statistiques, secret et audit d'une campagne, sans rien figer (simulation)."""
    if campagne.questionnaire_id is None:
        raise ErreurPublication(f"La campagne {campagne.annee} n'a pas de questionnaire.")
    pol = politique or politique_secret()
    donnees = donnees_campagne(campagne)
    cellules = calculer_statistiques(
        donnees.microdonnees,
        donnees.attendus,
        donnees.questions,
        campagne=str(campagne.annee),
        territoires=donnees.territoires,
        publics=pol.publics,
    )
    cellules = _neutraliser_internes(cellules, donnees.internes)
    bornes = _bornes(cellules, donnees.internes)
    gel, deja = _motif_anterieur(campagne)
    resultat = proteger(
        cellules, donnees.questions, donnees.relations, pol, gel=gel, deja_publiees=deja, bornes=bornes
    )
    rapport = auditer(resultat.cellules, donnees.questions, donnees.relations, pol, deja_publiees=deja, bornes=bornes)
    return Calcul(
        campagne=campagne,
        cellules=resultat.cellules,
        questions=donnees.questions,
        relations=donnees.relations,
        internes=donnees.internes,
        rapport=rapport,
        primaires=resultat.primaires,
        secondaires=resultat.secondaires,
    )


@transaction.atomic
def diffusion_enregistrer(
    *,
    campagne: Campagne,
    cellules: pl.DataFrame,
    questions: list[QuestionStat],
    relations: list[Relation],
    internes: Iterable[str],
    rapport: RapportAudit,
    par=None,
    motif: str = "",
) -> Diffusion:
    """Fige une table protégée telle quelle (bas niveau : ``diffusion_publier`` vérifie l'audit avant)."""
    numero = (Diffusion.objects.filter(campagne=campagne).order_by("-numero").values_list("numero", flat=True).first()
              or 0) + 1  # fmt: skip
    relatif = Path("diffusions") / f"campagne-{campagne.annee}-diffusion-{numero}.parquet"
    chemin = dossier_statistiques() / relatif
    chemin.parent.mkdir(parents=True, exist_ok=True)
    temporaire = chemin.with_suffix(".tmp")
    cellules.write_parquet(temporaire, compression="zstd")
    temporaire.replace(chemin)
    internes = sorted(internes)
    ouverte = csv_ouvert(table_ouverte(cellules, internes))
    return Diffusion.objects.create(
        campagne=campagne,
        numero=numero,
        par=par,
        motif=motif[:250],
        fichier=str(relatif),
        empreinte=sha256_fichier(chemin),
        empreinte_ouverte=hashlib.sha256(ouverte).hexdigest(),
        questions=[
            {
                "code": q.code,
                "nature": q.nature,
                "modalites": list(q.modalites),
                "sensible": q.sensible,
                "libelle": q.libelle,
                "declencheur": list(q.declencheur) if q.declencheur else None,
                "minimum": q.minimum,
                "maximum": q.maximum,
            }
            for q in questions
        ],  # fmt: skip
        relations=[
            {"termes": [list(t) for t in r.termes], "source": r.source}
            if isinstance(r, Inegalite)
            else {"total": r.total, "composantes": list(r.composantes), "exacte": r.exacte}
            for r in relations
        ],
        internes=internes,
        cellules=cellules.height,
        secretes=int((cellules["statut"] == STATUT_SECRET).sum()),
        audit_ok=rapport.ok,
        audit_resume=rapport.resume(),
    )


def diffusion_publier(
    *, campagne: Campagne, par=None, motif: str = "", politique: Politique | None = None
) -> Diffusion:
    """Calcule, protège, audite et fige les agrégats de la campagne ; refuse si l'audit échoue."""
    if ORDRE_PHASES.index(campagne.phase) < ORDRE_PHASES.index(PHASE_MIN_DIFFUSION):
        raise ErreurPublication(
            f"La campagne {campagne.annee} est en phase « {campagne.get_phase_display()} » : les agrégats se "
            "diffusent à partir de la phase d'analyse (réponses contrôlées)."
        )
    calcul = calculer_diffusion(campagne, politique)
    if not calcul.rapport.ok:
        raise ErreurPublication(
            f"Diffusion refusée : l'audit du secret statistique échoue ({calcul.rapport.resume()})."
        )
    return diffusion_enregistrer(
        campagne=campagne,
        cellules=calcul.cellules,
        questions=calcul.questions,
        relations=calcul.relations,
        internes=calcul.internes,
        rapport=calcul.rapport,
        par=par,
        motif=motif,
    )


def audit_diffusion(
    diffusion: Diffusion, politique: Politique | None = None, *, modele_questionnaire: bool = False
) -> RapportAudit:
    """Audit d'une diffusion avec ses questions et relations figées ; ``modele_questionnaire`` :
    avec le modèle de relations dérivé de la définition du questionnaire de la campagne (questions
    de suivi, règles bloquantes, bornes), même si la diffusion a été protégée sans lui."""
    pol = politique or politique_secret()
    cellules = lire_cellules(diffusion)
    _, deja = _motif_anterieur(diffusion.campagne, avant=diffusion.numero)
    questions, relations = questions_de(diffusion), relations_de(diffusion)
    if modele_questionnaire and diffusion.campagne.questionnaire_id:
        modele = diffusion.campagne.questionnaire.modele
        questions = avec_modele_relations(modele, questions)
        relations = relations_statistiques(questions, modele)
    return auditer(
        cellules,
        questions,
        relations,
        pol,
        deja_publiees=deja,
        bornes=_bornes(cellules, diffusion.internes),
    )


def audit_campagne_ok(campagne: Campagne, politique: Politique | None = None) -> RapportAudit:
    """Rejoue l'audit de la diffusion en vigueur, avec tout ce qui a déjà été publié. Toute publication
    (open data, tableaux partagés, plaquettes) l'appelle et refuse tant que ``rapport.ok`` est faux.
    Lève ``AucuneDiffusion`` si la campagne n'a encore rien diffusé."""
    diffusion = diffusion_courante(campagne)
    if diffusion is None:
        raise AucuneDiffusion(
            f"Aucune diffusion des agrégats de la campagne {campagne.annee} : lancez d'abord "
            f"« senacs diffuser-agregats --campagne {campagne.annee} »."
        )
    return audit_diffusion(diffusion, politique)


def publication_autorisee(campagne: Campagne, *, recontroler: bool = False) -> bool:
    """Vrai si la diffusion en vigueur existe, est intacte et a passé l'audit (rejoué si ``recontroler``).
    Rapide sans ``recontroler`` : à appeler avant d'afficher ou de produire une plaquette ; une action
    de publication proprement dite (mise en ligne, envoi) passe ``recontroler=True``."""
    diffusion = diffusion_courante(campagne)
    if diffusion is None or not diffusion.audit_ok:
        return False
    try:
        if not diffusion.chemin.exists() or sha256_fichier(diffusion.chemin) != diffusion.empreinte:
            return False
        return audit_diffusion(diffusion).ok if recontroler else True
    except ErreurPublication:
        return False


# --------------------------------------------------------------------------- exports


def export_agregats(campagne: Campagne, destination: str | PathLike[str] | IO[bytes]) -> int:
    """Écrit le CSV open data (schéma ``docs/schemas/agregats-v1.md``) ; refuse si l'audit échoue."""
    rapport = audit_campagne_ok(campagne)
    if not rapport.ok:
        raise ErreurPublication(f"Export refusé : l'audit du secret statistique échoue ({rapport.resume()}).")
    diffusion = diffusion_courante(campagne)
    table = table_ouverte(lire_cellules(diffusion), diffusion.internes)
    contenu = csv_ouvert(table)
    if hasattr(destination, "write"):
        destination.write(contenu)
    else:
        from senacs.exploitation.fichiers import ecrire_atomiquement

        ecrire_atomiquement(destination, contenu)  # jamais de fichier tronqué ni d'ancien fichier écrasé à moitié
    return table.height


def _texte_nombre(v: float) -> str:
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return format(Decimal(repr(v)), "f")


def texte_brut(nature: str | None, valeur: Any) -> str:
    """Une réponse dans l'export brut : point décimal, codes séparés par une espace, oui/non."""
    if valeur is None or valeur == "" or valeur == []:
        return ""
    if nature == "nombre":
        return _texte_nombre(valeur)
    if nature == "oui_non":
        return "oui" if valeur else "non"
    if nature == "choix_multiple":
        return " ".join(valeur)
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, list | tuple):
        return " ".join(str(v) for v in valeur)
    if isinstance(valeur, float):
        return _texte_nombre(valeur)
    return str(valeur)


def _ecrire_csv(flux: IO[str], colonnes: list[str], lignes: list[list[str]]) -> None:
    tableur.ecrire_csv(colonnes, lignes, separateur=",", fin_ligne="\n", flux=flux)


@dataclass
class ExportBrut:
    lignes: int
    structures: list[int]
    colonnes: list[str]


def colonnes_brutes(campagne: Campagne) -> list[str]:
    modele = campagne.questionnaire.modele
    return [*COLONNES_IDENTITE, *[q.code for q in modele.questions() if q.type != "note"]]


def lignes_brutes(campagne: Campagne, territoire: Territoire):
    """(identifiant en base, ligne) des réponses déposées du territoire, selon l'instantané."""
    modele = campagne.questionnaire.modele
    questions = [q for q in questions_statistiques(modele) if q.code not in INTERNES]
    stat = {q.code: q for q in questions}
    codes = [q.code for q in modele.questions() if q.type != "note"]
    cache: dict = {}
    for r in repondantes(campagne, territoire.departements()):
        poses = codes_poses(modele, cache, r.type, r.departement)
        nettoyees = valeurs_statistiques(questions, r.valeurs, poses)
        ligne = [r.identifiant, r.type, r.departement, r.region, r.zone or "", r.gestionnaire or r.identifiant]
        for code in codes:
            if code in stat:
                ligne.append(texte_brut(stat[code].nature, nettoyees.get(code)))
            elif code in poses:
                ligne.append(texte_brut(None, r.valeurs.get(code)))
            else:
                ligne.append("")
        yield r.pk, ligne


def export_brut(
    campagne: Campagne,
    territoire: Territoire,
    destination: str | PathLike[str] | IO[str],
    *,
    acteur=None,
    detail: str = "",
) -> ExportBrut:
    """Réponses déposées d'un territoire, une ligne par structure (CSV UTF-8, virgule, point décimal).
    L'export est **journalisé** (``acteur`` : la requête ou l'utilisateur ; None pour une commande)."""
    if campagne.questionnaire_id is None:
        raise ErreurPublication(f"La campagne {campagne.annee} n'a pas de questionnaire.")
    colonnes = colonnes_brutes(campagne)
    structures, lignes = [], []
    for pk, ligne in lignes_brutes(campagne, territoire):
        structures.append(pk)
        lignes.append(ligne)

    def journaliser():
        journaliser_acces(
            acteur,
            structures=structures,
            campagne=campagne,
            nature=Nature.EXPORT_BRUT,
            detail=(detail or f"Export des réponses — {territoire.libelle_complet}")
            + f" ({len(structures)} structure{'s' if len(structures) > 1 else ''})",
        )

    if hasattr(destination, "write"):
        journaliser()  # flux (réponse HTTP) : journalisé avant que la moindre réponse ne sorte
        _ecrire_csv(destination, colonnes, lignes)
    else:
        from senacs.exploitation.fichiers import ecriture_atomique

        # Fichier : écrit en entier sous un nom temporaire puis renommé ; journalisé une fois en place.
        with ecriture_atomique(destination, "w", encoding="utf-8", newline="") as flux:
            _ecrire_csv(flux, colonnes, lignes)
        journaliser()
    return ExportBrut(lignes=len(structures), structures=structures, colonnes=colonnes)
