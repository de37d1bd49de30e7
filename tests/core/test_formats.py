import datetime
from decimal import Decimal

import pytest

from core.formats import (
    ErreurSaisie,
    formater_date,
    formater_euros,
    formater_nombre,
    formater_pourcentage,
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
