"""Tendances : tous répondants et panel constant, correspondances de questions, protection, registre."""

import pytest

from senacs.analyses.models import CelluleLiberee
from senacs.analyses.services import ErreurAnalyse, tendance
from senacs.reponses.models import Reponse
from senacs.statistiques.services import diffusion_publier
from tests.factories import CampagneFactory


@pytest.fixture
def deux_campagnes(jeu):
    """Une campagne 2022 (même questionnaire) : F06 y regroupait AGC et ACF, et deux structures du
    Rhône n'y avaient pas répondu (hors panel)."""
    ancienne = CampagneFactory(
        annee=2022, phase="analyse", questionnaire=jeu.campagne.questionnaire, version_questionnaire="2025"
    )
    absentes = set(
        Reponse.objects.filter(campagne=jeu.campagne, structure__departement_id="69")
        .order_by("structure_id")
        .values_list("structure_id", flat=True)[:2]
    )
    for r in Reponse.objects.filter(campagne=jeu.campagne).exclude(structure_id__in=absentes):
        valeurs = dict(r.valeurs)
        valeurs["F06"] = (valeurs.get("F06") or 0) + (valeurs.pop("F07", None) or 0)
        Reponse.objects.create(
            campagne=ancienne,
            structure_id=r.structure_id,
            statut="validee",
            valeurs=valeurs,
            instantane=r.instantane,
            soumise_le=r.soumise_le,
            validee_le=r.soumise_le,
        )
    diffusion_publier(campagne=ancienne)
    jeu.absentes = absentes
    return jeu


def test_trend_follows_the_declared_mapping_and_the_constant_panel(deux_campagnes, copil, membre, perimetre):
    t = tendance(utilisateur=membre, perimetre=perimetre(membre), indicateur="ps_agc_acf", territoire="D:69")
    assert t.campagnes == [2022, 2025]
    # F06 ne concerne que les centres sociaux ; les deux absentes de 2022 en sont.
    # Le point 2025 de « tous les répondants » isolerait les deux arrivées par différence avec le
    # panel : masqué, il ne montre pas non plus son nombre de répondants (sinon l'écart de 2 se lit).
    if t.tous[1].masquee:
        assert t.tous[1].repondants is None and t.tous[1].valeur is None
    else:
        assert t.tous[1].repondants - t.tous[0].repondants == 2
    assert t.panel_effectif == t.tous[0].repondants
    assert t.panel[1].masquee or t.panel[1].repondants == t.panel_effectif
    assert any("F06 + F07" in c for c in t.correspondances)
    # 2022 : F06 (AGC + ACF) ; 2025 : F06 + F07 ; les montants sont les mêmes par construction.
    if not t.panel[0].masquee and not t.panel[1].masquee:
        assert t.panel[0].valeur == pytest.approx(t.panel[1].valeur)
    # Deux structures hors panel en 2025 : l'écart tous − panel les isolerait, une des deux est masquée.
    assert t.tous[1].masquee or t.panel[1].masquee
    assert "panel constant" in t.note_methodologique and t.spec["mark"]["type"] == "line"
    variables = set(CelluleLiberee.objects.filter(audience=f"copil:{copil.pk}").values_list("campagne", "variable"))
    assert variables <= {(2022, "F06"), (2025, "F06+F07")} and variables


def test_trend_requires_two_campaigns_and_the_perimeter(deux_campagnes, correspondant_69, perimetre):
    p = perimetre(correspondant_69)
    with pytest.raises(ErreurAnalyse, match="deux campagnes"):
        tendance(
            utilisateur=correspondant_69, perimetre=p, indicateur="budget_total", territoire="D:69", campagnes=(2025,)
        )
    with pytest.raises(ErreurAnalyse, match="Indicateur inconnu"):
        tendance(utilisateur=correspondant_69, perimetre=p, indicateur="x", territoire="D:69")
    with pytest.raises(PermissionError):
        tendance(utilisateur=correspondant_69, perimetre=p, indicateur="budget_total", territoire="D:35")
