"""Correspondances de questions entre versions du questionnaire (fichier de données des analyses)."""

import re
from pathlib import Path

import pytest

from core.analyses.correspondances import ErreurCorrespondances, cle_variable, codes_pour, lire
from core.questionnaire.definition import charger

RACINE = Path(__file__).resolve().parents[2]
FICHIER = RACINE / "senacs" / "analyses" / "correspondances.yaml"


def table():
    return lire(FICHIER.read_text(encoding="utf-8"))


def test_a_split_question_maps_to_the_sum_of_its_parts_after_the_split():
    t = table()
    assert codes_pour(t, "ps_agc_acf", "F06", 2022)[0] == ("F06",)
    assert codes_pour(t, "ps_agc_acf", "F06", 2023)[0] == ("F06", "F07")
    assert codes_pour(t, "ps_agc_acf", "F06", 2026)[0] == ("F06", "F07")
    # Un indicateur déclaré pour lui-même passe avant sa question.
    assert codes_pour(t, "financements_caf", "F06", 2021)[0] == ("F06", "F08", "F09", "F10")
    assert codes_pour(t, "financements_caf", "F06", 2025)[0] == ("F06", "F07", "F08", "F09", "F10")
    # Sans déclaration : la question elle-même.
    assert codes_pour(t, "budget_total", "F04", 2021) == (("F04",), "")
    assert "ZRR" in codes_pour(t, "part_zonage_rural", "A26", 2024)[1]
    assert cle_variable(("F06", "F07")) == "F06+F07" and cle_variable(("H03",), "oui") == "H03=oui"


def test_every_correspondence_declared_in_the_questionnaires_is_followed():
    t = table()
    for chemin in sorted((RACINE / "questionnaires").glob("20*.yaml")):
        q = charger(chemin)
        for c in q.correspondances:
            assert c.code in t, f"{chemin.name} : correspondance {c.code} absente de correspondances.yaml"
            avant = codes_pour(t, c.code, c.code, c.annee_depuis - 1)[0]
            assert avant == (c.ancien_code,)
            if c.formule:
                codes = tuple(re.findall(r"\$\{(\w+)\}", c.formule))
                assert codes_pour(t, c.code, c.code, c.annee_depuis)[0] == codes


@pytest.mark.parametrize(
    "texte, message",
    [
        ("F06: []", "liste de versions"),
        ("F06:\n  - campagnes: [2020]\n    codes: [F06]", "campagnes"),
        ("F06:\n  - campagnes: [null, null]\n    codes: [f6]", "codes de questions invalides"),
        ("F06:\n  - campagnes: [2024, 2020]\n    codes: [F06]", "2024 > 2020"),
        (
            "F06:\n  - campagnes: [null, 2023]\n    codes: [F06]\n  - campagnes: [2023, null]\n    codes: [F07]",
            "mêmes campagnes",
        ),
    ],
)
def test_malformed_mappings_are_refused_in_french(texte, message):
    with pytest.raises(ErreurCorrespondances, match=message):
        lire(texte)
