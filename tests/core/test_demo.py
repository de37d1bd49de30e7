"""Générateur de démonstration (Python pur, sans base) : déterminisme, volumes, calibrage, cohérence."""

import csv
import datetime
from collections import Counter, defaultdict

import pytest

from core.demo import generer_donnees_demo
from core.demo.calibrage import ALLOCATION_REGIONALE
from core.demo.campagnes import CODES_AXES, CODES_IDENTITE
from core.demo.identifiants import cle_luhn, luhn_valide, siret
from core.demo.registre import plus_ans
from core.roles import Role
from core.territoires import (
    DONNEES,
    departement_depuis_code_postal,
    departement_depuis_commune,
    departements,
)

CHOIX = {
    "A15": {"associatif", "collectivite", "intercommunalite", "caf", "cogestion", "autre"},
    "A16": {"urbain", "rural"},
    "A17": {"quartier", "quartiers", "commune", "communes", "intercommunalite"},
    "A18": {"qpv", "aupres_qpv", "non_concerne"},
    "A20": {"non", "fcs", "leo_lagrange", "ligue", "cco", "ifac", "mjc", "familles_rurales", "autre"},
}


@pytest.fixture(scope="module")
def actives(demo):
    return [s for s in demo.structures if s.active]


def part(elements, condition):
    elements = list(elements)
    return sum(1 for e in elements if condition(e)) / len(elements)


# --- Déterminisme --------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_data(petit, questionnaires):
    """``petit`` est tiré avec la graine par défaut : c'est aussi 2026."""
    autre = generer_donnees_demo(2026, taille=petit.taille, questionnaires=questionnaires)
    assert autre == petit
    assert autre.empreinte() == petit.empreinte()
    assert autre.anomalies_injectees == petit.anomalies_injectees


def test_another_seed_gives_other_data(petit, questionnaires):
    autre = generer_donnees_demo(7, taille=petit.taille, questionnaires=questionnaires)
    assert autre.empreinte() != petit.empreinte()
    assert [s.nom for s in autre.structures[:50]] != [s.nom for s in petit.structures[:50]]
    assert [r.valeurs.get("F04") for r in autre.reponses[:100]] != [r.valeurs.get("F04") for r in petit.reponses[:100]]
    assert autre.anomalies_injectees != petit.anomalies_injectees


def test_a_smaller_size_keeps_the_shape(petit):
    assert petit.taille == 0.1
    compte = petit.compter()
    assert 200 <= compte["cs_actifs"] <= 300
    assert 150 <= compte["evs_actifs"] <= 230
    assert compte["departements"] == 101
    assert {u.email.split("@")[0] for u in petit.utilisateurs} >= {"structure.69", "structure.01", "structure.48"}


@pytest.mark.parametrize("taille", [0, -1, 1.5])
def test_it_rejects_a_size_outside_zero_one(taille):
    with pytest.raises(ValueError):
        generer_donnees_demo(taille=taille)


# --- Volumes et géographie (calibration §1, §2) ----------------------------------------------------------


@pytest.mark.slow
def test_it_generates_about_2380_cs_and_1690_evs_active(demo):
    compte = demo.compter()
    assert compte["cs_actifs"] == pytest.approx(2380, rel=0.03)
    assert compte["evs_actifs"] == pytest.approx(1690, rel=0.03)


def test_every_department_has_structures(petit):
    assert {s.departement for s in petit.structures} == {d.code for d in departements()}
    assert {s.departement for s in petit.structures if s.active} == {d.code for d in departements()}


@pytest.mark.slow
def test_several_tiny_departments_hold_one_to_five_structures(demo):
    total = Counter(s.departement for s in demo.structures)  # registre entier, fermées comprises
    minuscules = {d for d, n in total.items() if 1 <= n <= 5}
    assert len(minuscules) >= 5
    assert {"976", "973", "48"} <= minuscules


@pytest.mark.slow
def test_it_forces_the_known_anchors(actives):
    compte = Counter((s.departement, s.type) for s in actives)
    assert 145 <= compte[("59", "CS")] <= 150
    assert compte[("13", "CS")] == 99
    assert compte[("57", "CS")] == 41
    assert (compte[("06", "CS")], compte[("06", "EVS")]) == (13, 10)


