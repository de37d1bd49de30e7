"""Réponses de démonstration (Python pur) : chaque réponse répond au questionnaire de sa campagne,
respecte ses règles quand elle est propre, et les anomalies injectées sont connues et signalées."""

import datetime
import math
import statistics
from collections import Counter, defaultdict
from decimal import Decimal

import numpy as np
import pytest

from core.demo.anomalies import TYPES, TYPES_BLOQUANTS
from core.demo.campagnes import CODES_IDENTITE
from core.demo.reponses import Variantes, calculs_rapides, empreinte_depot
from core.questionnaire.evaluation import anomalies, plan
from core.questionnaire.modele import TYPES_NOMBRE


def _contexte(donnees, questionnaires):
    variantes = Variantes(questionnaires)
    structures = {s.identifiant: s for s in donnees.structures}
    reponses = {(r.campagne, r.structure): r for r in donnees.reponses}
    injectees = {(a.campagne, a.structure): a for a in donnees.anomalies_injectees}
    return variantes, structures, reponses, injectees


def _precedentes(reponses, r):
    precedente = reponses.get((r.campagne - 1, r.structure))
    return precedente.valeurs if precedente is not None and precedente.statut != "brouillon" else None


@pytest.fixture(scope="module")
def evaluees(petit, questionnaires):
    """(réponse, anomalies trouvées par le questionnaire) pour toutes les réponses du petit jeu."""
    variantes, structures, reponses, _ = _contexte(petit, questionnaires)
    resultat = []
    for r in petit.reponses:
        s = structures[r.structure]
        trouvees = plan(variantes(r.campagne, s.type, s.departement)).anomalies(r.valeurs, _precedentes(reponses, r))
        resultat.append((r, trouvees))
    return resultat


def _propres(donnees):
    injectees = {(a.campagne, a.structure) for a in donnees.anomalies_injectees}
    return [r for r in donnees.reponses if (r.campagne, r.structure) not in injectees]


# --- Le questionnaire de chaque campagne ------------------------------------------------------------------


def test_every_response_answers_only_codes_of_its_questionnaire_variant(petit, questionnaires):
    variantes, structures, _, _ = _contexte(petit, questionnaires)
    for r in petit.reponses:
        s = structures[r.structure]
        variante = variantes(r.campagne, s.type, s.departement)
        questions = {q.code: q for q in variante.questions()}
        assert set(r.valeurs) <= set(questions), (r.campagne, r.structure, set(r.valeurs) - set(questions))
        for code, valeur in r.valeurs.items():
            q = questions[code]
            assert q.type != "note" and valeur is not None and valeur != [] and valeur != ""
            if q.type in TYPES_NOMBRE or q.type == "calcul":
                assert isinstance(valeur, int | float) and not isinstance(valeur, bool), (code, valeur)
                if q.type in ("entier", "euros", "pourcentage"):
                    assert isinstance(valeur, int), (code, valeur)
            elif q.type == "oui_non":
                assert isinstance(valeur, bool), (code, valeur)
            elif q.type == "choix_unique":
                assert valeur in questionnaires[r.campagne].libelles_choix(code), (code, valeur)
            elif q.type == "choix_multiple":
                permis = questionnaires[r.campagne].libelles_choix(code)
                assert isinstance(valeur, list) and valeur and set(valeur) <= set(permis), (code, valeur)
                assert len(set(valeur)) == len(valeur)
            elif q.type == "date":
                datetime.date.fromisoformat(valeur)
            else:
                assert isinstance(valeur, str)


def test_complete_responses_answer_every_required_relevant_question(evaluees):
    completes = [(r, a) for r, a in evaluees if r.statut != "brouillon"]
    assert len(completes) > 500
    for r, trouvees in completes:
        assert not [a.code_regle for a in trouvees if a.code_regle.endswith(".obligatoire")], (r.campagne, r.structure)
        assert len(r.valeurs) >= 110


