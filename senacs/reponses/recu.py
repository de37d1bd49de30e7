"""Accusé de dépôt : ce que la structure a déposé, daté, en HTML et en PDF.

``recu(depot)`` rassemble le contenu (réponses mises en forme à la française, avertissements et leurs
justifications, changements par rapport au dépôt précédent, empreinte SHA-256) ; la page HTML et le
PDF affichent le même objet. Le PDF est composé par Typst (design §7) avec les polices embarquées
dans le paquet ``typst`` (aucune police du système) ; les données lui arrivent en JSON par
``sys.inputs`` et sont insérées comme du texte : un « # », un « * » ou un « ] » saisi par la
structure s'imprime tel quel, sans jamais être interprété comme du balisage.
"""

import json
from dataclasses import asdict, dataclass, field

import typst
from django.utils import timezone

from core.formats import formater_date_heure
from core.questionnaire.evaluation import calculer
from core.questionnaire.saisie import Difference, differences, formater, vide
from senacs.reponses.models import Depot

ORIGINE_PLATEFORME = "SENACS — Observatoire des centres sociaux et espaces de vie sociale"


@dataclass
class LigneRecu:
    code: str
    libelle: str
    valeur: str
    calculee: bool = False


@dataclass
class SectionRecu:
    code: str
    titre: str
    lignes: list[LigneRecu] = field(default_factory=list)


@dataclass
class AvertissementRecu:
    code: str
    message: str
    justification: str


@dataclass
class Recu:
    titre: str
    titre_document: str  # métadonnées du PDF (titre lu par les lecteurs d'écran et les moteurs de recherche)
    structure: str
    identifiant: str
    type_structure: str
    commune: str
    departement: str
    campagne: int
    annee_donnees: int
    questionnaire: str
    numero: int
    depose_le: str
    depose_par: str
    organisme: str
    empreinte: str
    nombre_reponses: int
    sections: list[SectionRecu]
    avertissements: list[AvertissementRecu]
    changements: list[Difference]
    numero_precedent: int | None
    edite_le: str

    def vers_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def recu(depot: Depot, precedent: Depot | None = None) -> Recu:
    """Contenu de l'accusé d'un dépôt ; ``precedent`` (le dépôt n−1) donne la liste des changements."""
    reponse = depot.reponse
    structure = reponse.structure
    campagne = reponse.campagne
    complet = campagne.questionnaire.modele
    type_structure = (reponse.instantane or {}).get("type") or structure.type
    variante = complet.pour_public(type_structure, structure.departement_id)
    calcules = calculer(variante, depot.valeurs)
    sections = []
    for section in complet.sections:
        lignes = []
        for q in section.questions:
            if q.type == "calcul":
                valeur = calcules.get(q.code)
                if valeur is not None and q.code in variante:
                    lignes.append(LigneRecu(q.code, q.libelle, formater(q, valeur), calculee=True))
                continue
            valeur = depot.valeurs.get(q.code)
            if not q.saisie or vide(valeur):
                continue
            libelles = complet.libelles_choix(q.code) if q.liste else None
            lignes.append(LigneRecu(q.code, q.libelle, formater(q, valeur, libelles)))
        if lignes:
            sections.append(SectionRecu(section.code, f"{section.code}. {section.titre}", lignes))
    par = depot.par.nom_complet or depot.par.email
    return Recu(
        titre=f"Accusé de dépôt n° {depot.numero} — campagne SENACS {campagne.annee}",
        titre_document=f"Accusé de dépôt n° {depot.numero} — {structure.nom} — campagne SENACS {campagne.annee}",
        structure=structure.nom,
        identifiant=structure.identifiant,
        type_structure=structure.get_type_display(),
        commune=structure.commune_nom,
        departement=str(structure.departement),
        campagne=campagne.annee,
        annee_donnees=campagne.annee_donnees,
        questionnaire=campagne.questionnaire.version,
        numero=depot.numero,
        depose_le=formater_date_heure(timezone.localtime(depot.depose_le)),
        depose_par=par,
        organisme=depot.organisme,
        empreinte=depot.empreinte,
        nombre_reponses=len(depot.valeurs),
        sections=sections,
        avertissements=[
            AvertissementRecu(a.get("code", ""), a.get("message", ""), a.get("justification", ""))
            for a in depot.avertissements
        ],
        changements=differences(complet, precedent.valeurs, depot.valeurs) if precedent else [],
        numero_precedent=precedent.numero if precedent else None,
        edite_le=formater_date_heure(timezone.localtime()),
    )


