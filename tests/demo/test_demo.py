"""Commande `senacs demo` et chargement en base : idempotence, déterminisme, comptes, cohérence."""

import datetime
import io
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.demo import MOT_DE_PASSE_DEMO, generer_donnees_demo
from core.questionnaire.saisie import etat_saisie
from core.roles import Role
from senacs.analyses.models import Analyse, CelluleLiberee
from senacs.campagnes.models import Campagne, ChangementPhase, Phase
from senacs.comptes.models import AcceptationCharte, Mandat, Utilisateur
from senacs.comptes.selectors import perimetre_de
from senacs.copil.models import Designation, MembreCopil, StatutDesignation
from senacs.demo.models import ChargementDemo
from senacs.demo.selectors import anomalies_injectees, comptes_demo, empreinte_donnees, resume_demo
from senacs.demo.services import demo_charger
from senacs.publications.models import Plaquette
from senacs.publications.models import Statut as StatutPlaquette
from senacs.reponses.models import Depot, Reponse, ReponseHistorique, RevueSaisie, Statut, StatutRevue
from senacs.reponses.selectors import valeurs_precedentes, variante
from senacs.reponses.services import empreinte_depot
from senacs.statistiques.models import Diffusion
from senacs.structures.models import (
    Agrement,
    AutreFederation,
    GeographiePrioritaire,
    ModeGestion,
    Structure,
    TailleTerritoire,
    TypeStructure,
    TypeTerritoire,
)
from senacs.territoires.models import Caf, Zone
from tests.factories import StructureFactory

PETITE = "0.1"  # jeu réduit, même forme : la plupart des tests n'ont pas besoin des 4 000 structures
AUJOURD_HUI = datetime.date(2026, 11, 29)


def demo(*args):
    sortie = io.StringIO()
    call_command("demo", "--sans-serveur", *args, stdout=sortie)
    return sortie.getvalue()


def compter():
    return {
        "structures": Structure.objects.count(),
        "agrements": Agrement.objects.count(),
        "campagnes": Campagne.objects.count(),
        "reponses": Reponse.objects.count(),
        "utilisateurs": Utilisateur.objects.count(),
        "mandats": Mandat.objects.count(),
        "zones": Zone.objects.count(),
    }


def test_the_full_demo_loads_once_and_a_second_run_changes_nothing():
    sortie = demo()
    empreinte, comptes = empreinte_donnees(), compter()

    assert "Données générées" in sortie
    assert "2 380 centres sociaux, 1 690 espaces de vie sociale" in sortie
    assert "101 départements" in sortie
    assert MOT_DE_PASSE_DEMO in sortie and "structure.69@demo.senacs.fr" in sortie
    assert Structure.objects.actives().filter(type="CS").count() == 2380
    assert Structure.objects.actives().filter(type="EVS").count() == 1690
    assert Structure.objects.values("departement").distinct().count() == 101

    # Compléments du jeu complet : COPIL, diffusions protégées et auditées des trois dernières campagnes closes.
    assert "COPIL :" in sortie and "Diffusions protégées :" in sortie
    diffusees = sorted(Diffusion.objects.values_list("campagne__annee", flat=True))
    assert diffusees == [2023, 2024, 2025]
    assert all(Diffusion.objects.values_list("audit_ok", flat=True))
    audit = io.StringIO()
    call_command("audit-secret", "--campagne", "2025", stdout=audit)  # lève CommandError (code 1) en cas d'échec
    assert "Cellules exposées : 0" in audit.getvalue()
    # Plaquettes et analyses de démonstration : une plaquette publiée, des cellules au registre des libérations,
    # et l'audit (registre compris) reste vert.
    assert Plaquette.objects.filter(statut=StatutPlaquette.PUBLIEE).exists()
    assert Analyse.objects.exists() and CelluleLiberee.objects.exists()
    assert "0 groupe(s) exposé(s) — OK" in audit.getvalue()

    seconde = demo()
    assert "aucune donnée générée" in seconde
    assert empreinte_donnees() == empreinte
    assert compter() == comptes
    assert ChargementDemo.objects.count() == 1

    # La campagne en cours : ≈ 40 % des structures attendues ont commencé.
    en_cours = Campagne.objects.get(annee=2026)
    attendues = Structure.objects.attendues(2025).count()
    commencees = Reponse.objects.filter(campagne=en_cours)
    assert commencees.count() / attendues == pytest.approx(0.40, abs=0.05)
    statuts = Counter(commencees.values_list("statut", flat=True))
    assert statuts[Statut.BROUILLON] > statuts[Statut.SOUMISE] > 0 and not statuts[Statut.VALIDEE]

    # Campagnes closes : ≈ 90 % des CS et 80 % des EVS attendus ont répondu, toutes validées.
    for campagne in Campagne.objects.filter(phase=Phase.ARCHIVEE):
        for type_structure, cible in (("CS", 0.9), ("EVS", 0.8)):
            attendus = Structure.objects.attendues(campagne.annee_donnees).filter(type=type_structure)
            repondu = Reponse.objects.filter(campagne=campagne, structure__in=attendus)
            assert repondu.count() / attendus.count() == pytest.approx(cible, abs=0.03)
        assert not Reponse.objects.filter(campagne=campagne).exclude(statut=Statut.VALIDEE).exists()
        assert (
            not Reponse.objects.filter(campagne=campagne)
            .exclude(structure__in=Structure.objects.attendues(campagne.annee_donnees))
            .exists()
        )