def test_local_questions_go_only_to_their_departments(petit, questionnaires):
    structures = {s.identifiant: s.departement for s in petit.structures}
    rhone = [r for r in petit.reponses if structures[r.structure] == "69" and r.statut != "brouillon"]
    assert rhone and all("J01" in r.valeurs for r in rhone)
    for r in petit.reponses:
        departement = structures[r.structure]
        if "J01" in r.valeurs or "J02" in r.valeurs:
            assert departement == "69"
        if "J03" in r.valeurs:
            assert departement == "13" and r.campagne >= 2025
    assert any("J03" in r.valeurs for r in petit.reponses)


def test_earlier_campaigns_answer_their_own_version(petit, questionnaires):
    """Avant 2023, une seule ligne F06 = AGC + ACF (correspondance déclarée) ; module thématique de l'année."""
    structures = {s.identifiant: s for s in petit.structures}
    cs = defaultdict(list)
    for r in petit.reponses:
        if r.statut != "brouillon" and structures[r.structure].type == "CS":
            cs[r.campagne].append(r.valeurs)
    for annee in (2021, 2022):
        assert all("F07" not in v for v in cs[annee])
    for annee in (2023, 2024, 2025):
        assert sum("F07" in v for v in cs[annee]) / len(cs[annee]) == pytest.approx(0.84, abs=0.06)
        assert all(("F07" in v) == v["B05"] for v in cs[annee])
    # La série longue se suit avec la formule de la correspondance : l'ancien F06 vaut F06 + F07.
    ancien = statistics.median(v["F06"] for v in cs[2022])
    recent = statistics.median(v["F06"] + v.get("F07", 0) for v in cs[2023])
    assert recent == pytest.approx(ancien, rel=0.1)
    assert statistics.median(v["F06"] for v in cs[2023]) < 0.85 * ancien
    thematiques = {annee: {q.code for q in questionnaires[annee].section("I").questions} for annee in questionnaires}
    for r in petit.reponses:
        codes_i = {c for c in r.valeurs if c.startswith("I")}
        assert codes_i <= thematiques[r.campagne]
    assert any("I14" in r.valeurs for r in petit.reponses if r.campagne == 2021)


def test_computed_questions_take_their_computed_values(petit, questionnaires):
    variantes, structures, _, _ = _contexte(petit, questionnaires)
    lignes = [f"F{n:02d}" for n in range(6, 21)]
    for r in petit.reponses:
        v = r.valeurs
        if "F02" in v and "F04" in v:
            assert v["F05"] == v["F04"] - v["F02"]
        presentes = [v[c] for c in lignes if c in v]
        if presentes:
            assert v["F26"] == sum(presentes)
        if "D04" in v:
            assert v["D05"] == round(v["D04"] / 1607, 2)
        s = structures[r.structure]
        # L'évaluation accélérée rend exactement ce que rendent les formules du questionnaire.
        for code, expression in plan(variantes(r.campagne, s.type, s.departement)).calculs:
            attendu = expression.evaluer(v)
            assert (v.get(code) is None) == (attendu is None)
            if attendu is not None:
                assert Decimal(str(v[code])) == attendu, (code, v[code], attendu)
        for code, calcul in calculs_rapides(variantes(r.campagne, s.type, s.departement)):
            assert calcul(v) == v.get(code)


# --- Règles : réponses propres et anomalies injectées ------------------------------------------------------


def test_clean_responses_have_no_blocking_anomaly_and_few_warnings(evaluees, petit):
    """Seul un brouillon peut encore manquer de réponses obligatoires (il est incomplet par nature)."""
    injectees = {(a.campagne, a.structure) for a in petit.anomalies_injectees}
    propres = [
        (r, [a for a in trouvees if not (r.statut == "brouillon" and a.code_regle.endswith(".obligatoire"))])
        for r, trouvees in evaluees
        if (r.campagne, r.structure) not in injectees
    ]
    bloquantes = [(r.campagne, r.structure, a.code_regle) for r, trouvees in propres for a in trouvees if a.bloquante]
    assert not bloquantes
    completes = [trouvees for r, trouvees in propres if r.statut != "brouillon"]
    assert sum(1 for trouvees in completes if trouvees) / len(completes) < 0.10


