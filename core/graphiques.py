"""Graphiques : spécifications Vega-Lite rendues en SVG par vl-convert, hors ligne.

Un même SVG sert dans les pages web et dans les PDF (Typst). Les nombres suivent la locale d3
``fr-FR`` (espace insécable comme séparateur de milliers, virgule décimale) ; la police est Lato,
installée par le paquet ``font-lato`` (aucune police du système n'est utilisée, ni aucune
ressource distante : ``allowed_base_urls=[]`` interdit tout chargement externe).

Toute spécification passe par :func:`svg` ; le module n'importe pas Django.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import font_lato
import vl_convert

POLICE = "Lato"

#: Palette accessible (contraste suffisant sur fond blanc, distinguable en niveaux de gris).
PALETTE = ["#000091", "#c9191e", "#18753c", "#b34000", "#6a6af4", "#5e2a2b", "#417dc4", "#716043"]

#: Configuration commune : police installée, tailles lisibles à l'impression, pas de bordure.
CONFIG: dict[str, Any] = {
    "font": POLICE,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelColor": "#1e1e1e", "titleColor": "#1e1e1e"},
    "legend": {"labelFontSize": 11, "titleFontSize": 11},
    "title": {"fontSize": 13, "anchor": "start", "color": "#1e1e1e"},
    "range": {"category": PALETTE},
    "background": "white",
}


def dossier_polices() -> Path:
    """Dossier des fichiers TTF de Lato (paquet ``font-lato``), à passer à Typst (``font_paths``)."""
    return Path(font_lato.font_directory)


@functools.cache
def _polices_enregistrees() -> bool:
    vl_convert.register_font_directory(str(dossier_polices()))
    return True


def _avec_config(spec: dict[str, Any]) -> dict[str, Any]:
    complet = copy.deepcopy(spec)
    complet.setdefault("$schema", "https://vega.github.io/schema/vega-lite/v5.json")
    config = copy.deepcopy(CONFIG)
    for cle, valeur in (complet.get("config") or {}).items():
        if isinstance(valeur, dict) and isinstance(config.get(cle), dict):
            config[cle] = {**config[cle], **valeur}
        else:
            config[cle] = valeur
    complet["config"] = config
    return complet


@functools.lru_cache(maxsize=512)
def _svg_depuis_json(spec_json: str) -> str:
    _polices_enregistrees()
    return vl_convert.vegalite_to_svg(
        spec_json,
        format_locale="fr-FR",
        time_format_locale="fr-FR",
        allowed_base_urls=[],
    )


def svg(spec: dict[str, Any]) -> str:
    """Rend une spécification Vega-Lite (données en ligne ``data.values``) en SVG (texte)."""
    return _svg_depuis_json(json.dumps(_avec_config(spec), sort_keys=True, ensure_ascii=False, default=str))


def svg_accessible(spec: dict[str, Any], titre: str, description: str) -> str:
    """SVG autonome pour le web : ``role="img"``, ``<title>`` et ``<desc>`` décrivant les chiffres."""
    brut = svg(spec)
    from html import escape

    ouverture = brut.index(">", brut.index("<svg")) + 1
    entete = brut[:ouverture]
    if "role=" not in entete:
        entete = entete[:-1] + ' role="img">'
    return f"{entete}<title>{escape(titre)}</title><desc>{escape(description)}</desc>{brut[ouverture:]}"
