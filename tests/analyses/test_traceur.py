"""Attaque par traceur (Denning et al., 1979) rejouée contre le registre des libérations."""

from core.analyses.modele import DefinitionAnalyse
from senacs.analyses.models import CelluleLiberee
from senacs.analyses.services import analyse_calculer


def _total(resultat):
    (cellule,) = resultat.cellules
    return cellule


def test_tracker_attack_department_total_then_complement_then_associative(jeu, copil, membre, perimetre):
    p = perimetre(membre)
    total = analyse_calculer(
        utilisateur=membre, perimetre=p, definition=DefinitionAnalyse("budget_total", "D:69", campagnes=(2025,))
    )
    sauf_associatives = analyse_calculer(
        utilisateur=membre,
        perimetre=p,
        definition=DefinitionAnalyse(
            "budget_total", "D:69", filtres=(("gestion", ("autre", "caf", "municipale")),), campagnes=(2025,)
        ),
    )
    associatives = analyse_calculer(
        utilisateur=membre,
        perimetre=p,
        definition=DefinitionAnalyse(
            "budget_total", "D:69", filtres=(("gestion", ("associative",)),), campagnes=(2025,)
        ),
    )
    t, s, a = _total(total), _total(sauf_associatives), _total(associatives)
    assert not t.masquee and t.valeur > 0
    # Le troisième chiffre est masqué…
    assert a.masquee and a.texte == "s" and a.valeur is None
    # … et la différence des deux premiers ne le donne pas : le complément a été masqué (registre).
    assert s.masquee and s.motif == "registre"
    liberees = CelluleLiberee.objects.filter(audience=f"copil:{copil.pk}", campagne=2025)
    assert list(liberees.values_list("ensemble", flat=True)) == ["D:69"]


def test_tracker_attack_leaves_no_interval_tighter_than_the_protection(jeu, copil, membre, perimetre):
    """Même attaque, vérifiée du côté de l'attaquant : l'audit du registre (tout ce qu'a vu le COPIL,
    avec la diffusion publiée) n'isole aucun groupe sensible."""
    from core.analyses.protection import Regles
    from senacs.analyses.registre import auditer_registre
    from senacs.statistiques.services import politique_secret

    p = perimetre(membre)
    for filtres in ((), (("gestion", ("autre", "caf", "municipale")),), (("gestion", ("associative",)),)):
        analyse_calculer(
            utilisateur=membre,
            perimetre=p,
            definition=DefinitionAnalyse("budget_total", "D:69", ("type",), filtres, campagnes=(2025,)),
        )
    rapport = auditer_registre(jeu.campagne, Regles.depuis_politique(politique_secret()))
    assert rapport.cellules >= 1 and rapport.publics == 1
    assert rapport.ok, rapport.exposees
    assert "0 exposé(s) — OK" in rapport.resume()