def test_the_public_evaluation_function_agrees_with_the_shared_variants(petit, questionnaires):
    variantes, structures, reponses, _ = _contexte(petit, questionnaires)
    echantillon = [r for r in petit.reponses if structures[r.structure].departement in ("69", "13", "01")][:60]
    assert echantillon
    for r in echantillon:
        s = structures[r.structure]
        precedentes = _precedentes(reponses, r)
        publique = anomalies(
            questionnaires[r.campagne], r.valeurs, precedentes, public=s.type, departement=s.departement
        )
        partagee = plan(variantes(r.campagne, s.type, s.departement)).anomalies(r.valeurs, precedentes)
        assert publique == partagee


def test_injected_anomalies_are_flagged_by_their_rule(petit, questionnaires):
    variantes, structures, reponses, _ = _contexte(petit, questionnaires)
    assert {a.type for a in petit.anomalies_injectees} == set(TYPES)
    for a in petit.anomalies_injectees:
        r = reponses[(a.campagne, a.structure)]
        s = structures[a.structure]
        trouvees = {
            x.code_regle
            for x in plan(variantes(r.campagne, s.type, s.departement)).anomalies(r.valeurs, _precedentes(reponses, r))
        }
        assert a.regles and set(a.regles) <= trouvees, (a, trouvees)
        assert a.questions and all(code in r.valeurs or code in ("F04",) for code in a.questions)


@pytest.mark.slow
def test_about_3_percent_of_each_campaign_is_injected(demo):
    par_campagne = Counter(r.campagne for r in demo.reponses)
    injectees = Counter(a.campagne for a in demo.anomalies_injectees)
    assert set(injectees) == set(par_campagne)
    for annee, n in par_campagne.items():
        assert injectees[annee] / n == pytest.approx(0.03, abs=0.005), annee
    paires = [(a.campagne, a.structure) for a in demo.anomalies_injectees]
    assert len(set(paires)) == len(paires)
    avec_compte = {m.structure for u in demo.utilisateurs for m in u.mandats if m.structure}
    assert not {s for _, s in paires} & avec_compte
    statuts = {(r.campagne, r.structure): r.statut for r in demo.reponses}
    for a in demo.anomalies_injectees:
        if statuts[(a.campagne, a.structure)] == "soumise":  # déposée : rien de bloquant
            assert a.type not in TYPES_BLOQUANTS and "R10" not in a.regles
        if a.type == "saut_annuel":
            assert (a.campagne - 1, a.structure) in statuts


# --- Campagne en cours ---------------------------------------------------------------------------------------


