import pytest
import typst

from core.graphiques import dossier_polices
from core.plaquette.markdown import LONGUEUR_MAX, LONGUEUR_MAX_COMMENTAIRE, valider, vers_html, vers_typst


def compiler_texte(balisage: str) -> str:
    """Compile le balisage Typst produit (comme le gabarit : ``eval``) et renvoie le texte du PDF."""
    import io

    from pypdf import PdfReader

    source = b'#set text(font: "Lato")\n#eval(sys.inputs.m, mode: "markup")'
    pdf = typst.compile(
        source, sys_inputs={"m": balisage}, font_paths=[str(dossier_polices())], ignore_system_fonts=True
    )
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_the_allowed_subset_is_accepted():
    texte = (
        "Un **édito** en *italique*.\n\n- un point\n- un autre\n\n1. premier\n2. second\n\n[Caf](https://www.caf.fr)"
    )
    assert valider(texte) == []


@pytest.mark.parametrize(
    ("texte", "motif"),
    [
        ("# Titre", "titres"),
        ("<b>gras</b>", "HTML"),
        ("![image](https://x.fr/a.png)", "images"),
        ("du `code`", "code"),
        ("> citation", "citations"),
        ("| a | b |", "tableaux"),
        ("[clic](javascript:alert(1))", "Lien refusé"),
        ("[fichier](file:///etc/passwd)", "Lien refusé"),
        ("x" * (LONGUEUR_MAX + 1), "trop long"),
    ],
)
def test_unsupported_syntax_gets_a_french_message(texte, motif):
    erreurs = valider(texte)
    assert erreurs and any(motif in e for e in erreurs), erreurs


def test_html_keeps_the_subset_and_escapes_everything_else():
    html = vers_html(
        '**gras** *it* <script>alert("x")</script> [lien](https://a.fr/?a=1&b=2) '
        '[q](https://a.fr/"onclick="x) [mal](javascript:x)'
    )
    assert "<strong>gras</strong>" in html and "<em>it</em>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="https://a.fr/?a=1&amp;b=2"' in html
    assert html.count("href=") == 1  # ni le lien à guillemets ni javascript: ne deviennent des liens
    assert "onclick=" not in html.replace("&quot;onclick=&quot;", "")


def test_html_lists_and_paragraphs():
    html = vers_html("Premier.\n\nSecond\nsuite.\n\n- a\n- b\n\n1. c")
    assert html.count("<p>") == 2 and "<p>Second suite.</p>" in html
    assert "<ul><li>a</li><li>b</li></ul>" in html and "<ol><li>c</li></ol>" in html


def test_typst_markup_never_interprets_typed_text():
    dangereux = '#set page(fill: red) $x^2$ ] [ \\ " @ref <lab> #read("/etc/passwd") = titre'
    balisage = vers_typst(f"**{dangereux}** et *fin*")
    texte = compiler_texte(balisage)
    assert '#read("/etc/passwd")' in texte
    assert "$x^2$" in texte and "@ref" in texte


def test_typst_markup_renders_the_subset():
    texte = compiler_texte(vers_typst("Un **mot** ici.\n\n- un\n- deux\n\n[la Caf](https://www.caf.fr)"))
    assert "Un mot ici." in texte and "un" in texte and "deux" in texte and "la Caf" in texte


def test_empty_text():
    assert valider("") == [] and vers_html("") == "" and vers_typst("  \n") == ""


def test_a_commentary_is_shorter_than_the_editorial():
    texte = "x" * (LONGUEUR_MAX_COMMENTAIRE + 1)
    assert valider(texte) == [] and valider(texte, bloc="edito") == []
    assert valider(texte, bloc="finances") == [
        f"Le texte est trop long : {len(texte)} caractères pour {LONGUEUR_MAX_COMMENTAIRE} au plus."
    ]
