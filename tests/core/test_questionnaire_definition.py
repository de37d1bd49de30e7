import json
import pickle
from pathlib import Path

import pytest

from core.questionnaire.definition import (
    ErreurChargement,
    charger,
    charger_texte,
    depuis_dict,
    vers_dict,
    vers_yaml,
)
from core.questionnaire.modele import (
    Choix,
    Correspondance,
    Liste,
    Question,
    Questionnaire,
    Regle,
    Section,
    valider,
)

DOSSIER = Path(__file__).resolve().parents[2] / "questionnaires"
VERSIONS = (2021, 2022, 2023, 2024, 2025, 2026)


@pytest.fixture(scope="module")
def versions() -> dict[int, Questionnaire]:
    return {annee: charger(DOSSIER / f"{annee}.yaml") for annee in VERSIONS}


@pytest.fixture(scope="module")
def q2025(versions):
    return versions[2025]


# --------------------------------------------------------------------------- les fichiers du dépôt


@pytest.mark.parametrize("annee", VERSIONS)
def test_every_campaign_file_loads_and_validates_without_error(annee):
    questionnaire = charger(DOSSIER / f"{annee}.yaml")
    assert valider(questionnaire) == []
    assert questionnaire.version == str(annee)
    assert questionnaire.campagne == annee
    assert f"données {annee - 1}" in questionnaire.titre


@pytest.mark.parametrize("annee", (2025, 2026))
def test_current_versions_cover_sections_a_to_j_with_at_least_100_questions(versions, annee):
    questionnaire = versions[annee]
    assert [s.code for s in questionnaire.sections] == list("ABCDEFGHIJ")
    assert len(questionnaire.questions()) >= 100
    assert all(s.questions for s in questionnaire.sections)


@pytest.mark.parametrize("annee", (2025, 2026))
def test_current_versions_write_the_20_global_rules_of_the_reference(versions, annee):
    codes = [r.code for r in versions[annee].regles]
    for numero in range(1, 21):
        assert any(code.startswith(f"R{numero:02d}") for code in codes), f"R{numero:02d} manquante"
    regles = {r.code: r for r in versions[annee].regles}
    # R04 : deux niveaux ; R16 : comparaison avec l'an dernier ; R05 et R11 : calculs plus avertissements.
    assert regles["R04a"].gravite == "avertissement" and regles["R04b"].gravite == "bloquant"
    assert all("precedent(" in regles[c].expression for c in ("R16a", "R16b", "R16c", "R16d"))
    assert regles["R07c"].publics == ("EVS",) and regles["R17"].publics == ("EVS",)
    q = versions[annee]
    assert q.question("F05").type == "calcul" and q.question("F05").calcul == "${F04} - ${F02}"
    assert q.question("D05").type == "calcul" and "1607" in q.question("D05").calcul


def test_the_identity_block_is_the_prefilled_national_core(q2025):
    section = q2025.section("A")
    assert section.bloc == "noyau"
    assert all(q.identite for q in section.questions)
    assert not any(q.identite for s in q2025.sections[1:] for q in s.questions)
    assert q2025.question("A08").libelle == "Numéro SIRET"
    assert q2025.question("A08").obligatoire


def test_identity_choice_lists_use_the_codes_of_the_structure_register(q2025):
    attendus = {
        "A15": ["associatif", "collectivite", "intercommunalite", "caf", "cogestion", "autre"],
        "A16": ["urbain", "rural"],
        "A17": ["quartier", "quartiers", "commune", "communes", "intercommunalite"],
        "A18": ["qpv", "aupres_qpv", "non_concerne"],
        "A20": ["non", "fcs", "leo_lagrange", "ligue", "cco", "ifac", "mjc", "familles_rurales", "autre"],
    }
    for code, choix in attendus.items():
        assert [c.code for c in q2025.choix(code)] == choix, code
    assert q2025.question("A19").type == "oui_non"