def test_drafts_are_a_prefix_and_submitted_responses_are_deposited(petit, questionnaires):
    variantes, structures, reponses, injectees = _contexte(petit, questionnaires)
    en_cours = [r for r in petit.reponses if r.campagne == 2026]
    brouillons = [r for r in en_cours if r.statut == "brouillon"]
    soumises = [r for r in en_cours if r.statut == "soumise"]
    assert brouillons and soumises
    tailles = [len(r.valeurs) for r in brouillons]
    assert min(tailles) >= 3 and statistics.median(tailles) < 100 and max(tailles) > 60
    for r in brouillons:
        s = structures[r.structure]
        variante = variantes(r.campagne, s.type, s.departement)
        assert r.depot is None and not r.justifications and r.soumise_le is None
        assert "A01" in r.valeurs
        if r.pour_le_compte:
            continue
        # Les sections sont remplies dans l'ordre : celles qui précèdent la dernière commencée sont complètes.
        ordre = [section.code for section in variante.sections]
        commencees = {ordre.index(variante.section_de(code).code) for code in r.valeurs}
        assert commencees == set(range(max(commencees) + 1))
        manquantes = [
            a.questions[0]
            for a in plan(variante).anomalies(r.valeurs, _precedentes(reponses, r))
            if a.code_regle.endswith(".obligatoire")
        ]
        assert all(ordre.index(variante.section_de(code).code) >= max(commencees) for code in manquantes)
    for r in soumises:
        s = structures[r.structure]
        variante = variantes(r.campagne, s.type, s.departement)
        assert len(r.valeurs) > 110 and r.depot is not None
        d = r.depot
        saisies = {q.code for q in variante.questions() if q.saisie}
        assert d.numero == 1 and d.valeurs == {c: v for c, v in r.valeurs.items() if c in saisies}
        assert d.depose_le == r.soumise_le and d.organisme == s.nom and d.par == r.saisie_par
        trouvees = plan(variante).anomalies(r.valeurs, _precedentes(reponses, r))
        assert not [a for a in trouvees if a.bloquante]
        assert set(r.justifications) == {a.code_regle for a in trouvees}
        assert [x["code"] for x in d.avertissements] == [a.code_regle for a in trouvees]
        contenu = {
            "campagne": 2026,
            "questionnaire": "2026",
            "structure": s.identifiant,
            "numero": 1,
            "depose_le": d.depose_le.astimezone(datetime.UTC).isoformat(),
            "valeurs": d.valeurs,
            "avertissements": list(d.avertissements),
        }
        assert d.empreinte == empreinte_depot(contenu) and len(d.empreinte) == 64


def test_every_structure_that_started_2026_has_an_account_that_entered_its_answers(petit):
    demo = {m.structure: u.email for u in petit.utilisateurs for m in u.mandats if m.structure}
    comptes = {u.mandats[0].structure: u for u in petit.comptes_structures}
    assert not set(comptes) & set(demo)
    for r in petit.reponses:
        if r.campagne == 2026:
            attendu = demo.get(r.structure) or comptes[r.structure].email
            assert r.saisie_par == r.modifiee_par == attendu
        else:
            assert r.saisie_par == demo.get(r.structure)
    for u in petit.comptes_structures:
        assert u.email.startswith("saisie.") and u.email.endswith("@exemple-senacs.fr")
        assert u.mandats[0].role == "structure" and not u.is_staff


def test_the_rhone_demo_structure_has_answers_entered_on_its_behalf_by_the_caf(petit):
    rhone = next(m.structure for u in petit.utilisateurs for m in u.mandats if u.email.startswith("structure.69@"))
    r = next(r for r in petit.reponses if r.campagne == 2026 and r.structure == rhone)
    assert r.statut == "brouillon" and r.pour_le_compte is not None
    p = r.pour_le_compte
    assert p.par == "correspondant.caf.69@demo.senacs.fr" and p.organisme == "Caf – Rhône"
    assert {"F06", "F09"} <= set(p.codes) <= {"F06", "F07", "F09", "F10"}
    assert all(code in r.valeurs for code in p.codes)
    assert r.commencee_le < p.le < r.modifiee_le
    assert sum(1 for x in petit.reponses if x.pour_le_compte) == 1


# --- Calibrage, corrélations, stabilité ------------------------------------------------------------------------


