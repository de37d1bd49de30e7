"""L'export XLSForm a dans ODK et Kobo le sens qu'il a dans SENACS.

Le questionnaire 2025 (et 2026) est exporté, converti en XForm par pyxform (comme le font Kobo et
ODK Central), puis chaque condition du XForm (``relevant``, ``required``, ``constraint``,
``calculate``) est évaluée par un évaluateur XPath écrit pour le test (``tests/core/xpath_odk.py``,
règles de typage de JavaRosa) sur des centaines de réponses tirées au hasard, et comparée à ce que
l'évaluateur du projet décide pour la même question : pertinence (variante CS/EVS et département
compris), obligation, bornes et contrainte, valeur calculée. Seules les valeurs que SENACS connaît
sont comparées (une condition « inconnue » faute de réponse est, dans ODK, fausse) ; chaque condition
doit avoir été comparée sur des réponses où elle vaut vrai et sur d'autres où elle vaut faux.
"""

import datetime
import random
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from pyxform.xls2xform import convert

from core.questionnaire.definition import charger
from core.questionnaire.evaluation import _booleen, plan
from core.questionnaire.expressions import analyser
from core.questionnaire.odk import QUESTION_PUBLIC
from core.questionnaire.xlsform import exporter, importer
from tests.core import xpath_odk

pytestmark = pytest.mark.no_django_db

DOSSIER = Path(__file__).resolve().parents[2] / "questionnaires"
TIRAGES = 400
# Conditions que SENACS ne peut jamais trouver fausses : « count-selected(${I02}) > 0 » (une liste de
# choix vide est une réponse absente, la condition est alors inconnue).
TOUJOURS_VRAIES = {2026: {"I08.relevant": {True}}}
XF = "{http://www.w3.org/2002/xforms}"


def binds(xform: str) -> dict[str, dict[str, str]]:
    racine = ET.fromstring(xform)
    resultat = {}
    for bind in racine.iter(f"{XF}bind"):
        nom = bind.get("nodeset").rsplit("/", 1)[1]
        resultat[nom] = {cle.split("}")[-1]: valeur for cle, valeur in bind.attrib.items()}
    return resultat


def tirer(questionnaire, rng: random.Random) -> dict:
    valeurs = {}
    for q in questionnaire.questions():
        if not q.saisie or rng.random() < 0.15:
            continue
        t = q.type
        if t == "entier":
            v = rng.choice([0, 1, 2, 3, 5, 12, 40, 365, 366, 1500, 1899, 1975, 2024, 2030, -1])
        elif t in ("decimal", "euros"):
            v = rng.choice(["0", "0.5", "12.25", "84", "85", "100", "1607", "8035.5", "250000", "-3"])
        elif t == "pourcentage":
            v = rng.choice(["0", "12.5", "50", "100", "101", "-1"])
        elif t == "oui_non":
            v = rng.choice([True, False])
        elif t == "choix_unique":
            codes = [c.code for c in questionnaire.choix(q.code)]
            v = rng.choice(codes[:3] + ["69", "13"] if q.liste == "departements" else codes)
        elif t == "choix_multiple":
            codes = [c.code for c in questionnaire.choix(q.code)]
            v = rng.sample(codes, k=rng.randint(1, min(len(codes), 7)))
        elif t == "date":
            v = (datetime.date(1945, 1, 1) + datetime.timedelta(days=rng.randint(0, 30000))).isoformat()
        elif t == "email":
            v = rng.choice(["accueil@centre.fr", "pas-une-adresse"])
        elif t == "url":
            v = rng.choice(["https://centre.fr", "centre"])
        else:
            v = rng.choice(["69004", "2A004", "12345678901234", "1234567890123", "abc", "690045"])
        valeurs[q.code] = v
    return valeurs