@pytest.mark.slow
def test_the_regional_allocation_follows_the_calibration_table(actives):
    compte = Counter((s.region, s.type) for s in actives)
    for region, (cs, evs) in ALLOCATION_REGIONALE.items():
        if region in {"03", "06"}:  # Guyane et Mayotte : plafonnées (départements minuscules)
            assert compte[(region, "CS")] + compte[(region, "EVS")] <= 5
            continue
        assert compte[(region, "CS")] == pytest.approx(cs, rel=0.02, abs=2)
        assert compte[(region, "EVS")] == pytest.approx(evs, rel=0.02, abs=2)


def test_postcodes_and_communes_match_the_department(petit):
    for s in petit.structures:
        assert len(s.code_postal) == 5 and s.code_postal.isdigit()
        assert departement_depuis_code_postal(s.code_postal) == s.departement, s
        assert s.commune_insee.startswith(s.departement)
        assert departement_depuis_commune(s.commune_insee) == s.departement
        assert s.commune_nom


def test_each_department_has_its_real_prefecture():
    with open(DONNEES / "chefs-lieux.csv", encoding="utf-8", newline="") as f:
        lignes = list(csv.DictReader(f))
    assert list(lignes[0]) == ["code_departement", "code_insee", "nom"]
    assert {r["code_departement"] for r in lignes} == {d.code for d in departements()}
    assert all(r["code_insee"].startswith(r["code_departement"]) for r in lignes)
    noms = {r["code_departement"]: r["nom"] for r in lignes}
    assert (noms["69"], noms["01"], noms["2A"], noms["976"]) == ("Lyon", "Bourg-en-Bresse", "Ajaccio", "Mamoudzou")


def test_corsican_postcodes_follow_the_20200_rule(petit):
    for s in petit.structures:
        if s.departement == "2A":
            assert "20000" <= s.code_postal < "20200"
        elif s.departement == "2B":
            assert "20200" <= s.code_postal < "20300"
        elif s.departement.startswith("97"):
            assert s.code_postal.startswith(s.departement)


# --- Identifiants, contacts ------------------------------------------------------------------------------


def test_luhn_helpers():
    assert luhn_valide("73282932000074")  # exemple classique de SIRET valide
    assert not luhn_valide("73282932000075")
    assert cle_luhn("7328293200007") == "4"
    assert len(siret("732829320", 7)) == 14


def test_every_siret_is_a_valid_unique_14_digit_number(petit):
    sirets = [s.siret for s in petit.structures]
    assert len(set(sirets)) == len(sirets)
    gestionnaires = {g.siren for g in petit.gestionnaires}
    for s in petit.structures:
        assert len(s.siret) == 14 and s.siret.isdigit()
        assert luhn_valide(s.siret), s.siret
        assert luhn_valide(s.siret[:9])  # le SIREN aussi
        assert s.siret[:9] == s.gestionnaire and s.gestionnaire in gestionnaires


def test_identifiers_names_and_contacts_are_unique_and_fake(petit):
    identifiants = [s.identifiant for s in petit.structures]
    assert len(set(identifiants)) == len(identifiants)
    assert len({(s.departement, s.nom) for s in petit.structures}) == len(petit.structures)
    for s in petit.structures:
        assert s.identifiant.startswith(f"{s.type}-{s.departement}-")
        assert s.email.endswith("@exemple-senacs.fr")
        assert not s.site_web or (s.site_web.startswith("https://") and s.site_web.endswith(".exemple-senacs.fr"))
        assert all(len(etiquette) <= 63 for etiquette in s.site_web.removeprefix("https://").split("."))
    assert any(s.nom.startswith("Centre social ") for s in petit.structures)
    assert any(s.nom.startswith("Espace de vie sociale ") for s in petit.structures)


@pytest.mark.slow
def test_some_bodies_manage_several_structures(demo):
    par_gestionnaire = Counter(s.gestionnaire for s in demo.structures)
    nature = {g.siren: g.nature for g in demo.gestionnaires}
    plusieurs = [siren for siren, n in par_gestionnaire.items() if n > 1]
    assert len(plusieurs) >= 30
    assert {nature[siren] for siren in plusieurs} >= {"commune", "ccas"}
    assert all(nature[siren] != "association" for siren in plusieurs)  # une association, une structure
    assert set(par_gestionnaire) == set(nature)


