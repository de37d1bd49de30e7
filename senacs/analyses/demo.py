"""Analyses de démonstration : enregistrées, partagées et libérées (registre) sur la démo complète.

``demo_analyses(graine)`` est idempotente (une analyse déjà enregistrée sous le même nom par le même
auteur n'est pas recréée ; le registre ne garde qu'une ligne par public et par cellule) :

1. un membre Caf du COPIL du Rhône : budget par mode de gestion (dernière campagne diffusée), partagé
   avec le comité et ses invités, puis ouvert par un invité ;
2. le même : part des structures en QPV par type de structure, partagée avec le comité seulement ;
3. un membre du COPIL régional d'Auvergne-Rhône-Alpes : ETP salariés par département ;
4. une tendance des prestations de service AGC + ACF du Rhône sur les campagnes diffusées (les
   correspondances F06 → F06 + F07 s'appliquent), enregistrée comme analyse multi-campagnes.

Après elle, ``senacs audit-secret --campagne <année>`` audite aussi ces libérations et sort en 0.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from core.analyses.modele import DefinitionAnalyse
from senacs.analyses.models import Analyse, CelluleLiberee
from senacs.analyses.services import (
    analyse_calculer,
    analyse_enregistrer,
    analyse_ouvrir,
    analyse_partager,
    tendance,
)
from senacs.comptes.selectors import perimetre_de
from senacs.copil.services import copil_pour
from senacs.statistiques.models import Diffusion


def _utilisateur(email: str):
    return get_user_model().objects.filter(email=email).first()


def _analyse(auteur, nom: str, definition: DefinitionAnalyse, copil) -> tuple[Analyse, bool]:
    existante = Analyse.objects.filter(proprietaire=auteur, nom=nom).first()
    if existante:
        return existante, False
    return analyse_enregistrer(par=auteur, nom=nom, definition=definition, copil=copil), True


@transaction.atomic
def demo_analyses(graine: int = 0) -> str:
    """Crée et libère les analyses de démonstration ; renvoie un bilan en français (``graine`` : signature
    commune des générateurs de démo, le résultat n'en dépend pas)."""
    annees = sorted(set(Diffusion.objects.filter(audit_ok=True).values_list("campagne__annee", flat=True)))
    membre_69 = _utilisateur("copil.caf.69@demo.senacs.fr")
    membre_84 = _utilisateur("copil.region.84@demo.senacs.fr")
    invite_69 = _utilisateur("invite.69@demo.senacs.fr")
    if not annees or membre_69 is None:
        return "aucune campagne diffusée ou comptes de démonstration absents : rien à faire"
    derniere = annees[-1]
    avant = CelluleLiberee.objects.count()
    creees = 0
    copil_69 = copil_pour("departement", "69")
    p69 = perimetre_de(membre_69)

    budget, cree = _analyse(
        membre_69,
        f"Budget des structures du Rhône par mode de gestion ({derniere})",
        DefinitionAnalyse("budget_total", "D:69", ("gestion",), campagnes=(derniere,)),
        copil_69,
    )
    creees += cree
    analyse_calculer(utilisateur=membre_69, perimetre=p69, definition=budget.definition_analyse)
    analyse_partager(analyse=budget, par=membre_69, avec_invites=True)
    if invite_69 is not None:
        analyse_ouvrir(analyse=budget, utilisateur=invite_69, perimetre=perimetre_de(invite_69))

    qpv, cree = _analyse(
        membre_69,
        f"Structures en QPV par type, Rhône ({derniere})",
        DefinitionAnalyse("part_qpv", "D:69", ("type",), campagnes=(derniere,)),
        copil_69,
    )
    creees += cree
    analyse_calculer(utilisateur=membre_69, perimetre=p69, definition=qpv.definition_analyse)
    analyse_partager(analyse=qpv, par=membre_69, avec_invites=False)

    if membre_84 is not None:
        copil_84 = copil_pour("region", "84")
        etp, cree = _analyse(
            membre_84,
            f"ETP salariés par département, Auvergne-Rhône-Alpes ({derniere})",
            DefinitionAnalyse("etp_total", "R:84", ("territoire",), campagnes=(derniere,)),
            copil_84,
        )
        creees += cree
        analyse_calculer(utilisateur=membre_84, perimetre=perimetre_de(membre_84), definition=etp.definition_analyse)
        analyse_partager(analyse=etp, par=membre_84, avec_invites=False)

    if len(annees) >= 2:
        serie, cree = _analyse(
            membre_69,
            f"Prestations de service AGC et ACF du Rhône, {annees[0]}–{derniere}",
            DefinitionAnalyse("ps_agc_acf", "D:69", campagnes=tuple(annees)),
            copil_69,
        )
        creees += cree
        analyse_calculer(utilisateur=membre_69, perimetre=p69, definition=serie.definition_analyse)
        tendance(utilisateur=membre_69, perimetre=p69, indicateur="ps_agc_acf", territoire="D:69")
    liberees = CelluleLiberee.objects.count() - avant
    return (
        f"{creees} analyse(s) enregistrée(s), {liberees} cellule(s) inscrite(s) au registre des libérations "
        f"({CelluleLiberee.objects.values('audience').distinct().count()} public(s))"
    )