GABARIT_TYPST = r"""
#let d = json(bytes(sys.inputs.donnees))
#set document(title: d.titre_document, author: "SENACS")
#set text(lang: "fr", region: "FR", size: 9.5pt, font: "Libertinus Serif")
#set page(
  paper: "a4",
  margin: (x: 1.8cm, top: 1.8cm, bottom: 2cm),
  footer: context {
    set text(size: 7.5pt)
    [#d.structure (#d.identifiant) — dépôt n° #str(d.numero) du #d.depose_le]
    h(1fr)
    [Page #counter(page).display() sur #counter(page).final().first()]
  },
)
#set table(stroke: 0.4pt + luma(170), inset: 4pt)
#show heading.where(level: 1): set text(size: 15pt)
#show heading.where(level: 2): set text(size: 11.5pt)

#text(size: 8pt, fill: luma(80))[#sys.inputs.origine]

= #d.titre

#table(
  columns: (auto, 1fr),
  stroke: none,
  column-gutter: 1.2em,  // l'intitulé ne touche jamais sa valeur (« Empreinte SHA-256   4f89… »)
  inset: (x: 0pt, y: 2.5pt),
  [*Structure*], [#d.structure (#d.type_structure, #d.commune)],
  [*Identifiant SENACS*], [#d.identifiant],
  [*Département*], [#d.departement],
  [*Campagne*], [#str(d.campagne) (données de l'année #str(d.annee_donnees)), questionnaire #d.questionnaire],
  [*Déposé le*], [#d.depose_le],
  [*Déposé par*], [#d.depose_par (#d.organisme)],
  [*Réponses déposées*], [#str(d.nombre_reponses)],
  [*Empreinte SHA-256*], [#text(font: "DejaVu Sans Mono", size: 7.5pt)[#d.empreinte]],
)

#if d.numero_precedent != none [
  == Changements depuis le dépôt n° #str(d.numero_precedent)
  #if d.changements.len() == 0 [Aucune réponse n'a changé.] else [
    #table(
      columns: (auto, 1fr, auto, auto),
      table.header([*Code*], [*Question*], [*Avant*], [*Après*]),
      ..d.changements.map(c => (c.code, c.libelle, c.avant, c.apres)).flatten()
    )
  ]
]

== Avertissements justifiés
#if d.avertissements.len() == 0 [Aucun avertissement.] else [
  #table(
    columns: (auto, 1fr, 1fr),
    table.header([*Règle*], [*Avertissement*], [*Justification de la structure*]),
    ..d.avertissements.map(a => (a.code, a.message, a.justification)).flatten()
  )
]

#for s in d.sections [
  == #s.titre
  #table(
    columns: (auto, 1fr, auto),
    table.header([*Code*], [*Question*], [*Réponse*]),
    ..s.lignes.map(l => (l.code, l.libelle, if l.calculee { l.valeur + " (calculé)" } else { l.valeur })).flatten()
  )
]

#v(1em)
#text(size: 8pt)[Accusé édité le #d.edite_le. L'empreinte SHA-256 identifie le contenu exact du dépôt : toute
modification des réponses déposées en changerait la valeur.]
"""


def recu_pdf(contenu: Recu) -> bytes:
    """Le PDF de l'accusé (Typst, polices embarquées, PDF/UA-1 : balisé, titré, en français)."""
    return typst.compile(
        GABARIT_TYPST.encode("utf-8"),
        sys_inputs={"donnees": contenu.vers_json(), "origine": ORIGINE_PLATEFORME},
        ignore_system_fonts=True,
        pdf_standards="ua-1",
    )