# --- Calibrage des variables d'identité (calibration §3) ---------------------------------------------------


@pytest.mark.slow
def test_calibrated_shares_are_roughly_right(actives):
    cs = [s for s in actives if s.type == "CS"]
    evs = [s for s in actives if s.type == "EVS"]
    assert part(cs, lambda s: s.type_territoire == "urbain") == pytest.approx(0.78, abs=0.04)
    assert part(evs, lambda s: s.type_territoire == "urbain") == pytest.approx(0.45, abs=0.05)
    assert part(cs, lambda s: s.geographie_prioritaire == "qpv") == pytest.approx(0.38, abs=0.04)
    assert part(cs, lambda s: s.geographie_prioritaire == "aupres_qpv") == pytest.approx(0.12, abs=0.03)
    assert part(evs, lambda s: s.geographie_prioritaire == "qpv") == pytest.approx(0.15, abs=0.04)
    assert part(cs, lambda s: s.mode_gestion == "associatif") == pytest.approx(0.70, abs=0.04)
    assert part(cs, lambda s: s.mode_gestion == "collectivite") == pytest.approx(0.24, abs=0.04)
    assert part(evs, lambda s: s.mode_gestion == "associatif") == pytest.approx(0.92, abs=0.03)
    assert part(cs, lambda s: s.adherent_fcsf) == pytest.approx(0.62, abs=0.05)
    assert part(evs, lambda s: s.adherent_fcsf) == pytest.approx(0.25, abs=0.04)
    assert part(cs, lambda s: s.autre_federation != "non") == pytest.approx(0.17, abs=0.04)
    assert part(cs, lambda s: s.multi_sites) == pytest.approx(0.15, abs=0.03)
    assert part(cs, lambda s: s.taille_territoire in {"quartier", "quartiers"}) == pytest.approx(0.52, abs=0.05)


@pytest.mark.slow
def test_rural_structures_never_act_at_neighbourhood_scale_and_qpv_is_urban(actives):
    for s in actives:
        if s.type_territoire == "rural":
            assert s.taille_territoire in {"commune", "communes", "intercommunalite"}
    qpv = [s for s in actives if s.geographie_prioritaire == "qpv"]
    assert part(qpv, lambda s: s.type_territoire == "urbain") > 0.95
    assert all(s.type_territoire == "urbain" for s in actives if s.departement == "75")


@pytest.mark.slow
def test_population_follows_the_lognormal_calibration(actives):
    from statistics import median

    cs_urbains = [s.population_zone for s in actives if s.type == "CS" and s.type_territoire == "urbain"]
    evs = [s.population_zone for s in actives if s.type == "EVS"]
    assert 10_000 <= median(cs_urbains) <= 14_000
    assert 3_300 <= median(evs) <= 4_700
    assert all(500 <= s.population_zone <= 150_000 for s in actives)


def test_federation_membership_points_to_a_federation_of_the_department(petit):
    couvre = {f.nom: set(f.departements) for f in petit.federations}
    for s in petit.structures:
        if s.federation is not None:
            assert s.adherent_fcsf
            assert s.departement in couvre[s.federation]
    tailles = Counter(len(f.departements) for f in petit.federations)
    assert tailles[1] > 0 and any(n > 1 for n in tailles)  # un département, plusieurs, une région
    assert any(f.regionale for f in petit.federations)


# --- Agréments (calibration §4) et dynamique du parc (§1) ---------------------------------------------------


def test_agrement_periods_last_one_to_four_years_and_are_contiguous(petit):
    for s in petit.structures:
        assert s.agrements[0].date_debut == s.date_premier_agrement
        for periode in s.agrements:
            assert any(
                periode.date_fin == plus_ans(periode.date_debut, n) - datetime.timedelta(days=1) for n in (1, 2, 3, 4)
            )
        for avant, apres in zip(s.agrements, s.agrements[1:], strict=False):
            assert apres.date_debut == avant.date_fin + datetime.timedelta(days=1)
        if s.active:
            assert s.date_fermeture is None
            assert s.agrements[-1].date_fin >= datetime.date(2026, 12, 31)
        else:
            assert s.date_fermeture == s.agrements[-1].date_fin
            assert 2020 <= s.date_fermeture.year <= 2025
        assert s.annee_creation <= s.date_premier_agrement.year


