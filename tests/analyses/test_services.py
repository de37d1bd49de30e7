"""Services des analyses : périmètre par rôle, publics du registre, enregistrement, partage, exports,
tendances, audit du registre."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from core.analyses.modele import MARGE, DefinitionAnalyse
from senacs.analyses.models import Analyse, CelluleLiberee
from senacs.analyses.services import (
    ErreurAnalyse,
    analyse_calculer,
    analyse_enregistrer,
    analyse_ouvrir,
    analyse_partager,
    analyses_visibles,
    exporter,
    indicateurs_disponibles,
    territoires_autorises,
)
from senacs.copil.models import PartageDocument
from senacs.copil.services import membre_ajouter
from tests.factories import UtilisateurFactory

BUDGET_69 = DefinitionAnalyse("budget_total", "D:69", ("type",), campagnes=(2025,))


def calculer(utilisateur, perimetre, definition=BUDGET_69, **kwargs):
    return analyse_calculer(utilisateur=utilisateur, perimetre=perimetre(utilisateur), definition=definition, **kwargs)


def test_catalogue_and_territories_per_role(
    db, correspondant_69, correspondant_region_84, national, invite_69, perimetre
):
    assert {i.code for i in indicateurs_disponibles()} >= {"budget_total", "etp_total", "part_qpv", "benevoles"}
    assert territoires_autorises(perimetre(correspondant_69)) == [("D:69", "Département Rhône (69)")]
    region = dict(territoires_autorises(perimetre(correspondant_region_84)))
    assert "R:84" in region and "D:69" in region and "D:35" not in region
    nation = [c for c, _ in territoires_autorises(perimetre(national))]
    assert nation[0] == "FR" and "R:53" in nation and "D:971" in nation
    assert territoires_autorises(perimetre(invite_69)) == []


def test_copil_member_is_recorded_for_the_copil_audience(jeu, copil, membre, perimetre):
    r = calculer(membre, perimetre)
    assert r.cellule(2025, MARGE) is not None and not r.cellule(2025, MARGE).masquee
    audiences = set(CelluleLiberee.objects.values_list("audience", flat=True))
    assert audiences == {f"copil:{copil.pk}"}
    cellule = CelluleLiberee.objects.get(ensemble="D:69")
    assert cellule.variable == "F04" and cellule.repondants == len(cellule.structures)


def test_raw_access_users_are_not_recorded(jeu, preparateur_69, correspondant_69, correspondant_region_84, perimetre):
    for utilisateur in (preparateur_69, correspondant_69, correspondant_region_84):
        calculer(utilisateur, perimetre)
    assert not CelluleLiberee.objects.exists()


def test_national_role_and_out_of_territory_readers_are_recorded_personally(jeu, national, perimetre):
    calculer(national, perimetre)
    assert set(CelluleLiberee.objects.values_list("audience", flat=True)) == {f"utilisateur:{national.pk}"}


def test_out_of_scope_territories_are_refused(jeu, correspondant_69, copil_69, invite_69, sans_mandat, perimetre):
    autre = DefinitionAnalyse("budget_total", "D:35", campagnes=(2025,))
    for utilisateur in (correspondant_69, copil_69):
        with pytest.raises(PermissionError):
            calculer(utilisateur, perimetre, autre)
    for utilisateur in (invite_69, sans_mandat):
        with pytest.raises(PermissionError):
            calculer(utilisateur, perimetre)
    assert not CelluleLiberee.objects.exists()


@pytest.mark.parametrize(
    "definition, message",
    [
        ({"indicateur": "inconnu", "territoire": "D:69"}, "Indicateur inconnu"),
        ({"indicateur": "budget_total", "territoire": "D:69", "dimensions": ["type", "qpv", "taille"]}, "deux"),
        (
            {"indicateur": "budget_total", "territoire": "D:69", "filtres": {"territoire": ["35"]}},
            "hors du territoire",
        ),
        ({"indicateur": "budget_total", "territoire": "D:69", "campagnes": [2019]}, "Campagne inconnue"),
        ({"indicateur": "budget_total", "territoire": "D:69", "campagnes": "x"}, "illisible"),
    ],
)
def test_bad_definitions_get_a_french_message(jeu, correspondant_69, perimetre, definition, message):
    with pytest.raises(ErreurAnalyse, match=message):
        calculer(correspondant_69, perimetre, definition)


def test_save_share_and_open_as_member_and_guest(jeu, copil, membre, invite, copil_69, perimetre):
    analyse = analyse_enregistrer(par=membre, nom="Budget par type", definition=BUDGET_69, copil=copil)
    autre_membre = membre_ajouter(
        copil=copil, utilisateur=UtilisateurFactory(charte=True), cote="federation"
    ).utilisateur
    # Avant partage : l'auteur seul.
    assert list(analyses_visibles(membre, perimetre(membre))) == [analyse]
    assert not analyses_visibles(autre_membre, perimetre(autre_membre)).exists()
    assert not analyses_visibles(invite, perimetre(invite)).exists()
    with pytest.raises(PermissionError):
        analyse_ouvrir(analyse=analyse, utilisateur=invite, perimetre=perimetre(invite))
    # Partage avec le comité : les membres la voient, pas les invités.
    analyse_partager(analyse=analyse, par=membre, avec_invites=False)
    assert list(analyses_visibles(autre_membre, perimetre(autre_membre))) == [analyse]
    assert not analyses_visibles(invite, perimetre(invite)).exists()
    # Partage avec les invités : document « analyse » du comité, registre des invités.
    analyse_partager(analyse=analyse, par=membre, avec_invites=True)
    partage = PartageDocument.objects.get(copil=copil, nature="analyse")
    assert partage.reference == str(analyse.pk)
    r = analyse_ouvrir(analyse=analyse, utilisateur=invite, perimetre=perimetre(invite))
    assert r.definition.territoire == "D:69"
    assert CelluleLiberee.objects.filter(audience=f"invites:{copil.pk}").exists()
    # Un mandat « copil » sur le Rhône sans être membre de ce comité ne voit rien.
    assert not analyses_visibles(copil_69, perimetre(copil_69)).exists()
    # Retrait du partage : l'invité ne l'ouvre plus.
    partage.retire_le = partage.partage_le
    partage.save()
    with pytest.raises(PermissionError):
        analyse_ouvrir(analyse=analyse, utilisateur=invite, perimetre=perimetre(invite))


def test_only_members_attach_and_share(jeu, copil, membre, correspondant_69, perimetre):
    with pytest.raises(PermissionError):
        analyse_enregistrer(par=correspondant_69, nom="x", definition=BUDGET_69, copil=copil)
    with pytest.raises(ErreurAnalyse, match="nom"):
        analyse_enregistrer(par=membre, nom="  ", definition=BUDGET_69, copil=copil)
    hors = DefinitionAnalyse("budget_total", "D:35", campagnes=(2025,))
    with pytest.raises(ErreurAnalyse, match="territoire"):
        analyse_enregistrer(par=membre, nom="Bretagne", definition=hors, copil=copil)
    analyse = analyse_enregistrer(par=correspondant_69, nom="Personnelle", definition=BUDGET_69)
    with pytest.raises(ErreurAnalyse, match="aucun comité"):
        analyse_partager(analyse=analyse, par=correspondant_69, avec_invites=True)
    a2 = analyse_enregistrer(par=membre, nom="Du comité", definition=BUDGET_69, copil=copil)
    with pytest.raises(PermissionError):
        analyse_partager(analyse=a2, par=correspondant_69, avec_invites=False)
    assert Analyse.objects.count() == 2


def test_exports_use_french_numbers_and_the_secret_symbol(jeu, correspondant_69, perimetre):
    r = calculer(
        correspondant_69, perimetre, DefinitionAnalyse("budget_total", "D:69", ("gestion",), campagnes=(2025,))
    )
    assert any(c.masquee for c in r.cellules)
    contenu, type_, nom = exporter(r, "csv")
    assert type_.startswith("text/csv") and nom.endswith(".csv") and contenu.startswith("\ufeff".encode())
    lignes = list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0] == ["Campagne", "Mode de gestion", "Total des produits (budget)", "Répondants"]
    assoc = next(ligne for ligne in lignes if ligne[1] == "Associative")
    assert assoc[2] == "s"
    total = next(ligne for ligne in lignes if ligne[1] == "Ensemble")
    assert total[2].isdigit() or "," in total[2]
    contenu, type_, nom = exporter(r, "xlsx")
    assert nom.endswith(".xlsx") and "spreadsheetml" in type_
    feuille = CalamineWorkbook.from_filelike(io.BytesIO(contenu)).get_sheet_by_index(0).to_python()
    assert any(row[1] == "Associative" and row[2] == "s" for row in feuille if len(row) > 2)
    with pytest.raises(ErreurAnalyse):
        exporter(r, "pdf")


def test_audit_command_includes_the_ledger_and_fails_on_an_exposed_release(jeu, copil, membre, perimetre):
    calculer(membre, perimetre, DefinitionAnalyse("budget_total", "D:69", ("gestion",), campagnes=(2025,)))
    sortie = io.StringIO()
    call_command("audit-secret", "--campagne", "2025", stdout=sortie)
    texte = sortie.getvalue()
    assert "Registre des libérations :" in texte and "0 groupe(s) exposé(s) — OK" in texte
    # Une libération forcée (hors service) : le total sans les associatives, à côté du total.
    total = CelluleLiberee.objects.get(audience=f"copil:{copil.pk}", ensemble="D:69")
    associatives = {s for (s,) in jeu.campagne.reponses.filter(valeurs__A15="associatif").values_list("structure_id")}
    CelluleLiberee.objects.create(
        audience=total.audience,
        campagne=2025,
        territoire="D:69",
        indicateur="budget_total",
        variable="F04",
        ensemble="D:69|force",
        structures=sorted(set(total.structures) - associatives),
        repondants=0,
    )
    sortie = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("audit-secret", "--campagne", "2025", stdout=sortie)
    assert exc.value.returncode == 1
    assert "ÉCHEC" in sortie.getvalue() and f"registre copil:{copil.pk} F04" in sortie.getvalue()


def test_national_breakdown_by_department_cannot_cross_a_second_dimension(jeu, national, perimetre):
    definition = {"indicateur": "budget_total", "territoire": "FR", "dimensions": ["territoire", "type"]}
    with pytest.raises(ErreurAnalyse, match="France entière"):
        calculer(national, perimetre, definition)
    r = calculer(national, perimetre, {"indicateur": "budget_total", "territoire": "FR", "dimensions": ["territoire"]})
    assert r.cellule(2025, "69") is not None and r.cellule(2025, "971") is not None


def test_route3_one_person_on_two_copils_is_audited_on_the_union_of_both_ledgers(jeu, copil, membre, perimetre):
    """Voie 3 : une personne qui siège à deux COPIL (Rhône et région) réunit les deux registres. Chaque
    registre seul n'isole rien ; leur réunion isole les associatives du Rhône. L'audit d'avant (par
    public seulement) ne le voyait pas ; il audite maintenant chaque personne sur l'union de ses
    publics, et la protection d'une libération tient compte de ce que savent ses détenteurs."""
    from core.analyses.protection import Regles
    from senacs.analyses.registre import auditer_registre, connaissance_personne, ensembles_connus
    from senacs.copil.services import copil_pour
    from senacs.statistiques.services import politique_secret

    calculer(membre, perimetre, DefinitionAnalyse("budget_total", "D:69", ("gestion",), campagnes=(2025,)))
    total = CelluleLiberee.objects.get(audience=f"copil:{copil.pk}", ensemble="D:69")
    region = copil_pour("region", "84")
    associatives = {s for (s,) in jeu.campagne.reponses.filter(valeurs__A15="associatif").values_list("structure_id")}
    CelluleLiberee.objects.create(
        audience=f"copil:{region.pk}",
        campagne=2025,
        territoire="R:84",
        indicateur="budget_total",
        variable="F04",
        ensemble="R:84|force",
        structures=sorted(set(total.structures) - associatives),
        repondants=0,
    )
    regles = Regles.depuis_politique(politique_secret())
    avant = auditer_registre(jeu.campagne, regles)
    assert not any(a.startswith("personne:") for a, *_ in avant.exposees)
    membre_ajouter(copil=region, utilisateur=membre, cote="federation")
    assert {f"copil:{copil.pk}", f"copil:{region.pk}"} <= set(connaissance_personne(membre.pk))
    # Une libération au COPIL du Rhône tient compte de ce que le membre a vu au COPIL régional.
    connus = {c.ensemble for c in ensembles_connus(f"copil:{copil.pk}", 2025, "F04")}
    assert "R:84|force" in connus
    apres = auditer_registre(jeu.campagne, regles)
    assert any(a == f"personne:{membre.pk}" and v == "F04" for a, v, *_ in apres.exposees)