def test_the_department_question_uses_the_generated_list_of_101_departments(q2025):
    choix = q2025.choix("A05")
    assert len(choix) == 101
    codes = {c.code for c in choix}
    assert {"01", "2A", "2B", "69", "971", "976"} <= codes
    assert Choix("69", "69 – Rhône") in choix
    # Le fichier YAML ne liste pas les départements : ils viennent du référentiel des territoires.
    assert "departements:" not in (DOSSIER / "2025.yaml").read_text(encoding="utf-8").split("sections:")[0]


def test_the_age_breakdown_is_a_percent_group_with_a_sum_rule(q2025):
    membres = [q for q in q2025.questions() if q.groupe == "H02"]
    assert [q.code for q in membres] == ["H02A", "H02B", "H02C", "H02D", "H02E", "H02F"]
    assert all(q.type == "pourcentage" and q.obligatoire for q in membres)
    assert q2025.question("H02").type == "note"
    r13 = next(r for r in q2025.regles if r.code == "R13")
    assert "sum(${H02A}" in r13.expression and "<= 1" in r13.expression
    assert r13.gravite == "bloquant"


def test_the_thematic_block_changes_every_year_and_its_codes_are_never_reused(versions):
    assert versions[2025].section("I").bloc == "thematique"
    assert "démocratie" in versions[2025].section("I").titre
    assert "écologie" in versions[2026].section("I").titre
    codes_par_annee = {a: {q.code for q in v.section("I").questions} for a, v in versions.items()}
    for a in VERSIONS:
        for b in VERSIONS:
            if a < b:
                assert not codes_par_annee[a] & codes_par_annee[b], (a, b)


def test_local_questions_exist_for_the_rhone(versions):
    for annee in (2025, 2026):
        section = versions[annee].section("J")
        assert section.bloc == "local"
        assert any("69" in q.departements for q in section.questions)
        assert all(q.departements for q in section.questions)


def test_the_core_codes_are_stable_across_campaigns(versions):
    def noyau(q):
        return {question.code for s in q.sections if s.bloc == "noyau" for question in s.questions}

    reference = noyau(versions[2025])
    for annee in VERSIONS:
        difference = reference ^ noyau(versions[annee])
        assert difference <= {"F07"}, (annee, difference)
    assert "F07" not in versions[2022] and "F07" in versions[2023]


def test_the_split_of_the_caf_funding_line_is_declared_so_that_trends_can_follow_it(versions):
    for annee in (2023, 2024, 2025, 2026):
        (correspondance,) = versions[annee].correspondance("F06")
        assert correspondance.ancien_code == "F06"
        assert correspondance.annee_depuis == 2023
        assert correspondance.formule == "sum(${F06}, ${F07})"
    assert "ACF" in versions[2022].question("F06").libelle
    assert not versions[2022].correspondances
    # Le zonage ZRR devenu FRR en 2024 est aussi déclaré.
    assert versions[2025].correspondance("A26")[0].annee_depuis == 2025
    assert "ZRR" in versions[2024].question("A26").libelle and "FRR" in versions[2025].question("A26").libelle


def test_most_questions_have_a_guide_text(q2025):
    saisies = [q for q in q2025.questions() if q.saisie and not q.groupe]
    avec_aide = [q for q in saisies if len(q.aide) > 20]
    assert len(avec_aide) / len(saisies) > 0.9
    assert "au 31 décembre" in q2025.question("E01").aide


# --------------------------------------------------------------------------- variantes CS / EVS


def test_cs_and_evs_variants_follow_the_evs_flags_of_the_reference(q2025):
    cs = q2025.pour_public("CS")
    evs = q2025.pour_public("EVS")
    propres_aux_cs = {"B05", "E11", "F06", "F07"}  # evs: drop
    assert propres_aux_cs <= set(cs.codes())
    assert not propres_aux_cs & set(evs.codes())
    assert set(evs.codes()) == set(cs.codes()) - propres_aux_cs
    # evs: adapt → posées aux deux, facultatives pour les EVS.
    for code in ("C04", "E10", "E12"):
        assert cs.question(code).obligatoire
        assert not evs.question(code).obligatoire
    assert evs.question("F08").type == "euros"
    assert {r.code for r in evs.regles} >= {"R07c", "R17"}
    assert not {"R07a", "R07b", "R08", "R17"} & {r.code for r in evs.regles} - {"R17"}
    assert "R17" not in {r.code for r in cs.regles}