def test_the_database_holds_exactly_what_the_generator_produced():
    rapport = demo_charger(taille=0.1)
    donnees = rapport.donnees
    assert Structure.objects.count() == len(donnees.structures)
    assert Depot.objects.count() == donnees.compter()["depots"]
    assert sum(len(v) for v in Reponse.objects.values_list("valeurs", flat=True)) == donnees.compter()["valeurs"]
    assert Agrement.objects.count() == sum(len(s.agrements) for s in donnees.structures)
    assert Reponse.objects.count() == len(donnees.reponses)
    assert ChangementPhase.objects.count() == sum(len(c.changements) for c in donnees.campagnes)
    reponse = donnees.reponses[-1]
    en_base = Reponse.objects.get(campagne__annee=reponse.campagne, structure__identifiant=reponse.structure)
    assert (en_base.valeurs, en_base.instantane, en_base.modifiee_le) == (
        reponse.valeurs,
        reponse.instantane,
        reponse.modifiee_le,
    )
    for s in donnees.structures[:50]:
        assert Structure.objects.attendues(2025).filter(identifiant=s.identifiant).exists() == s.est_attendue(2025)


def test_reinitialising_in_debug_regenerates_the_same_data(settings):
    demo("--taille", PETITE)
    empreinte, comptes = empreinte_donnees(), compter()
    settings.DEBUG = True
    membres = MembreCopil.objects.count()
    assert membres and Designation.objects.filter(statut=StatutDesignation.EFFECTIVE).exists()
    sortie = demo("--reinitialiser", "--taille", PETITE)
    assert "Effacement" in sortie and "Données générées" in sortie
    assert MembreCopil.objects.count() == membres  # les COPIL de la démo sont effacés puis recréés
    assert empreinte_donnees() == empreinte
    assert compter() == comptes
    assert ChargementDemo.objects.count() == 1


def test_another_seed_gives_another_fingerprint(settings):
    demo("--taille", PETITE)
    empreinte = empreinte_donnees()
    settings.DEBUG = True
    demo("--reinitialiser", "--taille", PETITE, "--graine", "7")
    assert empreinte_donnees() != empreinte
    assert ChargementDemo.objects.get().graine == 7


def test_it_refuses_to_reinitialise_outside_debug_without_confirmation(settings):
    settings.DEBUG = False
    demo("--taille", PETITE)
    empreinte = empreinte_donnees()
    with pytest.raises(CommandError, match="DEBUG est désactivé"):
        demo("--reinitialiser", "--taille", PETITE)
    assert empreinte_donnees() == empreinte
    demo("--reinitialiser", "--confirmer", "--taille", PETITE)
    assert empreinte_donnees() == empreinte