@pytest.mark.slow
def test_the_current_agrement_lasts_four_years_most_often(actives):
    cs = [s for s in actives if s.type == "CS"]
    quatre_ans = part(cs, lambda s: (s.agrements[-1].date_fin - s.agrements[-1].date_debut).days > 3 * 366)
    assert quatre_ans == pytest.approx(0.75, abs=0.05)


@pytest.mark.slow
def test_first_agrement_dates_follow_the_calibration(actives):
    cs = [s.date_premier_agrement.year for s in actives if s.type == "CS"]
    assert part(cs, lambda a: a <= 1990) == pytest.approx(0.30, abs=0.04)
    assert part(cs, lambda a: 1991 <= a <= 2010) == pytest.approx(0.30, abs=0.04)
    evs = [s.date_premier_agrement.year for s in actives if s.type == "EVS"]
    assert part(evs, lambda a: a < 2010) == pytest.approx(0.18, abs=0.04)


@pytest.mark.slow
def test_the_register_grows_and_closes_like_the_calibration(demo):
    def attendues(type_structure, annee):
        return sum(1 for s in demo.structures if s.type == type_structure and s.est_attendue(annee))

    for type_structure, bas, haut in (("CS", 0.003, 0.015), ("EVS", 0.045, 0.07)):
        croissance = (attendues(type_structure, 2024) / attendues(type_structure, 2020)) ** (1 / 4) - 1
        assert bas <= croissance <= haut, (type_structure, croissance)
    fermetures = Counter(s.date_fermeture.year for s in demo.structures if s.date_fermeture)
    assert set(fermetures) == set(range(2020, 2026))
    assert all(30 <= n <= 50 for n in fermetures.values())  # ≈ 1 % par an
    creations = Counter(s.date_premier_agrement.year for s in demo.structures)
    assert all(creations[a] >= 110 for a in range(2020, 2026))  # ≈ 41 CS et 80 à 105 EVS


# --- Zones -----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_zones_cover_every_structure_of_their_department_exactly_once(demo):
    par_departement = defaultdict(list)
    for z in demo.zones:
        par_departement[z.departement].append(z)
    assert len(par_departement) >= 3
    assert len(par_departement["69"]) == 4
    codes = [z.code for z in demo.zones]
    assert len(set(codes)) == len(codes)
    for dep, zones in par_departement.items():
        assert sum(z.est_reste for z in zones) <= 1
        assert all(z.code.startswith(f"{dep}-Z") for z in zones)
        codes_dep = {z.code for z in zones}
        for s in demo.structures:
            if s.departement == dep:
                assert s.zone in codes_dep
    for s in demo.structures:
        if s.departement not in par_departement:
            assert s.zone is None
    utilisees = Counter(s.zone for s in demo.structures if s.zone)
    assert all(utilisees[z.code] > 0 for z in demo.zones)


# --- Campagnes et réponses ---------------------------------------------------------------------------------


def test_there_are_five_archived_campaigns_and_one_in_entry(petit):
    phases = {c.annee: c.phase for c in petit.campagnes}
    assert phases == {
        2021: "archivee",
        2022: "archivee",
        2023: "archivee",
        2024: "archivee",
        2025: "archivee",
        2026: "saisie",
    }
    for c in petit.campagnes:
        assert c.annee_donnees == c.annee - 1
        dates = [
            c.date_ouverture_saisie,
            c.date_fin_saisie,
            c.date_fin_controle,
            c.date_fin_analyse,
            c.date_publication,
        ]
        assert dates == sorted(dates)
        assert c.changements[0].ancienne_phase == "preparation"
        assert c.changements[-1].nouvelle_phase == c.phase
        moments = [ch.le for ch in c.changements]
        assert moments == sorted(moments)
        if c.phase == "archivee":
            assert c.date_ouverture_saisie.year == c.annee and 2 <= c.date_ouverture_saisie.month <= 4
    en_cours = next(c for c in petit.campagnes if c.annee == 2026)
    assert (en_cours.date_ouverture_saisie, en_cours.date_fin_saisie) == (
        datetime.date(2026, 10, 1),
        datetime.date(2027, 1, 31),
    )
    assert [c.version_questionnaire for c in petit.campagnes] == ["2021", "2022", "2023", "2024", "2025", "2026"]


