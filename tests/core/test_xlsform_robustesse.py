"""Un classeur, même mal formé, est accepté ou refusé avec des erreurs en français : jamais une trace."""

import random

import pytest

from core.questionnaire.xlsform import ErreurXLSForm, importer
from tests.core.classeurs import ecrire_classeur

pytestmark = pytest.mark.no_django_db

TYPES = [
    "integer",
    "decimal",
    "text",
    "date",
    "note",
    "calculate",
    "select_one l",
    "select one l",
    "select_multiple l",
    "select_one l or_other",
    "select_one absente",
    "begin_group",
    "begin group",
    "end_group",
    "end group",
    "begin_repeat",
    "end_repeat",
    "geopoint",
    "Integer",
    "select_one",
    "start",
    "",
    "range",
    "acknowledge",
]
NOMS = ["a", "b", "c", "A01", "nb_jeunes", "", "1x", "mon nom", "g", "h", "a", "x-y", "é_té"]
EXPRESSIONS = [
    "",
    "${a} > 0",
    ". >= 0",
    "${b} = 'x'",
    "${zz} = 1",
    "today()",
    "pulldata('a')",
    "${a} +",
    "selected(${c}, 'x')",
    "if(${a} > 1, 2, 3)",
    "/data/a = 1",
    "concat(${a}, 'x')",
    "yes",
    "int(${b}) mod 2 = 0",
    "${a",
]
ENTETE = ["type", "name", "label", "required", "relevant", "constraint", "calculation", "choice_filter", "senacs_code"]


@pytest.mark.parametrize("graine", range(60))
def test_random_forms_are_accepted_or_refused_in_french(tmp_path, graine):
    rng = random.Random(graine)
    lignes = [ENTETE]
    for _ in range(rng.randint(1, 12)):
        lignes.append(
            [
                rng.choice(TYPES),
                rng.choice(NOMS),
                rng.choice(["Libellé", "", "Autre"]),
                rng.choice(["", "yes", "TRUE", "peut-être", "${a} > 0"]),
                rng.choice(EXPRESSIONS),
                rng.choice(EXPRESSIONS),
                rng.choice(EXPRESSIONS),
                rng.choice(["", "", "", "f = ${a}", "inconnue = 1"]),
                rng.choice(["", "", "", "E01", "b"]),
            ]
        )
    choix = [["list_name", "name", "label", "f"], ["l", "x", "X", "1"], ["l", "y", rng.choice(["Y", ""]), "2"]]
    feuilles = {"survey": lignes, "choices": choix}
    if rng.random() < 0.5:
        feuilles["settings"] = [["form_title", "version"], ["Formulaire", rng.choice(["2027", "v1", ""])]]
    chemin = ecrire_classeur(tmp_path / "f.xlsx", **feuilles)
    try:
        importer(chemin, campagne=rng.choice([None, 2027]))
    except ErreurXLSForm as exc:
        assert exc.erreurs
        for erreur in exc.erreurs:
            assert erreur.startswith(("Feuille « ", "Le classeur", "Le fichier", "Question ")), erreur
            assert "Traceback" not in erreur