def test_local_questions_only_reach_structures_of_their_department(q2025):
    assert "J01" not in q2025.pour_public("CS")
    assert {"J01", "J02"} <= set(q2025.pour_public("CS", "69").codes())
    assert "J03" not in q2025.pour_public("CS", "69")
    assert "J03" in q2025.pour_public("EVS", "13")
    assert "J" not in [s.code for s in q2025.pour_public("CS", "01").sections]


def test_variants_are_cached(q2025):
    assert q2025.pour_public("CS", "69") is q2025.pour_public("CS", "69")


# --------------------------------------------------------------------------- formes JSON et YAML


@pytest.mark.parametrize("annee", VERSIONS)
def test_the_json_form_round_trips_exactly(versions, annee):
    questionnaire = versions[annee]
    texte = json.dumps(vers_dict(questionnaire), ensure_ascii=False)
    assert depuis_dict(json.loads(texte)) == questionnaire


@pytest.mark.parametrize("annee", (2021, 2026))
def test_the_yaml_form_round_trips_exactly(versions, annee):
    assert charger_texte(vers_yaml(versions[annee])) == versions[annee]


def test_a_questionnaire_pickles_without_its_cache(q2025):
    q2025.pour_public("CS")
    copie = pickle.loads(pickle.dumps(q2025))
    assert copie == q2025
    assert copie._cache == {}


def test_a_yaml_file_can_be_minimal():
    questionnaire = charger_texte(
        """
version: '2026'
campagne: 2026
titre: Essai
sections:
  - code: A
    titre: Identification
    questions:
      - {code: A01, libelle: Nom, type: texte, obligatoire: true}
      - {code: A05, libelle: Département, type: choix_unique, liste: departements}
"""
    )
    assert questionnaire.question("A01").publics == ("CS", "EVS")
    assert questionnaire.section("A").bloc == "noyau"
    assert len(questionnaire.liste("departements")) == 101


@pytest.mark.parametrize(
    ("texte", "message"),
    [
        ("version: '1'\ncampagne: 2026\ntitre: x\nsections: []\nauteur: moi\n", "clé « auteur » inconnue"),
        ("version: '1'\nversion: '2'\n", "clé « version » en double"),
        ("version: [\n", "YAML illisible, ligne"),
        (
            "version: '1'\ncampagne: 2026\ntitre: x\nlistes:\n  l:\n    no: Non\nsections: []\n",
            "lu comme un booléen",
        ),
        (
            "version: '1'\ncampagne: 2026\ntitre: x\nsections:\n  - code: A\n    titre: T\n    questions:\n"
            "      - {code: A01, libelle: X, type: texte, obligatoire: oui}\n",
            "question A01, obligatoire : true ou false attendu",
        ),
        ("- 1\n- 2\n", "la définition doit être un dictionnaire"),
    ],
)
def test_the_loader_refuses_malformed_files_in_french(texte, message):
    with pytest.raises(ErreurChargement) as exc:
        charger_texte(texte)
    assert any(message in e for e in exc.value.erreurs), exc.value.erreurs


def test_loading_a_file_validates_it_and_names_the_file(tmp_path):
    chemin = tmp_path / "2030.yaml"
    chemin.write_text(
        "version: '2030'\ncampagne: 2030\ntitre: x\nsections:\n  - code: A\n    titre: T\n    questions:\n"
        "      - {code: A01, libelle: X, type: entier, pertinence: '${A99} > 0'}\n",
        encoding="utf-8",
    )
    with pytest.raises(ErreurChargement) as exc:
        charger(chemin)
    assert exc.value.erreurs == [
        "2030.yaml : Section A, question A01, champ « pertinence » : référence inconnue ${A99} dans « ${A99} > 0 »"
    ]
    assert charger(chemin, verifier=False).question("A01").pertinence == "${A99} > 0"