@pytest.mark.slow
def test_past_campaigns_have_about_90_percent_of_cs_and_80_percent_of_evs(demo):
    reponses = defaultdict(set)
    for r in demo.reponses:
        reponses[r.campagne].add(r.structure)
        if r.campagne < 2026:
            assert r.statut == "validee" and r.soumise_le and r.validee_le
            assert r.commencee_le <= r.soumise_le < r.validee_le
    for c in demo.campagnes:
        if c.phase != "archivee":
            continue
        attendues_annee = {s.identifiant for s in demo.structures if s.est_attendue(c.annee_donnees)}
        assert reponses[c.annee] <= attendues_annee
        for type_structure, cible in (("CS", 0.90), ("EVS", 0.80)):
            attendues = [s for s in demo.structures if s.type == type_structure and s.est_attendue(c.annee_donnees)]
            taux = part(attendues, lambda s, a=c.annee: s.identifiant in reponses[a])
            assert taux == pytest.approx(cible, abs=0.03), (c.annee, type_structure)


@pytest.mark.slow
def test_about_40_percent_of_expected_structures_have_started_2026(demo):
    attendues = [s for s in demo.structures if s.est_attendue(2025)]
    commencees = [r for r in demo.reponses if r.campagne == 2026]
    assert len(commencees) / len(attendues) == pytest.approx(0.40, abs=0.05)
    statuts = Counter(r.statut for r in commencees)
    assert set(statuts) == {"brouillon", "soumise"}
    assert statuts["brouillon"] > statuts["soumise"] > 0
    for r in commencees:
        if r.statut == "soumise":
            assert r.soumise_le and not r.validee_le and r.instantane
            assert {"A01", "A08", "A15", "A26"} <= set(r.valeurs)
        else:
            assert r.soumise_le is None and r.instantane == {}
            assert "A01" in r.valeurs  # brouillon : début du questionnaire, jamais jusqu'aux sections I et J
            assert not [code for code in r.valeurs if code[0] in "IJ"]
        assert datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC) <= r.commencee_le <= r.modifiee_le


@pytest.mark.slow
def test_identity_answers_have_the_expected_types(demo):
    for r in demo.reponses[:3000]:
        v = {code: valeur for code, valeur in r.valeurs.items() if code in CODES_IDENTITE}
        assert "A14" not in r.valeurs  # un intitulé : les axes se saisissent en A14A à A14E
        for code in ("A01", "A02", "A03", "A04", "A05", "A06", "A08"):
            if code in v:
                assert isinstance(v[code], str)
        for code in ("A09", "A10", "A11"):
            if code in v:
                datetime.date.fromisoformat(v[code])
        for code in ("A19", "A21", "A22", "A23", "A26"):
            if code in v:
                assert isinstance(v[code], bool)
        for code in ("A12", "A24", "A25"):
            if code in v:
                assert isinstance(v[code], int) and not isinstance(v[code], bool)
        for code, choix in CHOIX.items():
            if code in v:
                assert v[code] in choix
        axes = [v[c] for c in CODES_AXES if c in v]
        assert 2 <= len(axes) <= 4 and all(isinstance(a, str) and a for a in axes)
        assert [c for c in CODES_AXES if c in v] == list(CODES_AXES[: len(axes)])
        if r.instantane:
            assert set(r.instantane) == {
                "type", "departement", "region", "zone", "mode_gestion", "type_territoire",
                "geographie_prioritaire", "gestionnaire",
            }  # fmt: skip


