"""Graphiques des plaquettes : spécifications Vega-Lite rendues en SVG par vl-convert, compilées une fois.

Même rendu que :func:`core.graphiques.svg` (configuration commune, police Lato, locale ``fr-FR``, aucune
ressource distante) mais pensé pour la génération en lot : une plaquette compte une dizaine de
graphiques de quelques formes seulement (barres horizontales, courbe d'évolution). La spécification
Vega-Lite d'une forme, **sans ses données** (source nommée ``valeurs``), est compilée en Vega une seule
fois ; chaque graphique injecte ensuite ses données dans la spécification Vega compilée et n'appelle que
le rendu Vega → SVG, ce qui évite la compilation Vega-Lite à chaque graphique.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

import vl_convert

from core.graphiques import _avec_config, _polices_enregistrees

SOURCE = "valeurs"


@functools.lru_cache(maxsize=64)
def _vega_compile(forme_json: str) -> str:
    _polices_enregistrees()
    vega = vl_convert.vegalite_to_vega(forme_json)
    return vega if isinstance(vega, str) else json.dumps(vega)


@functools.lru_cache(maxsize=2048)
def _svg(forme_json: str, valeurs_json: str) -> str:
    vega = json.loads(_vega_compile(forme_json))
    valeurs = json.loads(valeurs_json)
    trouvee = False
    for donnees in vega.get("data", []):
        if donnees.get("name") == SOURCE:
            donnees["values"] = valeurs
            trouvee = True
    if not trouvee:  # forme inattendue : rendu direct de la spécification complète
        spec = json.loads(forme_json)
        spec["data"] = {"values": valeurs}
        return vl_convert.vegalite_to_svg(json.dumps(spec), format_locale="fr-FR", allowed_base_urls=[])
    return vl_convert.vega_to_svg(
        json.dumps(vega), format_locale="fr-FR", time_format_locale="fr-FR", allowed_base_urls=[]
    )


def svg(spec: dict[str, Any]) -> str:
    """SVG d'une spécification Vega-Lite dont les données sont en ligne (``data.values``)."""
    spec = copy.copy(spec)
    valeurs = (spec.pop("data", None) or {}).get("values", [])
    spec["data"] = {"name": SOURCE}
    forme = json.dumps(_avec_config(spec), sort_keys=True, ensure_ascii=False, default=str)
    return _svg(forme, json.dumps(valeurs, sort_keys=True, ensure_ascii=False, default=str))