def test_route2_an_indicator_made_of_several_questions_knows_the_published_component_cells(jeu):
    """Voie 2 : ps_agc_acf = F06 + F07, financements_caf = F06 … F10. Le code d'avant ne lisait rien de
    la diffusion pour un indicateur de plusieurs questions (``len(codes) != 1``) : une cellule masquée
    en secondaire dans une analyse se retrouvait par F06 + F07 publiés, et une composante masquée de
    la diffusion (F10 par dominance) par l'indicateur moins les autres composantes. Maintenant un
    territoire dont toutes les composantes sont publiées est connu, et un territoire dont une
    composante est masquée compte comme masqué."""
    import polars as pl

    from senacs.analyses.catalogue import PAR_CODE
    from senacs.analyses.donnees import ensembles_diffusion, microdonnees, variable_campagne
    from senacs.analyses.services import departements_du_territoire, territoires_diffusion
    from senacs.statistiques.services import lire_cellules

    cellules = lire_cellules(jeu.diffusion)
    for code in ("ps_agc_acf", "financements_caf"):
        indicateur = PAR_CODE[code]
        codes, _, _ = variable_campagne(indicateur, jeu.campagne)
        assert len(codes) >= 2
        micro = microdonnees(jeu.campagne, indicateur, departements_du_territoire("FR"))
        publies, masques = ensembles_diffusion(jeu.campagne, indicateur, micro, territoires_diffusion("FR"))
        assert publies or masques
        composantes = cellules.filter(pl.col("question").is_in(list(codes)) & (pl.col("statistique") == "somme"))
        nation = composantes.filter((pl.col("niveau") == "nation") & (pl.col("public") == "ensemble"))
        toutes_publiees = (nation["statut"] == "publie").all()
        tout_le_monde = frozenset(micro.filter(pl.col("valeur").is_not_null())["structure"].to_list())
        assert (tout_le_monde in publies) == bool(toutes_publiees)
        assert (tout_le_monde in masques) == (not toutes_publiees)


