import re

from core.graphiques import POLICE, dossier_polices, svg, svg_accessible

SPEC = {
    "data": {"values": [{"type": "CS", "n": 1234.5}, {"type": "EVS", "n": 987}]},
    "mark": "bar",
    "encoding": {
        "x": {"field": "type", "type": "nominal", "title": "Type"},
        "y": {"field": "n", "type": "quantitative", "title": "Effectif", "axis": {"format": ",.1f"}},
    },
}


def test_axis_labels_use_the_french_number_format():
    labels = re.findall(r">([^<]+)</text>", svg(SPEC))
    assert "1\u00a0200,0" in labels
    assert not any("1,200" in t for t in labels)


def test_the_chart_uses_the_installed_font_and_never_fetches_remote_data():
    rendu = svg(SPEC)
    assert f'font-family="{POLICE}' in rendu or f"font-family: {POLICE}" in rendu or POLICE in rendu
    assert (dossier_polices() / "Lato-Regular.ttf").is_file()
    distant = {**SPEC, "data": {"url": "https://example.org/donnees.json"}}
    try:
        resultat = svg(distant)
    except Exception as exc:  # vl-convert refuse le chargement
        assert "example.org" in str(exc) or "allowed" in str(exc).lower()
    else:
        assert "1\u00a0200" not in resultat


def test_the_accessible_svg_has_a_title_and_a_description():
    rendu = svg_accessible(SPEC, "Effectifs par type", "CS : 1 234,5 ; EVS : 987")
    assert 'role="img"' in rendu.split(">", 1)[0]
    assert "<title>Effectifs par type</title>" in rendu
    assert "<desc>CS : 1 234,5 ; EVS : 987</desc>" in rendu
