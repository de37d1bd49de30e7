"""Tableaux automatisés d'une structure (charte 2.3) : ses réponses à côté des agrégats protégés de son
département, de sa région et de la France, pour son public (centres sociaux ou espaces de vie sociale).

Un classeur XLSX et un PDF (Typst, polices embarquées dans le paquet ``typst`` : aucune police du
système ; valeurs mises en forme ici, en français). Les agrégats viennent de la diffusion en vigueur
(cellules publiées seulement, ``s`` pour une cellule secrète).

Une comparaison avec des structures comparables (groupe de pairs de même type, taille et milieu, au
moins 10 structures, jamais nommées : ``core.pairs``) complète les tableaux : médianes protégées des
indicateurs clés, ou « groupe de comparaison trop petit ».
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import typst
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.erreurs import ErreurMetier
from core.formats import formater_nombre
from core.pairs import ComparaisonPairs, Profil, comparer
from core.stats import STATUT_SANS_OBJET
from senacs.statistiques.ecriture import Feuille, en_xlsx
from senacs.statistiques.models import DemandeTableaux, Diffusion, StatutDemande
from senacs.statistiques.selectors import Territoire, codes_poses, questions_statistiques, repondantes
from senacs.statistiques.selectors import valeurs_statistiques as nettoyer
from senacs.statistiques.services import (
    cellules_publiques,
    diffusion_courante,
    politique_secret,
    publication_autorisee,
)
from senacs.statistiques.tableaux import LEGENDE, NOTE_METHODE, Case, decimales

GABARIT = Path(__file__).parent / "gabarits" / "tableaux_structure.typ"
LIBELLES_PUBLICS = {"CS": "centres sociaux", "EVS": "espaces de vie sociale"}


class ErreurTableaux(ErreurMetier):
    """Tableaux automatisés refusés (message en français)."""


def dossier_media() -> Path:
    return Path(settings.VAR_DIR) / "media"


@dataclass
class TableauxStructure:
    titre: str
    sous_titre: str
    entetes: list[str]
    sections: list[tuple[str, list[list]]]
    introduction: list[str] = field(default_factory=list)
    pairs: ComparaisonPairs | None = None


def profils_campagne(campagne, modele, questions) -> list[Profil]:
    """Toutes les structures répondantes de la campagne (France entière), réduites à leur profil de
    comparaison : type, tranche de taille (F04), milieu (A16) et valeurs des indicateurs clés."""
    cache: dict = {}
    profils = []
    for r in repondantes(campagne):
        valeurs = nettoyer(questions, r.valeurs, codes_poses(modele, cache, r.type, r.departement))
        profils.append(Profil.depuis_valeurs(r.pk, r.type, {**valeurs, "A16": r.valeurs.get("A16")}))
    return profils


def comparaison_pairs(structure, campagne, modele, questions, valeurs, type_: str) -> ComparaisonPairs:
    cible = Profil.depuis_valeurs(structure.pk, type_, {**valeurs, "A16": valeurs.get("A16")})
    return comparer(cible, profils_campagne(campagne, modele, questions), politique_secret())


def tableaux_structure(structure, diffusion: Diffusion) -> TableauxStructure:
    campagne = diffusion.campagne
    modele = campagne.questionnaire.modele
    reponse = next(iter(repondantes(campagne, structure_pk=structure.pk)), None)
    if reponse is None:
        raise ErreurTableaux(f"Aucune réponse déposée de cette structure à la campagne {campagne.annee}.")
    questions = [q for q in questions_statistiques(modele) if q.code not in diffusion.internes]
    valeurs = nettoyer(questions, reponse.valeurs, codes_poses(modele, {}, reponse.type, reponse.departement))
    pairs = comparaison_pairs(
        structure, campagne, modele, questions, {**valeurs, "A16": reponse.valeurs.get("A16")}, reponse.type
    )
    departement = Territoire("departement", reponse.departement)
    territoires = departement.ascendants()
    public = reponse.type
    cellules = cellules_publiques(diffusion, territoires=[t.code for t in territoires])
    index = {}
    cibles = {(t.niveau, t.code) for t in territoires}
    for niveau, code, _public, question, statistique, modalite, valeur, statut in (
        cellules.filter(cellules["public"] == public)
        .select("niveau", "territoire", "public", "question", "statistique", "modalite", "valeur", "statut")
        .iter_rows()
    ):
        if (niveau, code) in cibles:
            index[(niveau, code, question, statistique, modalite or "")] = (valeur, statut)

    def cases(question: str, statistique: str, modalite: str, d: int) -> list[Case]:
        return [
            Case(*index.get((t.niveau, t.code, question, statistique, modalite), (None, STATUT_SANS_OBJET)), d)
            for t in territoires
        ]

    sections: list[tuple[str, list[list]]] = []
    stat = {q.code: q for q in questions}
    for q in modele.questions():
        if q.code not in stat:
            continue
        qs = stat[q.code]
        sec = modele.section_de(q.code)
        if not sections or sections[-1][0] != sec.titre:
            sections.append((sec.titre, []))
        lignes = sections[-1][1]
        v = valeurs.get(q.code)
        if qs.est_nombre:
            unite = f" ({q.unite})" if q.unite else ""
            d_moy = decimales(q.type, q.unite, "moyenne")
            votre = "" if v is None else formater_nombre(v, decimales(q.type, q.unite, "valeur"))
            lignes.append(
                [q.code, q.libelle, "Moyenne" + unite, votre or "sans réponse", *cases(q.code, "moyenne", "", d_moy)]
            )
            lignes.append([q.code, "", "Médiane" + unite, "", *cases(q.code, "mediane", "", d_moy)])
        else:
            libelles = modele.libelles_choix(q.code) if qs.nature != "oui_non" else {"oui": "Oui", "non": "Non"}
            if qs.nature == "oui_non":
                choisis = set() if v is None else {"oui" if v else "non"}
            elif qs.nature == "choix_unique":
                choisis = set() if v is None else {v}
            else:
                choisis = set(v or [])
            for i, m in enumerate(qs.modalites):
                votre = "votre réponse" if m in choisis else ("sans réponse" if v is None and i == 0 else "")
                lignes.append(
                    [q.code if i == 0 else "", q.libelle if i == 0 else "", f"{libelles.get(m, m)} (part en %)",
                     votre, *cases(q.code, "part", m, 1)]
                )  # fmt: skip
    depose = timezone.localtime(diffusion.creee_le)
    return TableauxStructure(
        titre=f"Tableaux automatisés SENACS {campagne.annee} — {structure.nom}",
        sous_titre=(
            f"Structure {structure.identifiant} ({LIBELLES_PUBLICS.get(public, public)}), "
            f"données {campagne.annee_donnees} ; agrégats de la diffusion n° {diffusion.numero} du {depose:%d/%m/%Y}."
        ),
        entetes=[
            "Question",
            "Intitulé",
            "Ligne",
            "Votre réponse",
            departement.libelle,
            territoires[1].libelle,
            "France",
        ],
        sections=sections,
        introduction=[
            f"Vos réponses à la campagne {campagne.annee}, à côté des résultats des "
            f"{LIBELLES_PUBLICS.get(public, public)} de votre département, de votre région et de la France. "
            "Pour une question chiffrée : la moyenne et la médiane des structures qui ont répondu ; pour une "
            "question à choix : la part des structures qui ont choisi chaque réponse.",
        ],
        pairs=pairs,
    )


def _texte(v) -> str:
    if isinstance(v, Case):
        return v.texte
    return "" if v is None else str(v)


ENTETES_PAIRS = ["Question", "Indicateur", "Votre structure", "Médiane du groupe"]


def ecrire_pdf(t: TableauxStructure) -> bytes:
    donnees = {
        "titre": t.titre,
        "sous_titre": t.sous_titre,
        "introduction": t.introduction,
        "legende": LEGENDE,
        "entetes": t.entetes,
        "sections": [
            {"titre": titre, "lignes": [[_texte(v) for v in ligne] for ligne in lignes]}
            for titre, lignes in t.sections
        ],
        "methode": list(NOTE_METHODE),
        "pairs": None
        if t.pairs is None
        else {
            "paragraphes": t.pairs.paragraphes,
            "entetes": ENTETES_PAIRS,
            "lignes": [[ligne.code, ligne.libelle, ligne.votre, ligne.mediane] for ligne in t.pairs.lignes],
        },
        "pied": "SENACS — tableaux automatisés (charte, article 2.3)",
    }
    return typst.compile(
        str(GABARIT),
        root=str(GABARIT.parent),
        ignore_system_fonts=True,
        pdf_standards=["ua-1"],
        sys_inputs={"donnees": json.dumps(donnees, ensure_ascii=False)},
    )


def ecrire_xlsx(t: TableauxStructure) -> bytes:
    lignes: list[list] = []
    for titre, section in t.sections:
        lignes.append([titre])
        lignes.extend(section)
    feuilles = [
        Feuille(
            "Tableaux",
            t.entetes,
            lignes,
            avant=[t.titre, t.sous_titre, LEGENDE, ""],
            largeurs={0: 9, 1: 50, 2: 34, 3: 16, 4: 16, 5: 16, 6: 16},
        ),
        Feuille("Méthode", ["Méthode"], [[p] for p in [*t.introduction, *NOTE_METHODE]], largeurs={0: 120}),
    ]
    if t.pairs is not None:
        feuilles.insert(
            1,
            Feuille(
                "Structures comparables",
                ENTETES_PAIRS,
                [[ligne.code, ligne.libelle, ligne.votre, ligne.mediane] for ligne in t.pairs.lignes],
                avant=[*t.pairs.paragraphes, ""],
                largeurs={0: 10, 1: 40, 2: 18, 3: 20},
            ),
        )
    return en_xlsx(feuilles, titre=t.titre)


def demande_creer(*, structure, campagne, par) -> DemandeTableaux:
    """Enregistre la demande et confie la production à la tâche de fond (``senacs db_worker``)."""
    from senacs.statistiques.tasks import produire_tableaux_automatises

    if not publication_autorisee(campagne):
        raise ErreurTableaux(f"Les agrégats de la campagne {campagne.annee} ne sont pas encore diffusés.")
    demande = DemandeTableaux.objects.create(
        structure=structure, campagne=campagne, diffusion=diffusion_courante(campagne), demandee_par=par
    )
    transaction.on_commit(lambda: produire_tableaux_automatises.enqueue(demande.pk))
    return demande


def demande_produire(demande: DemandeTableaux) -> DemandeTableaux:
    """Produit les deux fichiers, met la demande à « prêts » (ou « échec ») et prévient par courriel."""
    structure = demande.structure
    try:
        diffusion = demande.diffusion or diffusion_courante(demande.campagne)
        if diffusion is None or not publication_autorisee(demande.campagne):
            raise ErreurTableaux("Les agrégats de la campagne ne sont pas diffusés.")
        t = tableaux_structure(structure, diffusion)
        relatif = Path("tableaux") / str(structure.pk) / str(demande.pk)
        dossier = dossier_media() / relatif
        dossier.mkdir(parents=True, exist_ok=True)
        nom = f"tableaux-{demande.campagne.annee}-{structure.identifiant}"
        (dossier / f"{nom}.xlsx").write_bytes(ecrire_xlsx(t))
        (dossier / f"{nom}.pdf").write_bytes(ecrire_pdf(t))
        demande.fichier_xlsx = str(relatif / f"{nom}.xlsx")
        demande.fichier_pdf = str(relatif / f"{nom}.pdf")
        demande.statut = StatutDemande.PRETE
        demande.diffusion = diffusion
    except ErreurTableaux as exc:
        demande.statut = StatutDemande.ECHEC
        demande.erreur = str(exc)
    demande.terminee_le = timezone.now()
    demande.save(update_fields=["fichier_xlsx", "fichier_pdf", "statut", "diffusion", "erreur", "terminee_le"])
    if demande.demandee_par.email:
        chemin = reverse("tableaux:ma_structure")
        corps = render_to_string(
            "statistiques/courriel_tableaux.txt",
            {"demande": demande, "adresse": f"{getattr(settings, 'SENACS_URL_SITE', '') or ''}{chemin}"},
        )
        sujet = (
            f"SENACS — vos tableaux automatisés {demande.campagne.annee} sont prêts"
            if demande.statut == StatutDemande.PRETE
            else f"SENACS — vos tableaux automatisés {demande.campagne.annee} n'ont pas pu être produits"
        )
        EmailMessage(sujet, corps, settings.DEFAULT_FROM_EMAIL, [demande.demandee_par.email]).send()
    return demande
