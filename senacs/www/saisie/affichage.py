"""Ce que les gabarits de saisie affichent pour chaque question, calculé en Python (aucune logique
dans les gabarits) : valeur du champ, choix, réponse de l'an dernier, erreurs, provenance, conflit."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.formats import formater_date, formater_date_heure, formater_nombre
from core.questionnaire.modele import TYPES_NOMBRE, Question, Questionnaire
from core.questionnaire.saisie import LONGUEURS_MAX, EtatSaisie, formater, manquante, vers_formulaire, vide
from senacs.reponses.services import Conflit

# Au-delà de ce nombre de choix, une question à choix unique s'affiche en liste déroulante.
BOUTONS_RADIO_MAX = 6


@dataclass
class Choix:
    code: str
    libelle: str
    coche: bool
    id: str


@dataclass
class ConflitAffiche:
    message: str
    proposee: list[str]  # valeur(s) du formulaire à renvoyer pour « garder ma saisie »
    version: int
    mienne: str
    enregistree: str


@dataclass
class Champ:
    question: Question
    widget: str  # texte, zone, nombre, radio, liste, cases, date, note, calcul
    version: int
    valeur: Any  # texte du champ (liste de codes pour des cases)
    choix: list[Choix] = field(default_factory=list)
    precedent: str = ""
    erreur_saisie: str = ""
    erreurs: list[str] = field(default_factory=list)
    avertissements: list[str] = field(default_factory=list)
    provenance: str = ""
    conflit: ConflitAffiche | None = None
    pertinente: bool = True
    modifiable: bool = True
    a_historique: bool = False
    calcul: str = ""
    indice: str = ""  # consigne de format (« Format : JJ/MM/AAAA »…)
    lu: str = ""  # nombre dont la lecture peut surprendre : ce qui a été compris (« 12 000 € »)

    @property
    def code(self) -> str:
        return self.question.code

    @property
    def id(self) -> str:
        return f"champ-{self.code}"

    @property
    def invalide(self) -> bool:
        return bool(self.erreur_saisie or self.erreurs)

    @property
    def decrit_par(self) -> str:
        """Identifiants pour aria-describedby : unité, consigne, réponse de l'an dernier, aide, erreurs."""
        ids = []
        if self.question.unite and self.widget == "nombre":
            ids.append(f"unite-{self.code}")
        if self.indice:
            ids.append(f"indice-{self.code}")
        if self.precedent:
            ids.append(f"precedent-{self.code}")
        if self.question.aide:
            ids.append(f"aide-{self.code}")
        if self.lu:
            ids.append(f"lu-{self.code}")
        ids.append(f"erreurs-{self.code}")
        if self.conflit:
            ids.append(f"conflit-{self.code}")
        return " ".join(ids)

    @property
    def inputmode(self) -> str:
        return "numeric" if self.question.type == "entier" else "decimal"


def _widget(question: Question, nombre_choix: int) -> str:
    t = question.type
    if t in ("note", "calcul"):
        return t
    if t in TYPES_NOMBRE:
        return "nombre"
    if t == "texte_long":
        return "zone"
    if t == "oui_non":
        return "radio"
    if t == "choix_unique":
        return "radio" if nombre_choix <= BOUTONS_RADIO_MAX else "liste"
    if t == "choix_multiple":
        return "cases"
    if t == "date":
        return "date"
    return "texte"


def _indice(question: Question) -> str:
    if question.type == "date":
        return "Format : JJ/MM/AAAA (ex. 29/11/2025)."
    if question.type == "texte_long":
        return f"{formater_nombre(LONGUEURS_MAX['texte_long'])} caractères au plus."
    if question.type == "email":
        return "Exemple : accueil@exemple.fr"
    if question.type == "url":
        return "Exemple : https://www.exemple.fr"
    return ""


def quand(iso: str | None) -> str:
    """« 29/11/2026 à 10:42 » (heure locale) pour une date ISO de la provenance."""
    instant = parse_datetime(iso) if iso else None
    if instant is None:
        return ""
    if timezone.is_aware(instant):
        instant = timezone.localtime(instant)
    return formater_date_heure(instant)


def jour(iso: str | None) -> str:
    instant = parse_datetime(iso) if iso else None
    if instant is None:
        return ""
    if timezone.is_aware(instant):
        instant = timezone.localtime(instant)
    return formater_date(instant.date())


def provenance(prov: dict | None, annee_precedente: int) -> str:
    """Marque visible d'une réponse saisie pour le compte de la structure, ou reprise de l'an dernier."""
    if not prov:
        return ""
    if prov.get("origine") == "reprise":
        return f"Réponse reprise de la campagne {annee_precedente} : vérifiez-la."
    if prov.get("pour_le_compte"):
        organisme = f" ({prov['organisme']})" if prov.get("organisme") else ""
        return f"Saisi par {prov.get('nom') or 'un correspondant'}{organisme} le {jour(prov.get('le'))}"
    return ""