def texte_odk(valeur) -> str:
    """La réponse telle qu'ODK la stocke dans l'instance."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, list):
        return " ".join(valeur)
    return str(valeur)


def ecart(senacs, odk) -> bool:
    if isinstance(senacs, Decimal):
        x = xpath_odk.nombre(odk)
        return not abs(float(senacs) - x) <= 1e-6 * max(1.0, abs(x))
    return xpath_odk.texte(odk) != str(senacs)


@pytest.mark.parametrize("annee", (2025, 2026))
def test_every_condition_of_the_converted_xform_agrees_with_the_project_evaluator(tmp_path, annee):
    questionnaire = charger(DOSSIER / f"{annee}.yaml")
    chemin = exporter(questionnaire, tmp_path / f"senacs-{annee}.xlsx")
    assert importer(chemin) == questionnaire  # l'export traduit relit exactement le questionnaire
    resultat = convert(str(chemin))
    assert resultat.warnings == []
    liaisons = binds(resultat.xform)
    types_odk = {nom: b.get("type", "string") for nom, b in liaisons.items()}
    p = plan(questionnaire)
    departement = next(q.code for q in questionnaire.questions() if q.liste == "departements")
    arbres = {
        (nom, attribut): xpath_odk.analyser(texte)
        for nom, b in liaisons.items()
        for attribut, texte in b.items()
        if attribut in ("relevant", "required", "constraint", "calculate")
    }
    constantes = {cle for cle in arbres if liaisons[cle[0]][cle[1]] in ("true()", "false()")}
    vus: dict[tuple[str, str], set] = {cle: set() for cle in arbres if cle[0] in questionnaire}
    desaccords: list[str] = []
    rng = random.Random(annee)
    aujourd_hui = datetime.date.today()
    for _ in range(TIRAGES):
        public = rng.choice(["CS", "EVS"])
        brutes = tirer(questionnaire, rng)
        normales, illisibles = p.normaliser(brutes)
        odk = {code: texte_odk(v) for code, v in brutes.items()}
        odk[QUESTION_PUBLIC] = public
        ctx = xpath_odk.Contexte(odk, types_odk, aujourd_hui)
        # calculs, dans l'ordre de SENACS, de part et d'autre
        for code, expression in p.calculs:
            attendu = expression.evaluer(normales)
            obtenu = xpath_odk.evaluer(arbres[(code, "calculate")], ctx)
            odk[code] = xpath_odk.texte(obtenu) if not (isinstance(obtenu, float) and obtenu != obtenu) else ""
            if attendu is not None:
                normales[code] = attendu
                vus[(code, "calculate")].add(True)
                if ecart(attendu, obtenu):
                    desaccords.append(f"calcul {code} : SENACS {attendu}, ODK {obtenu} ({brutes})")
        dept = brutes.get(departement)
        for (code, attribut), arbre in arbres.items():
            if code not in questionnaire:
                continue
            q = questionnaire.question(code)
            if attribut == "relevant":
                if public not in q.publics or (q.departements and dept not in q.departements):
                    attendu = False
                else:
                    attendu = _booleen(analyser(q.pertinence).evaluer(normales)) if q.pertinence else True
            elif attribut == "required":
                attendu = q.obligatoire and public not in q.facultatif_pour
            elif attribut == "constraint":
                if code not in brutes or code in illisibles:
                    continue  # ODK ne contrôle pas une réponse vide
                valeur = normales[code]
                compilee = p.questions[code]
                dans_bornes = (compilee.minimum is None or valeur >= compilee.minimum) and (
                    compilee.maximum is None or valeur <= compilee.maximum
                )
                contrainte = (
                    _booleen(compilee.contrainte.evaluer(normales, courant=valeur)) if compilee.contrainte else True
                )
                attendu = False if not dans_bornes else contrainte
            else:
                continue
            if attendu is None:
                continue
            obtenu = xpath_odk.booleen(xpath_odk.evaluer(arbre, ctx, courant=code))
            vus[(code, attribut)].add(attendu)
            if obtenu != attendu:
                desaccords.append(
                    f"{attribut} de {code} « {liaisons[code][attribut]} » : SENACS {attendu}, ODK {obtenu} "
                    f"(public {public}, réponses {brutes})"
                )
    assert desaccords == [], f"{len(desaccords)} désaccords, dont :\n" + "\n".join(desaccords[:5])
    conditions = [cle for cle in vus if cle[1] != "calculate"]
    assert len(conditions) > 60
    jamais_les_deux = {
        f"{code}.{attribut}": v
        for (code, attribut), v in vus.items()
        if len(v) < 2 and attribut != "calculate" and (code, attribut) not in constantes
    }
    assert all(vus[cle] for cle in constantes if cle in vus)  # obligations constantes comparées aussi
    assert jamais_les_deux == TOUJOURS_VRAIES.get(annee, {})
    assert all(vus[(code, "calculate")] for code, _ in p.calculs)


def test_yes_no_conditions_are_exported_as_choice_values(tmp_path):
    """Le défaut de la première version : ``${A22} = true()`` exporté tel quel est vrai, dans ODK,
    pour « oui » comme pour « non »."""
    questionnaire = charger(DOSSIER / "2026.yaml")
    liaisons = binds(convert(str(exporter(questionnaire, tmp_path / "f.xlsx"))).xform)
    conditions = [b["relevant"] for b in liaisons.values() if "relevant" in b]
    assert not any("true()" in c for c in conditions)
    arbre = xpath_odk.analyser(liaisons["A24"]["relevant"])
    for reponse, attendu in (("oui", True), ("non", False), ("", False)):
        ctx = xpath_odk.Contexte({"A22": reponse}, {}, datetime.date.today())
        assert xpath_odk.evaluer(arbre, ctx) is attendu
