"""Sections engendrées de ``docs/controles.md`` : règles des questionnaires, détecteurs et réglages.

La documentation ne se tient pas à la main : chaque section entre ``<!-- debut: NOM -->`` et
``<!-- fin: NOM -->`` est produite ici, et ``tests/core/test_controles_documentation.py`` vérifie
qu'elle est à jour. Pour la régénérer : ``.venv/bin/python -m core.controles.documentation``.
"""

import dataclasses
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from core.controles.detecteurs import DETECTEURS
from core.controles.reglages import Seuils
from core.questionnaire.definition import charger

RACINE = Path(__file__).resolve().parent.parent.parent
DOC = RACINE / "docs" / "controles.md"
QUESTIONNAIRES = RACINE / "questionnaires"
_SECTION = re.compile(r"(<!-- debut: (?P<nom>[a-z_]+) -->\n)(?P<corps>.*?)(<!-- fin: (?P=nom) -->)", re.DOTALL)


def _cellule(texte: str) -> str:
    return " ".join(str(texte).split()).replace("|", "\\|")


def _annees(annees: list[int]) -> str:
    """« 2021–2026 », « 2023–2026 », « 2021, 2023 »."""
    annees = sorted(annees)
    if annees == list(range(annees[0], annees[-1] + 1)) and len(annees) > 1:
        return f"{annees[0]}–{annees[-1]}"
    return ", ".join(str(a) for a in annees)


def section_regles(chemins: Iterable[Path] | None = None) -> str:
    """Toutes les règles de tous les questionnaires du dépôt : code, gravité, publics, questions,
    campagnes où elle existe, message (celui de la version la plus récente)."""
    chemins = sorted(chemins or QUESTIONNAIRES.glob("[0-9][0-9][0-9][0-9].yaml"))
    regles: dict[str, tuple[object, list[int]]] = {}
    for chemin in chemins:
        q = charger(chemin)
        for r in q.regles:
            _, annees = regles.get(r.code, (None, []))
            regles[r.code] = (r, annees + [q.campagne])
    lignes = [
        "| code | gravité | publics | questions | campagnes | message |",
        "|---|---|---|---|---|---|",
    ]
    for code in sorted(regles, key=lambda c: (int(re.sub(r"\D", "", c) or 0), c)):
        r, annees = regles[code]
        lignes.append(
            f"| {code} | {r.gravite} | {', '.join(r.publics)} | {' '.join(r.questions)} | {_annees(annees)} | "
            f"{_cellule(r.message)} |"
        )
    return "\n".join(lignes) + "\n"


def section_detecteurs(seuils: Seuils | None = None) -> str:
    seuils = seuils or Seuils()
    gravites = dict(seuils.gravites)
    gravites["D-RATIO"] = " / ".join(sorted({r.gravite for r in seuils.ratios}))
    lignes = ["| code | gravité | ce qu'il signale |", "|---|---|---|"]
    for code, description in DETECTEURS.items():
        lignes.append(f"| {code} | {gravites.get(code, '')} | {_cellule(description)} |")
    return "\n".join(lignes) + "\n"


def _valeur(valeur) -> str:
    if dataclasses.is_dataclass(valeur):
        return valeur.code
    if isinstance(valeur, dict):
        return ", ".join(f"{k} : {_valeur(v)}" for k, v in valeur.items())
    if isinstance(valeur, tuple):
        return ", ".join(_valeur(v) for v in valeur)
    if isinstance(valeur, float) and valeur.is_integer():
        return str(int(valeur))
    return str(valeur)


def section_reglages(seuils: Seuils | None = None) -> str:
    """Chaque clé de ``SENACS_CONTROLES`` et sa valeur par défaut, puis les rapports (D-RATIO)."""
    seuils = seuils or Seuils()
    lignes = ["| clé de `SENACS_CONTROLES` | valeur par défaut |", "|---|---|"]
    for f in dataclasses.fields(Seuils):
        lignes.append(f"| `{f.name}` | {_cellule(_valeur(getattr(seuils, f.name)))} |")
    lignes += [
        "",
        "| rapport (`ratios`) | numérateur / dénominateur | minimum | maximum | gravité |",
        "|---|---|---|---|---|",
    ]
    for r in seuils.ratios:
        minimum = "—" if r.minimum is None else _valeur(float(r.minimum))
        maximum = "—" if r.maximum is None else _valeur(float(r.maximum))
        lignes.append(f"| `{r.code}` | {r.numerateur} / {r.denominateur} | {minimum} | {maximum} | {r.gravite} |")
    return "\n".join(lignes) + "\n"


SECTIONS = {"regles": section_regles, "detecteurs": section_detecteurs, "reglages": section_reglages}


def sections_du_document(texte: str) -> dict[str, str]:
    return {m.group("nom"): m.group("corps") for m in _SECTION.finditer(texte)}


def regenerer(texte: str) -> str:
    def remplacer(m: re.Match) -> str:
        fonction = SECTIONS.get(m.group("nom"))
        if fonction is None:
            return m.group(0)
        return f"{m.group(1)}{fonction()}{m.group(4)}"

    return _SECTION.sub(remplacer, texte)


def main() -> None:
    texte = DOC.read_text(encoding="utf-8")
    nouveau = regenerer(texte)
    if nouveau != texte:
        DOC.write_text(nouveau, encoding="utf-8")
        print(f"{DOC} mis à jour.", file=sys.stderr)


if __name__ == "__main__":
    main()