@pytest.mark.slow
def test_calibrated_distributions(demo):
    structures = {s.identifiant: s for s in demo.structures}
    propres = [r for r in _propres(demo) if r.campagne == 2025]
    cs = [r.valeurs for r in propres if structures[r.structure].type == "CS"]
    evs = [r.valeurs for r in propres if structures[r.structure].type == "EVS"]
    assert statistics.median(v["F04"] for v in cs) == pytest.approx(500_000, rel=0.15)
    assert statistics.median(v["F04"] for v in evs) == pytest.approx(55_000, rel=0.15)
    assert statistics.median(v["E02"] / v["E01"] for v in cs) == pytest.approx(0.55, abs=0.04)
    assert statistics.median(v["E01"] for v in cs) == pytest.approx(20, abs=3)
    assert statistics.mean(v["E01"] for v in cs) == pytest.approx(27, abs=4)
    assert statistics.mean(v["F05"] < 0 for v in cs + evs) == pytest.approx(0.35, abs=0.05)
    assert statistics.mean(v["F03"] / v["F02"] for v in cs) == pytest.approx(0.70, abs=0.03)
    assert statistics.mean(v["E12"] for v in cs) == pytest.approx(0.92, abs=0.04)
    assert statistics.median(v["H01"] for v in cs) == pytest.approx(800, rel=0.15)
    assert statistics.median(v["H01"] for v in evs) == pytest.approx(200, rel=0.2)
    assert statistics.mean(v["D01"] for v in cs) == pytest.approx(32, rel=0.2)
    assert statistics.mean(v["D04"] / v["D03"] for v in cs) == pytest.approx(66, rel=0.15)
    assert statistics.mean(v["H20"] for v in cs) == pytest.approx(0.93, abs=0.04)
    assert statistics.mean(v["H18"] for v in evs) < statistics.mean(v["H18"] for v in cs) * 0.8
    assert statistics.mean(v["E01"] == 0 for v in evs) == pytest.approx(0.12, abs=0.05)
    # Financements : AGC et ACF plafonnées, ventilation par Dirichlet, lignes propres aux EVS.
    assert max(v["F06"] for v in cs) <= 80_000 and max(v.get("F07", 0) for v in cs) <= 28_000
    assert statistics.mean(v["F11"] / v["F04"] for v in cs) == pytest.approx(0.31, abs=0.04)
    for v in evs:
        assert "F06" not in v and "F07" not in v and v["F08"] > 0 and v["F04"] <= 400_000
    for v in cs:
        assert not v.get("F08")
        assert sum(v[k] for k in ("H02A", "H02B", "H02C", "H02D", "H02E", "H02F")) == 100


@pytest.mark.slow
def test_magnitudes_are_correlated_on_the_log_scale(demo):
    structures = {s.identifiant: s for s in demo.structures}
    cs = [r.valeurs for r in _propres(demo) if r.campagne == 2025 and structures[r.structure].type == "CS"]
    budget = np.log([v["F04"] for v in cs])

    def rho(code):
        return np.corrcoef(budget, np.log([v[code] for v in cs]))[0, 1]

    assert 0.7 <= rho("H01") <= 0.9
    assert 0.8 <= rho("E01") <= 0.97
    assert 0.8 <= rho("E02") <= 0.99
    assert 0.25 <= rho("D03") <= 0.55


@pytest.mark.slow
def test_answers_are_stable_from_year_to_year(demo):
    par_structure = defaultdict(dict)
    for r in _propres(demo):
        if r.statut != "brouillon":
            par_structure[r.structure][r.campagne] = r.valeurs
    ecarts, changements = [], []
    for reponses in par_structure.values():
        for annee, v in reponses.items():
            avant = reponses.get(annee - 1)
            if avant is None:
                continue
            ecarts.append(abs(math.log(v["F04"] / avant["F04"])))
            for code in ("H03", "H07", "H13", "H16", "H18", "H19", "H23", "B04", "G02", "E12"):
                if code in v and code in avant:
                    changements.append(v[code] != avant[code])
    assert len(ecarts) > 3000
    assert statistics.median(ecarts) == pytest.approx(0.055, abs=0.02)  # AR(1) : écart-type ≈ 0,08
    assert statistics.mean(ecarts) < 0.1
    assert statistics.mean(changements) < 0.1


# --- Déterminisme -----------------------------------------------------------------------------------------------


def test_identity_answers_are_kept(petit):
    structures = {s.identifiant: s for s in petit.structures}
    for r in petit.reponses:
        if r.campagne == 2026 and r.statut == "soumise":
            s = structures[r.structure]
            assert (r.valeurs["A01"], r.valeurs["A08"], r.valeurs["A15"]) == (s.nom, s.siret, s.mode_gestion)
            assert {c for c in CODES_IDENTITE if c in r.valeurs} >= {"A01", "A05", "A12", "A14A", "A26"}