def test_it_never_wipes_a_database_it_did_not_fill_without_confirmation(settings):
    settings.DEBUG = True
    reelle = StructureFactory(nom="Centre social réel")
    with pytest.raises(CommandError, match="pas été chargées par"):
        demo("--reinitialiser", "--taille", PETITE)
    assert Structure.objects.get() == reelle

    sortie = demo("--taille", PETITE)  # sans --reinitialiser : on ne touche pas une base déjà remplie
    assert "aucune donnée générée" in sortie
    assert Structure.objects.get() == reelle

    demo("--reinitialiser", "--confirmer", "--taille", PETITE)
    assert not Structure.objects.filter(pk=reelle.pk).exists()
    assert Structure.objects.count() > 300


def test_it_refuses_to_run_with_the_production_settings(settings):
    settings.SETTINGS_MODULE = "config.settings.production"
    with pytest.raises(CommandError, match="réglages de production"):
        demo("--taille", PETITE)
    assert not Structure.objects.exists() and not Utilisateur.objects.exists()


def test_it_rejects_a_size_outside_zero_one():
    with pytest.raises(CommandError, match="--taille"):
        demo("--taille", "2")


def test_there_is_a_demo_account_for_every_role_with_the_shared_password():
    demo("--taille", PETITE)
    comptes = Utilisateur.objects.filter(email__endswith="@demo.senacs.fr")
    roles = set(Mandat.objects.filter(utilisateur__in=comptes).values_list("role", flat=True))
    assert roles == {r.value for r in Role}
    assert comptes.count() == 20
    assert all(u.check_password(MOT_DE_PASSE_DEMO) for u in comptes)
    assert len({u.password for u in comptes}) == 1  # haché une seule fois
    assert all(u.prenom and u.nom for u in comptes)
    assert not AcceptationCharte.objects.filter(utilisateur__in=comptes).exists()

    admin = comptes.get(email="admin@demo.senacs.fr")
    assert admin.is_staff and admin.is_superuser
    assert admin.mandats.get().role == Role.ADMIN and admin.mandats.get().niveau == "nation"

    for mandat in Mandat.objects.filter(utilisateur__in=comptes).select_related("utilisateur"):
        mandat.full_clean()  # les règles du modèle (organisme, caf, fédération, niveau) sont respectées
        assert mandat.date_debut == datetime.date(2020, 1, 1)
        if mandat.role == Role.PREPARATEUR:
            # désigné par son COPIL pour la campagne en cours : le mandat finit avec la campagne
            designation = Designation.objects.get(mandat=mandat, statut=StatutDesignation.EFFECTIVE)
            assert mandat.date_fin == designation.fin
        else:
            assert (mandat.date_fin is None) != mandat.utilisateur.email.startswith("ancien.")

    caf_69 = Mandat.objects.get(utilisateur__email="correspondant.caf.69@demo.senacs.fr")
    assert (caf_69.organisme, caf_69.caf.departement_id) == ("caf", "69")
    federation_69 = Mandat.objects.get(utilisateur__email="correspondant.federation.69@demo.senacs.fr")
    assert federation_69.organisme == "federation" and federation_69.federation.departements.filter(code="69").exists()
    region = Mandat.objects.get(utilisateur__email="correspondant.region.84@demo.senacs.fr")
    assert (region.niveau, region.region_id) == ("region", "84")


