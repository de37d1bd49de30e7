"""Écritures sur les réponses : enregistrement réponse par réponse, sans jamais perdre une saisie.

Chaque réponse (code de question) porte un numéro de version. Le formulaire renvoie, avec chaque
valeur, la version qu'il avait chargée : si elle a changé depuis (un autre onglet, ou le correspondant
qui saisit pour le compte de la structure), la modification est refusée et rendue comme **conflit**
(les deux valeurs, qui et quand) pour que la personne choisisse. Les modifications de réponses
différentes se fusionnent sans conflit. Tout changement est historisé (valeur, qui, quand, au titre de
quel organisme, pour le compte de la structure ou non).
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from senacs.reponses.models import Reponse, ReponseHistorique, RevueSaisie, StatutRevue


@dataclass(frozen=True)
class Conflit:
    code: str
    valeur_proposee: Any
    valeur_enregistree: Any
    version_enregistree: int
    enregistree_par: str
    enregistree_le: str  # ISO


@dataclass
class Resultat:
    versions: dict[str, int] = field(default_factory=dict)  # code → nouvelle version
    conflits: list[Conflit] = field(default_factory=list)
    inchangees: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.conflits


def _vide(valeur: Any) -> bool:
    return valeur is None or valeur == "" or valeur == []


@transaction.atomic
def reponse_enregistrer(
    *,
    reponse: Reponse,
    modifications: dict[str, tuple[Any, int | None]],
    par,
    organisme: str,
    pour_le_compte: bool = False,
    origine: str = "saisie",
) -> Resultat:
    """Enregistre des réponses ``{code: (valeur, version_chargee)}`` ; ``version_chargee=None`` écrase
    sans contrôle (import en masse, choix explicite après un conflit). Renvoie versions et conflits."""
    r = Reponse.objects.select_for_update().get(pk=reponse.pk)
    maintenant = timezone.now()
    resultat = Resultat()
    historiques = []
    for code, (valeur, version_chargee) in modifications.items():
        if _vide(valeur):
            valeur = None
        actuelle = r.versions.get(code, 0)
        ancienne = r.valeurs.get(code)
        if ancienne == valeur:
            resultat.inchangees.append(code)
            resultat.versions[code] = actuelle
            continue
        if version_chargee is not None and version_chargee != actuelle:
            prov = r.provenance.get(code, {})
            resultat.conflits.append(
                Conflit(code, valeur, ancienne, actuelle, prov.get("nom", ""), prov.get("le", ""))
            )
            continue
        if valeur is None:
            r.valeurs.pop(code, None)
        else:
            r.valeurs[code] = valeur
        r.versions[code] = actuelle + 1
        r.provenance[code] = {
            "par": par.pk if par else None,
            "nom": (par.nom_complet or par.email) if par else "",
            "organisme": organisme,
            "pour_le_compte": pour_le_compte,
            "le": maintenant.isoformat(),
        }
        resultat.versions[code] = actuelle + 1
        historiques.append(
            ReponseHistorique(
                reponse=r,
                code=code,
                valeur=valeur,
                ancienne_valeur=ancienne,
                version=actuelle + 1,
                par=par,
                organisme=organisme,
                pour_le_compte=pour_le_compte,
                origine=origine,
                le=maintenant,
            )
        )
    if historiques:
        crees = ReponseHistorique.objects.bulk_create(historiques)
        if pour_le_compte:
            codes = [h.code for h in crees]
            # Une nouvelle saisie pour le compte remplace l'examen encore en attente sur la même question.
            RevueSaisie.objects.filter(reponse=r, code__in=codes, statut=StatutRevue.A_EXAMINER).delete()
            RevueSaisie.objects.bulk_create([RevueSaisie(reponse=r, code=h.code, historique=h) for h in crees])
        r.revision += 1
        r.modifiee_le = maintenant
        r.modifiee_par = par
        r.save(update_fields=["valeurs", "versions", "provenance", "revision", "modifiee_le", "modifiee_par"])
    reponse.valeurs, reponse.versions, reponse.provenance, reponse.revision = (
        r.valeurs,
        r.versions,
        r.provenance,
        r.revision,
    )
    return resultat
