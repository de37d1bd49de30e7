import datetime
from decimal import Decimal

import pytest

from core.formats import (
    ErreurSaisie,
    formater_date,
    formater_euros,
    formater_nombre,
    formater_pourcentage,
    lecture_a_confirmer,
    lire_date,
    lire_nombre,
)

NBSP = "\u00a0"


def test_it_formats_numbers_the_french_way():
    assert formater_nombre(1234.5) == f"1{NBSP}234,5"
    assert formater_nombre(1234567) == f"1{NBSP}234{NBSP}567"
    assert formater_nombre(Decimal("0.125"), 2) == "0,13"
    assert formater_nombre(-45000) == f"-45{NBSP}000"
    assert formater_nombre(12) == "12"
    assert formater_euros(45000) == f"45{NBSP}000{NBSP}€"
    assert formater_euros(1234.5, 1) == f"1{NBSP}234,5{NBSP}€"
    assert formater_pourcentage(12.54) == f"12,5{NBSP}%"
    assert formater_nombre(None) == ""


def test_it_formats_dates_the_french_way():
    assert formater_date(datetime.date(2026, 11, 29)) == "29/11/2026"
    assert formater_date("2026-01-05") == "05/01/2026"


@pytest.mark.parametrize(
    ("saisie", "attendu"),
    [
        ("1 234,56", Decimal("1234.56")),
        (f"1{NBSP}234,56", Decimal("1234.56")),
        ("1\u202f234", Decimal("1234")),
        ("12,5 %", Decimal("12.5")),
        ("45 000 €", Decimal("45000")),
        ("45000.00", Decimal("45000.00")),
        ("-5", Decimal("-5")),
        (",5", Decimal("0.5")),
        ("", None),
        ("  ", None),
    ],
)
def test_it_reads_french_number_input(saisie, attendu):
    assert lire_nombre(saisie) == attendu


@pytest.mark.parametrize("saisie", ["abc", "1e400", "12,3,4", "1 234,5 6x", "--5", "∞", "NaN", "1" * 16])
def test_it_refuses_what_is_not_a_number_with_a_french_message(saisie):
    with pytest.raises(ErreurSaisie) as exc:
        lire_nombre(saisie)
    assert "nombre" in exc.value.message.lower() or "chiffres" in exc.value.message


def test_it_checks_integers_and_bounds():
    with pytest.raises(ErreurSaisie, match="entier"):
        lire_nombre("2,5", entier=True)
    with pytest.raises(ErreurSaisie, match="supérieure ou égale à 0"):
        lire_nombre("-5", entier=True, minimum=0)
    assert lire_nombre("3", entier=True, minimum=0) == 3


def test_it_reads_french_and_iso_dates():
    assert lire_date("29/11/2026") == datetime.date(2026, 11, 29)
    assert lire_date("2026-11-29") == datetime.date(2026, 11, 29)
    assert lire_date("") is None
    with pytest.raises(ErreurSaisie, match="JJ/MM/AAAA"):
        lire_date("31/02/2026")


# --------------------------------------------------------------------------- lecteur de nombres à la française


@pytest.mark.parametrize(
    ("saisie", "attendu", "a_confirmer"),
    [
        ("12.000", Decimal("12000"), True),  # un point suivi de trois chiffres sépare les milliers
        ("12.000 €", Decimal("12000"), True),
        ("1.200", Decimal("1200"), True),
        ("1.234,56", Decimal("1234.56"), True),
        ("1.234.567", Decimal("1234567"), True),
        ("1.234.567,5", Decimal("1234567.5"), True),
        ("1,234.56", Decimal("1234.56"), True),  # tableur anglais : la dernière marque est décimale
        ("-1.500", Decimal("-1500"), True),
        ("12,000", Decimal("12.000"), True),  # virgule décimale, mais lecture à faire confirmer
        ("1 234,56", Decimal("1234.56"), False),
        ("12.5", Decimal("12.5"), False),
        ("0.500", Decimal("0.500"), False),  # « 0 » ne commence pas un groupe de milliers
        ("45000.00", Decimal("45000.00"), False),
        ("12345.678", Decimal("12345.678"), False),
        ("180 000,50", Decimal("180000.50"), False),
        ("12,5 %", Decimal("12.5"), False),
    ],
)
def test_it_reads_numbers_as_french_users_type_them(saisie, attendu, a_confirmer):
    assert lire_nombre(saisie) == attendu
    assert lecture_a_confirmer(saisie) is a_confirmer


def test_a_dot_thousands_separator_is_an_integer_not_a_decimal():
    assert lire_nombre("1.200", entier=True) == 1200
    assert lire_nombre("12.000", entier=True, minimum=0) == 12000
    with pytest.raises(ErreurSaisie, match="entier"):
        lire_nombre("1.5", entier=True)


@pytest.mark.parametrize("saisie", ["1.23.456", "12.5,3", "1.2345,6", "1,234,567", "12..000", "1.234.56"])
def test_it_refuses_badly_grouped_digits(saisie):
    with pytest.raises(ErreurSaisie, match="n'est pas un nombre"):
        lire_nombre(saisie)


def test_python_numbers_are_taken_as_they_are():
    assert lire_nombre(1.125) == Decimal("1.125")
    assert lire_nombre(Decimal("12.000")) == Decimal("12.000")
    assert lecture_a_confirmer(12.0) is False


def test_a_leading_zero_is_a_decimal_reading():
    assert lire_nombre("01.234") == Decimal("1.234")
    assert lecture_a_confirmer("01.234") is False