def test_the_expired_account_sees_nothing_and_the_others_see_their_territory():
    demo("--taille", PETITE)
    ancien = Utilisateur.objects.get(email="ancien.correspondant.69@demo.senacs.fr")
    assert not Mandat.objects.valides(AUJOURD_HUI).filter(utilisateur=ancien).exists()
    assert perimetre_de(ancien, AUJOURD_HUI).est_vide

    correspondant = perimetre_de(Utilisateur.objects.get(email="correspondant.caf.69@demo.senacs.fr"), AUJOURD_HUI)
    assert correspondant.departements_donnees == {"69"}
    regional = perimetre_de(Utilisateur.objects.get(email="correspondant.region.84@demo.senacs.fr"), AUJOURD_HUI)
    assert {"01", "69"} <= regional.departements_donnees
    national = perimetre_de(Utilisateur.objects.get(email="national@demo.senacs.fr"), AUJOURD_HUI)
    assert national.est_national and not national.departements_donnees

    lignes = {c.email: c for c in comptes_demo(AUJOURD_HUI)}
    assert "expiré" in lignes["ancien.correspondant.69@demo.senacs.fr"].role
    assert "expiré" not in lignes["correspondant.caf.69@demo.senacs.fr"].role


def test_each_structure_account_has_a_2026_draft_on_a_real_structure():
    demo("--taille", PETITE)
    for dep in ("69", "01", "48"):
        utilisateur = Utilisateur.objects.get(email=f"structure.{dep}@demo.senacs.fr")
        mandat = utilisateur.mandats.get()
        assert (mandat.role, mandat.niveau, mandat.organisme) == ("structure", "structure", "structure")
        structure = mandat.structure
        assert structure.departement_id == dep and structure.active
        brouillon = Reponse.objects.get(structure=structure, campagne__annee=2026)
        assert brouillon.statut == Statut.BROUILLON and brouillon.modifiee_par == utilisateur
        assert perimetre_de(utilisateur, AUJOURD_HUI).structures_propres == {structure.pk}


def test_campaigns_follow_the_cycle_and_are_logged_by_the_national_user():
    demo("--taille", PETITE)
    national = Utilisateur.objects.get(email="national@demo.senacs.fr")
    phases = dict(Campagne.objects.values_list("annee", "phase"))
    assert phases == {
        2021: "archivee",
        2022: "archivee",
        2023: "archivee",
        2024: "archivee",
        2025: "archivee",
        2026: "saisie",
    }
    for campagne in Campagne.objects.all():
        campagne.full_clean()
        journal = list(campagne.changements_phase.order_by("le"))
        assert journal[0].ancienne_phase == Phase.PREPARATION
        assert journal[-1].nouvelle_phase == campagne.phase
        assert all(ch.par == national for ch in journal)
        assert all(a.nouvelle_phase == b.ancienne_phase for a, b in zip(journal, journal[1:], strict=False))
    en_cours = Campagne.objects.get(annee=2026)
    assert en_cours.date_ouverture_saisie == datetime.date(2026, 10, 1)
    assert en_cours.saisie_ouverte("69", AUJOURD_HUI)


def test_past_answers_are_consistent_between_two_years_for_the_same_structure():
    demo("--taille", PETITE)
    par_structure = defaultdict(dict)
    for structure_id, annee, valeurs in Reponse.objects.filter(campagne__annee__in=[2024, 2025]).values_list(
        "structure_id", "campagne__annee", "valeurs"
    ):
        par_structure[structure_id][annee] = valeurs
    paires = [v for v in par_structure.values() if len(v) == 2]
    assert len(paires) > 200
    for v in paires:
        avant, apres = v[2024], v[2025]
        for code in ("A01", "A03", "A04", "A05", "A08", "A09", "A15", "A16", "A17", "A18", "A19", "A20", "A25"):
            assert avant.get(code) == apres.get(code), code
        assert abs(avant["A12"] - apres["A12"]) <= 0.02 * apres["A12"] + 1