def afficher(questionnaire: Questionnaire, code: str, valeur: Any) -> str:
    """Valeur stockée mise en forme (« Non renseigné » si vide)."""
    if code not in questionnaire:
        return "Non renseigné" if vide(valeur) else str(valeur)
    q = questionnaire.question(code)
    texte = formater(q, valeur, questionnaire.libelles_choix(code) if q.liste else None)
    return texte or "Non renseigné"


def message_conflit(questionnaire: Questionnaire, conflit: Conflit) -> str:
    """« Cette réponse a été modifiée par Claire Dupont (Caf – Rhône) le 29/11/2026 à 10:42 : valeur
    enregistrée 14 ; votre saisie 13. »"""
    qui = conflit.enregistree_par or "une autre personne"
    if conflit.enregistree_organisme:
        qui += f" ({conflit.enregistree_organisme})"
    le = quand(conflit.enregistree_le)
    return (
        f"Cette réponse a été modifiée par {qui}{' le ' + le if le else ''} : valeur enregistrée "
        f"{afficher(questionnaire, conflit.code, conflit.valeur_enregistree)} ; votre saisie "
        f"{afficher(questionnaire, conflit.code, conflit.valeur_proposee)}."
    )


def conflit_affiche(questionnaire: Questionnaire, conflit: Conflit) -> ConflitAffiche:
    q = questionnaire.question(conflit.code)
    forme = vers_formulaire(q, conflit.valeur_proposee)
    return ConflitAffiche(
        message=message_conflit(questionnaire, conflit),
        proposee=forme if isinstance(forme, list) else [forme],
        version=conflit.version_enregistree,
        mienne=afficher(questionnaire, conflit.code, conflit.valeur_proposee),
        enregistree=afficher(questionnaire, conflit.code, conflit.valeur_enregistree),
    )


def champ(
    questionnaire: Questionnaire,
    question: Question,
    *,
    valeurs: dict[str, Any],
    versions: dict[str, int],
    provenances: dict[str, dict],
    precedentes: dict[str, Any],
    etat: EtatSaisie,
    annee_precedente: int,
    modifiable: bool,
    texte: Any = None,
    erreur_saisie: str = "",
    conflit: Conflit | None = None,
    lu: str = "",
) -> Champ:
    """Le champ d'une question. ``texte`` : ce que la personne a tapé (remontré tel quel quand il est
    refusé ou en conflit) ; sinon la valeur enregistrée."""
    code = question.code
    liste = questionnaire.choix(code)
    widget = _widget(question, len(liste))
    if conflit is not None:
        valeur_champ = vers_formulaire(question, conflit.valeur_proposee)
    elif texte is not None:
        valeur_champ = texte
    else:
        valeur_champ = vers_formulaire(question, valeurs.get(code)) if question.saisie else ""
    c = Champ(
        question=question,
        widget=widget,
        version=versions.get(code, 0),
        valeur=valeur_champ,
        erreur_saisie=erreur_saisie,
        pertinente=code in etat.pertinentes,
        modifiable=modifiable,
        a_historique=versions.get(code, 0) > 0,
        indice=_indice(question),
        provenance=provenance(provenances.get(code), annee_precedente),
        lu=lu,
    )
    if question.saisie and not vide(precedentes.get(code)):
        c.precedent = afficher(questionnaire, code, precedentes.get(code))
    if widget == "radio" and question.type == "oui_non":
        c.choix = [
            Choix("oui", "Oui", valeur_champ == "oui", f"{c.id}-oui"),
            Choix("non", "Non", valeur_champ == "non", f"{c.id}-non"),
        ]
    elif widget in ("radio", "liste", "cases"):
        coches = set(valeur_champ) if isinstance(valeur_champ, list) else {valeur_champ}
        c.choix = [Choix(x.code, x.libelle, x.code in coches, f"{c.id}-{i}") for i, x in enumerate(liste, 1)]
    if widget == "calcul":
        c.calcul = afficher(questionnaire, code, etat.calculs.get(code))
    for a in etat.par_question.get(code, []):
        if manquante(a):
            continue
        (c.erreurs if a.bloquante else c.avertissements).append(a.message)
    if conflit is not None:
        c.conflit = conflit_affiche(questionnaire, conflit)
    return c


def heure(instant: datetime.datetime | None = None) -> str:
    instant = timezone.localtime(instant or timezone.now())
    return f"{instant:%H:%M}"
