"""Recherche sans tenir compte des accents ni des majuscules (« peguy » trouve « Péguy »).

``motif_sans_accents("peguy")`` rend l'expression régulière ``p[eéèêëÉÈÊË…]g[uùûüÙÛÜ]y`` ; la base
l'applique avec ``__iregex`` (SQLite par le module ``re`` de Python, PostgreSQL par ``~*``) : la même
recherche partout, sans extension ni colonne normalisée.
"""

import re
import unicodedata

VARIANTES = {
    "a": "aàâäáãå",
    "c": "cç",
    "e": "eéèêë",
    "i": "iîïíì",
    "n": "nñ",
    "o": "oôöóòõ",
    "u": "uùûüú",
    "y": "yÿ",
}
LIGATURES = {"oe": "(?:oe|œ)", "ae": "(?:ae|æ)"}


def sans_accents(texte: str) -> str:
    """« Léo-Lagrange » → « leo-lagrange » (minuscules, sans diacritiques, ligatures développées)."""
    texte = texte.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decompose = unicodedata.normalize("NFD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c)).lower()


def motif_sans_accents(texte: str) -> str:
    """Expression régulière qui trouve ``texte`` quels que soient ses accents (à employer avec ``iregex``)."""
    simple = sans_accents(texte.strip())
    morceaux = []
    i = 0
    while i < len(simple):
        paire = simple[i : i + 2]
        if paire in LIGATURES:
            morceaux.append(LIGATURES[paire])
            i += 2
            continue
        c = simple[i]
        if c in VARIANTES:
            lettres = VARIANTES[c] + VARIANTES[c].upper()
            morceaux.append(f"[{lettres}]")
        else:
            morceaux.append(re.escape(c))
        i += 1
    return "".join(morceaux)


def cle_tri(texte: str) -> tuple[str, str]:
    """Clé de tri à la française : « Léo » avant « Lucie », majuscules et accents départagés ensuite."""
    return (sans_accents(texte or ""), texte or "")
