"""Conversions de la saisie : texte du formulaire → valeur stockée → texte, à la française."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.questionnaire.definition import charger
from core.questionnaire.modele import Question
from core.questionnaire.saisie import (
    ErreurSaisie,
    differences,
    etat_saisie,
    formater,
    lire,
    nettoyer_texte,
    vers_formulaire,
)

NBSP = "\u00a0"


def q(type_, **kwargs):
    return Question(code="X01", libelle="Question", type=type_, **kwargs)


CHOIX = ("associatif", "collectivite", "caf")


@pytest.mark.parametrize(
    ("type_", "saisi", "attendu"),
    [
        ("entier", "1 234", 1234),
        ("entier", f"1{NBSP}234", 1234),
        ("entier", "-5", -5),
        ("entier", " 12 ", 12),
        ("decimal", "1 234,56", 1234.56),
        ("decimal", "0,125", 0.125),
        ("decimal", "12.5", 12.5),
        ("euros", "45 000 €", 45000),
        ("euros", "1 234,56 €", 1234.56),
        ("pourcentage", "12,5 %", 12.5),
        ("oui_non", "oui", True),
        ("oui_non", "Non", False),
        ("date", "29/11/2026", "2026-11-29"),
        ("date", "2026-11-29", "2026-11-29"),
        ("texte", "  Centre social  ", "Centre social"),
        ("email", " accueil@exemple.fr ", "accueil@exemple.fr"),
        ("url", "https://www.exemple.fr/page", "https://www.exemple.fr/page"),
        ("texte_long", "ligne 1\r\nligne 2", "ligne 1\nligne 2"),
    ],
)
def test_it_reads_french_input_into_the_stored_value(type_, saisi, attendu):
    valeur = lire(q(type_), saisi)
    assert valeur == attendu
    assert type(valeur) is type(attendu)


def test_it_reads_units_typed_after_a_number():
    assert lire(q("entier", unite="personnes"), "12 personnes") == 12
    assert lire(q("decimal", unite="ETP"), "0,5 ETP") == 0.5


@pytest.mark.parametrize("type_", ["entier", "decimal", "texte", "date", "oui_non", "choix_unique", "choix_multiple"])
def test_it_reads_an_empty_answer_as_none(type_):
    assert lire(q(type_), "   ", CHOIX) is None
    assert lire(q("choix_multiple"), [], CHOIX) is None


@pytest.mark.parametrize(
    ("type_", "saisi", "message"),
    [
        ("entier", "abc", "« abc » n'est pas un nombre"),
        ("entier", "1e400", "n'est pas un nombre"),
        ("decimal", "NaN", "n'est pas un nombre"),
        ("decimal", "Infinity", "n'est pas un nombre"),
        ("entier", "12,5", "nombre entier"),
        ("decimal", "12,3,4", "n'est pas un nombre"),
        ("euros", "10,005", "deux décimales"),
        ("euros", "9" * 16, "Nombre trop long"),
        ("oui_non", "peut-être", "« Oui » ou « Non »"),
        ("date", "31/02/2026", "n'est pas une date"),
        ("date", "01/01/0001", "n'est pas vraisemblable"),
        ("email", "accueil@", "adresse électronique valide"),
        ("url", "pas une adresse", "adresse web valide"),
        ("texte", "x" * 501, "500 caractères au plus"),
        ("texte_long", "x" * 10_000, f"5{NBSP}000 caractères au plus (votre texte en compte 10{NBSP}000)"),
    ],
)
def test_it_refuses_bad_input_with_a_french_message(type_, saisi, message):
    with pytest.raises(ErreurSaisie) as erreur:
        lire(q(type_), saisi)
    assert message in erreur.value.message


def test_it_validates_choices_against_the_list():
    assert lire(q("choix_unique"), "caf", CHOIX) == "caf"
    with pytest.raises(ErreurSaisie, match="ne fait pas partie des choix proposés"):
        lire(q("choix_unique"), "<script>", CHOIX)
    # Choix multiple : ordre de la liste, sans doublon.
    assert lire(q("choix_multiple"), ["caf", "associatif", "caf"], CHOIX) == ["associatif", "caf"]
    with pytest.raises(ErreurSaisie, match="« inconnu »"):
        lire(q("choix_multiple"), ["caf", "inconnu"], CHOIX)


def test_it_refuses_input_for_displayed_or_computed_questions():
    with pytest.raises(ErreurSaisie, match="ne se saisit pas"):
        lire(q("calcul"), "12")


def test_it_keeps_markup_as_plain_text_and_drops_control_characters():
    assert lire(q("texte"), "<script>alert(1)</script>") == "<script>alert(1)</script>"
    assert lire(q("texte"), "Isolement\x00 des\x07 aînés") == "Isolement des aînés"
    assert nettoyer_texte("e\u0301te\u0301\n") == "été"  # NFC


@pytest.mark.parametrize(
    ("type_", "valeur", "forme"),
    [
        ("entier", 1234, f"1{NBSP}234"),
        ("decimal", 0.125, "0,125"),
        ("decimal", 1234.5, f"1{NBSP}234,5"),
        ("euros", 45000, f"45{NBSP}000"),
        ("oui_non", True, "oui"),
        ("date", "2026-11-29", "29/11/2026"),
        ("choix_multiple", ["a", "b"], ["a", "b"]),
        ("texte", None, ""),
    ],
)
def test_it_gives_back_the_form_text_without_losing_precision(type_, valeur, forme):
    assert vers_formulaire(q(type_), valeur) == forme


def test_it_does_not_group_the_digits_of_a_year():
    assert vers_formulaire(q("entier", unite="année"), 1985) == "1985"
    assert formater(q("entier", unite="année"), 1985) == "1985"


@pytest.mark.parametrize(
    ("type_", "saisi", "attendu"),
    [
        ("euros", "12.000", 12000),
        ("euros", "12.000 €", 12000),
        ("euros", "1.234,56", 1234.56),
        ("euros", "180 000,50", 180000.5),
        ("entier", "1.200", 1200),
        ("entier", "1.234.567", 1234567),
        ("decimal", "1.234,5", 1234.5),
        ("decimal", "0.5", 0.5),
        ("pourcentage", "12,5 %", 12.5),
        ("pourcentage", "0.5", 0.5),
    ],
)
def test_a_dot_before_three_digits_is_read_as_thousands_in_every_numeric_type(type_, saisi, attendu):
    valeur = lire(q(type_), saisi)
    assert valeur == attendu and type(valeur) is type(attendu)


def test_euros_with_cents_keep_both_digits():
    assert vers_formulaire(q("euros"), 180000.5) == f"180{NBSP}000,50"
    assert formater(q("euros", unite="€"), 180000.5) == f"180{NBSP}000,50{NBSP}€"
    assert formater(q("euros", unite="€"), 45000) == f"45{NBSP}000{NBSP}€"
    assert lire(q("euros"), vers_formulaire(q("euros"), 180000.5)) == 180000.5


@pytest.mark.parametrize(
    ("question", "valeur", "texte"),
    [
        (q("euros"), 45000, f"45{NBSP}000{NBSP}€"),
        (q("euros"), 1234.56, f"1{NBSP}234,56{NBSP}€"),
        (q("pourcentage"), 12.5, f"12,5{NBSP}%"),
        (q("entier", unite="personnes"), 14, f"14{NBSP}personnes"),
        (q("decimal", unite="ETP"), 10.5, f"10,5{NBSP}ETP"),
        (q("oui_non"), False, "Non"),
        (q("date"), "2025-12-31", "31/12/2025"),
        (q("choix_unique"), "caf", "Caf (gestion directe)"),
        (q("choix_multiple"), ["caf", "associatif"], "Caf (gestion directe), Associatif"),
        (q("texte"), "", ""),
    ],
)
def test_it_formats_stored_values_for_reading(question, valeur, texte):
    libelles = {"caf": "Caf (gestion directe)", "associatif": "Associatif"}
    assert formater(question, valeur, libelles) == texte


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_a_decimal_survives_the_round_trip_through_the_form(nombre):
    question = q("decimal")
    stocke = lire(question, vers_formulaire(question, lire(question, str(nombre))))
    assert Decimal(repr(stocke)) == nombre.normalize() or Decimal(stocke) == nombre


@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_an_integer_survives_the_round_trip_through_the_form(nombre):
    question = q("entier")
    assert lire(question, vers_formulaire(question, nombre)) == nombre


@pytest.fixture(scope="module")
def variante():
    return charger("questionnaires/2026.yaml").pour_public("CS", "69")


def test_it_counts_answers_errors_and_missing_answers_per_section(variante):
    etat = etat_saisie(variante, {"E01": 10, "E02": 12.5, "E12": False})
    section_e = etat.section("E")
    assert section_e.repondues == 3
    assert section_e.pertinentes == 19  # E13 n'est plus posée (pas de référent famille)
    assert "E13" not in etat.pertinentes
    assert section_e.erreurs == 1  # R01
    assert section_e.manquantes == 1  # E10 obligatoire
    assert [a.code_regle for a in etat.par_question["E01"]] == ["R01"]


def test_it_lists_the_differences_between_two_deposits_in_questionnaire_order(variante):
    avant = {"E01": 14, "A19": True, "F02": 600000}
    apres = {"E01": 15, "A19": True, "F02": 600000, "B08": 220}
    changes = [(d.code, d.avant, d.apres) for d in differences(variante, avant, apres)]
    assert changes == [("B08", "", f"220{NBSP}jours"), ("E01", f"14{NBSP}personnes", f"15{NBSP}personnes")]