def test_the_register_values_match_the_model_choices():
    demo("--taille", PETITE)
    structures = Structure.objects.all()
    assert set(structures.values_list("type", flat=True)) <= set(TypeStructure.values)
    assert set(structures.values_list("mode_gestion", flat=True)) <= set(ModeGestion.values)
    assert set(structures.values_list("type_territoire", flat=True)) == set(TypeTerritoire.values)
    assert set(structures.values_list("taille_territoire", flat=True)) <= set(TailleTerritoire.values)
    assert set(structures.values_list("geographie_prioritaire", flat=True)) == set(GeographiePrioritaire.values)
    assert set(structures.values_list("autre_federation", flat=True)) <= set(AutreFederation.values)
    for structure in structures.order_by("identifiant")[:150]:
        structure.full_clean()
    for agrement in Agrement.objects.order_by("pk")[:500]:
        agrement.full_clean()
    for reponse in Reponse.objects.exclude(instantane={}).order_by("pk")[:100]:
        assert reponse.instantane["departement"] == reponse.structure.departement_id
        assert reponse.instantane["gestionnaire"] == reponse.structure.gestionnaire.siren


def test_the_summary_counts_the_loaded_data():
    demo("--taille", PETITE)
    resume = resume_demo()
    donnees = generer_donnees_demo(taille=0.1)
    compte = donnees.compter()
    assert (resume.cs_actifs, resume.evs_actifs) == (compte["cs_actifs"], compte["evs_actifs"])
    assert resume.departements == 101 and resume.departements_minuscules >= 5
    assert resume.reponses == compte["reponses"]
    assert [c.annee for c in resume.campagnes] == [2021, 2022, 2023, 2024, 2025, 2026]


# --- Réponses au questionnaire de chaque campagne -------------------------------------------------------------


def test_each_campaign_is_attached_to_its_questionnaire_and_every_answer_has_a_version_and_a_provenance():
    rapport = demo_charger(taille=0.1)
    for campagne in Campagne.objects.select_related("questionnaire"):
        assert campagne.questionnaire.version == campagne.version_questionnaire == str(campagne.annee)
        assert campagne.questionnaire.modele.campagne == campagne.annee
    comptes = dict(Utilisateur.objects.values_list("pk", "email"))
    generees = {(r.campagne, r.structure): r for r in rapport.donnees.reponses}
    reponses = Reponse.objects.select_related("campagne__questionnaire", "structure")
    assert reponses.count() == len(generees)
    for reponse in reponses:
        r = generees[(reponse.campagne.annee, reponse.structure.identifiant)]
        saisies = {q.code for q in variante(reponse.campagne, reponse.structure).questions() if q.saisie}
        assert reponse.valeurs == r.valeurs
        assert set(reponse.valeurs) <= {q.code for q in reponse.campagne.questionnaire.modele.questions()}
        assert reponse.versions == dict.fromkeys([c for c in reponse.valeurs if c in saisies], 1)
        assert set(reponse.provenance) == set(reponse.versions)
        for code, p in reponse.provenance.items():
            assert (
                set(p) == {"par", "nom", "organisme", "pour_le_compte", "origine", "le"} and p["origine"] == "saisie"
            )
            if p["pour_le_compte"]:
                assert comptes[p["par"]] == "correspondant.caf.69@demo.senacs.fr" and code in r.pour_le_compte.codes
            elif r.saisie_par:
                assert comptes[p["par"]] == r.saisie_par and p["organisme"] == reponse.structure.nom
            else:  # campagne passée d'une structure sans compte connu : « La structure », à la date du dépôt
                assert p["par"] is None and p["nom"] == "La structure"
                assert datetime.datetime.fromisoformat(p["le"]) == reponse.soumise_le