@pytest.mark.slow
def test_identity_answers_are_consistent_from_year_to_year(demo):
    structures = {s.identifiant: s for s in demo.structures}
    # Les dates d'agrément interverties exprès (anomalies injectées) sont à part.
    interverties = {(a.campagne, a.structure) for a in demo.anomalies_injectees if "A10" in a.questions}
    par_structure = defaultdict(dict)
    for r in demo.reponses:
        if r.statut != "brouillon" and (r.campagne, r.structure) not in interverties:
            par_structure[r.structure][r.campagne] = r
    stables = [c for c in CODES_IDENTITE if c not in {"A10", "A11", "A12", *CODES_AXES}]
    verifiees = 0
    for identifiant, reponses in par_structure.items():
        s = structures[identifiant]
        annees = sorted(reponses)
        for avant, apres in zip(annees, annees[1:], strict=False):
            a, b = reponses[avant].valeurs, reponses[apres].valeurs
            assert {c: a.get(c) for c in stables} == {c: b.get(c) for c in stables}
            assert abs(a["A12"] - b["A12"]) <= 0.02 * b["A12"] * (apres - avant) + 1
            assert a["A10"] <= b["A10"]
            verifiees += 1
        for annee, r in reponses.items():  # l'agrément déclaré est celui de l'historique
            debut, fin = datetime.date.fromisoformat(r.valeurs["A10"]), datetime.date.fromisoformat(r.valeurs["A11"])
            assert any(p.date_debut == debut and p.date_fin == fin for p in s.agrements)
            assert debut <= datetime.date(annee - 1, 12, 31) and fin >= datetime.date(annee - 1, 1, 1)
        derniere = reponses[annees[-1]].valeurs
        if annees[-1] == 2026:  # la campagne la plus récente vaut le registre actuel
            assert (derniere["A01"], derniere["A08"], derniere["A12"], derniere["A15"]) == (
                s.nom,
                s.siret,
                s.population_zone,
                s.mode_gestion,
            )
    assert verifiees > 10_000


# --- Comptes -----------------------------------------------------------------------------------------------


def test_there_is_a_demo_account_for_every_role(petit):
    roles = {m.role for u in petit.utilisateurs for m in u.mandats}
    assert roles == {r.value for r in Role}
    adresses = {u.email for u in petit.utilisateurs}
    assert {
        "structure.69@demo.senacs.fr", "structure.01@demo.senacs.fr", "structure.48@demo.senacs.fr",
        "correspondant.caf.69@demo.senacs.fr", "correspondant.federation.69@demo.senacs.fr",
        "correspondant.01@demo.senacs.fr", "correspondant.region.84@demo.senacs.fr", "copil.caf.69@demo.senacs.fr",
        "copil.federation.69@demo.senacs.fr", "preparateur.69@demo.senacs.fr", "invite.69@demo.senacs.fr",
        "copil.region.84@demo.senacs.fr", "national@demo.senacs.fr", "admin@demo.senacs.fr",
        "ancien.correspondant.69@demo.senacs.fr",
    } <= adresses  # fmt: skip
    assert len({(u.prenom, u.nom) for u in petit.utilisateurs}) == len(petit.utilisateurs)
    admin = next(u for u in petit.utilisateurs if u.email == "admin@demo.senacs.fr")
    assert admin.is_staff and admin.is_superuser
    assert sum(u.is_staff for u in petit.utilisateurs) == 1


def test_only_the_former_correspondent_has_an_expired_mandate(petit):
    for u in petit.utilisateurs:
        for m in u.mandats:
            assert m.date_debut == datetime.date(2020, 1, 1)
            if u.email.startswith("ancien."):
                assert m.date_fin is not None and m.date_fin.year == 2024
            else:
                assert m.date_fin is None


def test_structure_accounts_have_a_2026_draft_in_their_department(petit):
    structures = {s.identifiant: s for s in petit.structures}
    brouillons = {r.structure: r for r in petit.reponses if r.campagne == 2026}
    for u in petit.utilisateurs:
        m = u.mandats[0]
        if m.role != "structure":
            continue
        s = structures[m.structure]
        assert s.active and s.departement == u.email.split("@")[0].split(".")[-1]
        assert brouillons[s.identifiant].statut == "brouillon"
        assert brouillons[s.identifiant].modifiee_par == u.email