def test_browsing_analyses_as_every_role_keeps_the_audit_green(
    jeu, copil, membre, invite, national, correspondant_69, correspondant_region_84, preparateur_69, perimetre
):
    """Naviguer ne casse pas la publication : chaque rôle lance les analyses ordinaires de son
    périmètre (budget par département, par gestion × type…), puis l'audit (diffusion + registre, par
    audience et par personne) reste vert."""
    essais = {
        national: [("FR", ["territoire"]), ("FR", ["gestion", "type"]), ("FR", ["gestion"])],
        correspondant_region_84: [("R:84", ["territoire"]), ("R:84", ["gestion", "type"])],
        correspondant_69: [("D:69", ["type"]), ("D:69", ["gestion", "type"])],
        preparateur_69: [("D:69", ["gestion"])],
        membre: [("D:69", ["gestion"]), ("D:69", ["type"]), ("D:69", ["gestion", "type"])],
        invite: [("D:69", ["type"])],
    }
    faites = 0
    for utilisateur, definitions in essais.items():
        for territoire, dimensions in definitions:
            for indicateur in ("budget_total", "ps_agc_acf"):
                definition = {"indicateur": indicateur, "territoire": territoire, "dimensions": dimensions}
                try:
                    calculer(utilisateur, perimetre, definition)
                    faites += 1
                except (ErreurAnalyse, PermissionError):
                    pass  # refus motivé (périmètre, croisement interdit) : rien n'est libéré
    assert faites >= 8
    sortie = io.StringIO()
    call_command("audit-secret", "--campagne", "2025", stdout=sortie)
    assert "Audit réussi" in sortie.getvalue()
