"""docs/controles.md est complet et à jour : règles de tous les questionnaires, détecteurs, réglages.

En cas d'échec : ``.venv/bin/python -m core.controles.documentation`` régénère les sections."""

import dataclasses
from pathlib import Path

from core.controles.detecteurs import DETECTEURS
from core.controles.documentation import DOC, SECTIONS, sections_du_document
from core.controles.reglages import Seuils
from core.questionnaire.definition import charger

TEXTE = DOC.read_text(encoding="utf-8")


def test_the_generated_sections_are_up_to_date():
    sections = sections_du_document(TEXTE)
    assert set(sections) == set(SECTIONS)
    for nom, fonction in SECTIONS.items():
        assert sections[nom] == fonction(), f"section « {nom} » périmée : python -m core.controles.documentation"


def test_every_rule_of_every_questionnaire_is_documented():
    tableau = sections_du_document(TEXTE)["regles"]
    for chemin in sorted(Path("questionnaires").glob("*.yaml")):
        for regle in charger(chemin).regles:
            assert f"| {regle.code} | {regle.gravite} |" in tableau, (chemin.name, regle.code)


def test_every_detector_and_setting_is_documented():
    for code in DETECTEURS:
        assert f"| {code} |" in TEXTE
    for f in dataclasses.fields(Seuils):
        assert f"`{f.name}`" in TEXTE
    for r in Seuils().ratios:
        assert f"`{r.code}`" in TEXTE
    for reglage in ("SENACS_CONTROLES", "SENACS_DELAI_RELANCE_JOURS", "SENACS_DELAI_INTERPELLATION_JOURS"):
        assert reglage in TEXTE