def test_submitted_responses_have_a_frozen_deposit_that_the_entry_checks_accept():
    demo("--taille", PETITE)
    soumises = Reponse.objects.filter(campagne__annee=2026, statut=Statut.SOUMISE).select_related(
        "campagne", "structure", "modifiee_par"
    )
    assert soumises.exists()
    assert Depot.objects.count() == soumises.count()
    for reponse in soumises:
        depot = reponse.depots.get()
        modele = variante(reponse.campagne, reponse.structure)
        saisies = {q.code for q in modele.questions() if q.saisie}
        assert depot.numero == 1 and depot.depose_le == reponse.soumise_le and depot.par == reponse.modifiee_par
        assert depot.organisme == reponse.structure.nom
        assert depot.valeurs == {c: v for c, v in reponse.valeurs.items() if c in saisies}
        contenu = {
            "campagne": 2026,
            "questionnaire": modele.version,
            "structure": reponse.structure.identifiant,
            "numero": 1,
            "depose_le": depot.depose_le.isoformat(),
            "valeurs": depot.valeurs,
            "avertissements": depot.avertissements,
        }
        assert depot.empreinte == empreinte_depot(contenu)  # la même empreinte que reponse_soumettre
        # Le contrôle du formulaire et du dépôt : rien de bloquant, chaque avertissement justifié.
        etat = etat_saisie(modele, reponse.valeurs, valeurs_precedentes(reponse.campagne, reponse.structure))
        assert not etat.bloquantes
        assert {a.code_regle for a in etat.anomalies} == set(reponse.justifications)
        assert [a["code"] for a in depot.avertissements] == [a.code_regle for a in etat.anomalies]
        assert all(a["justification"] == reponse.justifications[a["code"]] for a in depot.avertissements)


def test_only_the_current_campaign_has_a_line_by_line_history():
    demo("--taille", PETITE)
    assert not ReponseHistorique.objects.exclude(reponse__campagne__annee=2026).exists()
    en_cours = Reponse.objects.filter(campagne__annee=2026).prefetch_related("historique")
    assert ReponseHistorique.objects.count() == sum(len(r.versions) for r in en_cours)
    for reponse in en_cours:
        lignes = list(reponse.historique.all())
        assert {h.code for h in lignes} == set(reponse.versions)
        assert all(h.valeur == reponse.valeurs[h.code] and h.version == 1 and h.origine == "saisie" for h in lignes)
        assert all(reponse.commencee_le <= h.le <= reponse.modifiee_le for h in lignes)
        assert reponse.revision >= 1 and reponse.modifiee_par_id is not None


def test_the_caf_entered_some_answers_on_behalf_of_the_rhone_demo_structure_which_can_review_them():
    demo("--taille", PETITE)
    compte = Utilisateur.objects.get(email="structure.69@demo.senacs.fr")
    caf = Utilisateur.objects.get(email="correspondant.caf.69@demo.senacs.fr")
    reponse = Reponse.objects.get(structure=compte.mandats.get().structure, campagne__annee=2026)
    revues = list(RevueSaisie.objects.filter(reponse=reponse).select_related("historique"))
    assert RevueSaisie.objects.count() == len(revues) >= 2
    for revue in revues:
        h = revue.historique
        assert revue.statut == StatutRevue.A_EXAMINER and h.code == revue.code
        assert h.pour_le_compte and h.par == caf and h.organisme == Caf.objects.get(departement_id="69").nom
        assert reponse.provenance[revue.code]["pour_le_compte"] and reponse.provenance[revue.code]["par"] == caf.pk
        assert h.valeur == reponse.valeurs[revue.code]
    assert reponse.modifiee_par == compte  # la structure a continué sa saisie après la Caf


def test_the_injected_anomalies_are_kept_with_the_load_and_structure_accounts_cannot_log_in():
    rapport = demo_charger(taille=0.1)
    attendues = [a.vers_dict() for a in rapport.donnees.anomalies_injectees]
    assert anomalies_injectees() == attendues
    assert len(attendues) == pytest.approx(0.03 * Reponse.objects.count(), rel=0.1)
    assert {a["type"] for a in attendues} >= {"etp_salaries_inverses", "dates_agrement_inversees"}
    comptes = Utilisateur.objects.filter(email__startswith="saisie.", email__endswith="@exemple-senacs.fr")
    assert comptes.count() == len(rapport.donnees.comptes_structures) > 0
    assert not any(u.has_usable_password() for u in comptes)
    assert all(u.mandats.get().role == Role.STRUCTURE for u in comptes[:20])
    assert "saisie." not in " ".join(c.email for c in comptes_demo())