# --------------------------------------------------------------------------- valider()


def _questionnaire(*questions: Question, listes=(), regles=(), bloc="noyau", correspondances=()) -> Questionnaire:
    return Questionnaire(
        version="essai",
        campagne=2026,
        titre="Essai",
        sections=(Section("A", "Section A", bloc, tuple(questions)),),
        listes=tuple(listes),
        regles=tuple(regles),
        correspondances=tuple(correspondances),
    )


def _erreurs(questionnaire) -> list[str]:
    return [str(e) for e in valider(questionnaire)]


OUI_NON = Liste("choix", (Choix("a", "A"), Choix("b", "B")))


def test_a_small_valid_definition_has_no_error():
    q = _questionnaire(
        Question("A01", "Nombre", "entier", min=0, max=10, pertinence="${A02} = 'a'"),  # lit une question suivante
        Question("A02", "Choix", "choix_unique", liste="choix"),
        Question("A03", "Calcul", "calcul", calcul="${A01} * 2"),
        listes=[OUI_NON],
        regles=[Regle("R1", "${A03} <= 20", "avertissement", "A03 vaut {A03} ; précédent : {precedent:A01}")],
    )
    assert valider(q) == []


@pytest.mark.parametrize(
    ("questionnaire", "attendu"),
    [
        (
            _questionnaire(Question("A01", "X", "texte"), Question("A01", "Y", "texte")),
            "Section A, question A01 : code de question en double",
        ),
        (
            _questionnaire(Question("a1", "X", "texte")),
            "Section A, question a1, champ « code » : code « a1 » invalide : une lettre majuscule, deux chiffres",
        ),
        (
            _questionnaire(Question("A01", "X", "entier", contrainte=". < ${A09}")),
            "Section A, question A01, champ « contrainte » : référence inconnue ${A09} dans « . < ${A09} »",
        ),
        (
            _questionnaire(Question("A01", "X", "choix_unique", liste="inconnue")),
            "Section A, question A01, champ « liste » : liste de choix « inconnue » inconnue",
        ),
        (
            _questionnaire(Question("A01", "X", "choix_unique", liste="vide"), listes=[Liste("vide", ())]),
            "Liste « vide » : la liste de choix est vide",
        ),
        (
            _questionnaire(
                Question("A01", "X", "choix_multiple", liste="l"),
                listes=[Liste("l", (Choix("a", "A"), Choix("a", "Autre A")))],
            ),
            "Liste « l » : le code de choix « a » figure deux fois",
        ),
        (
            _questionnaire(Question("A01", "X", "entier", pertinence="${A01} >")),
            "Section A, question A01, champ « pertinence » : expression invalide « ${A01} > » : Expression incomplète",
        ),
        (
            _questionnaire(
                Question("A01", "X", "calcul", calcul="${A02} + 1"), Question("A02", "Y", "calcul", calcul="${A01}")
            ),
            "Section A, question A01, champ « calcul » : calculs en boucle : A01 → A02 → A01",
        ),
        (
            _questionnaire(Question("A01", "X", "geopoint")),
            "Section A, question A01, champ « type » : type « geopoint » inconnu (types possibles : texte,",
        ),
        (
            _questionnaire(Question("A01", "X", "texte", publics=("CS", "MJC"))),
            "Section A, question A01, champ « publics » : public « MJC » inconnu (publics possibles : CS, EVS)",
        ),
        (
            _questionnaire(Question("A01", "X", "entier", min=10, max=5)),
            "Section A, question A01, champ « min » : le minimum (10) dépasse le maximum (5)",
        ),
        (
            _questionnaire(Question("A01", "X", "date", min="2024-02-30")),
            "Section A, question A01, champ « min » : borne « 2024-02-30 » invalide : date attendue",
        ),
        (
            _questionnaire(Question("A01", "X", "texte", pertinence=". = 'a'")),
            "Section A, question A01, champ « pertinence » : « . » (la réponse elle-même) n'a de sens que dans une "
            "contrainte",
        ),
        (
            _questionnaire(Question("A01", "X", "texte"), regles=[Regle("R1", "${A01} = 'x'", "fatal", "Message")]),
            "Règle R1, champ « gravite » : gravité « fatal » inconnue (gravités possibles : bloquant, avertissement)",
        ),
        (
            _questionnaire(
                Question("A01", "X", "texte"), regles=[Regle("R1", "${A01} = 'x'", "bloquant", "Vu {A07}")]
            ),
            "Règle R1, champ « message » : le message cite {A07}, question inconnue",
        ),
        (
            _questionnaire(
                Question("A01", "X", "texte"), regles=[Regle("R1", "${A01} = 'x'", "bloquant", "Vu {a b}")]
            ),
            "Règle R1, champ « message » : repère « {a b} » non reconnu",
        ),
        (
            _questionnaire(Question("A01", "X", "texte"), bloc="local"),
            "Section A, question A01, champ « departements » : une question locale doit indiquer ses départements",
        ),
        (
            Questionnaire(
                version="v",
                campagne=2026,
                titre="t",
                sections=(Section("J", "Locales", "local", (Question("J01", "X", "texte", departements=("99",)),)),),
            ),
            "Section J, question J01, champ « departements » : département « 99 » inconnu",
        ),
        (
            _questionnaire(Question("A01", "X", "texte"), bloc="annuel"),
            "Section A, champ « bloc » : bloc « annuel » inconnu (blocs possibles : noyau, thematique, local)",
        ),
        (
            _questionnaire(
                Question("A01", "Titre", "note"),
                Question("A02", "X", "texte"),
                Question("A03", "Y", "pourcentage", groupe="A01"),
            ),
            "Section A, question A03, champ « groupe » : la question doit suivre immédiatement l'intitulé A01",
        ),
        (
            _questionnaire(
                Question("A01", "Réservée aux CS", "oui_non", publics=("CS",)),
                Question("A02", "Pour tous", "entier", pertinence="${A01} = true()"),
            ),
            "Section A, question A02, champ « pertinence » : l'expression lit A01, qui n'est pas posée "
            "aux espaces de vie sociale alors que A02 l'est",
        ),
        (
            _questionnaire(
                Question("A01", "X", "entier"),
                correspondances=[Correspondance("A01", "A00", 2030, formule="${A01} * 2")],
            ),
            "Question A01, champ « correspondances » : l'année du changement (2030) est postérieure à la campagne",
        ),
    ],
)
def test_validation_reports_each_kind_of_error_in_french_with_its_location(questionnaire, attendu):
    erreurs = _erreurs(questionnaire)
    assert any(e.startswith(attendu) for e in erreurs), erreurs


def test_validation_collects_every_error_not_just_the_first():
    q = _questionnaire(
        Question("A01", "X", "geopoint"),
        Question("A01", "Y", "entier", min=5, max=1),
        Question("A02", "Z", "choix_unique", liste="absente"),
        regles=[Regle("R1", "${B01} > 0", "bloquant", "m")],
    )
    erreurs = _erreurs(q)
    assert len(erreurs) >= 5
    assert any("référence inconnue ${B01}" in e for e in erreurs)


def test_sum_may_read_questions_asked_to_one_public_only():
    q = _questionnaire(
        Question("A01", "CS seulement", "euros", publics=("CS",)),
        Question("A02", "Tous", "euros"),
        Question("A03", "Total", "calcul", calcul="sum(${A01}, ${A02})"),
    )
    assert valider(q) == []
