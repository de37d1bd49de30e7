"""Export open data des cellules protégées (schéma ``docs/schemas/agregats-v1.md``).

UTF-8 sans BOM, virgule comme séparateur, point décimal, une ligne par cellule, exactement les
colonnes ``COLONNES_OUVERTES``. Précision fixe : entiers pour les comptes, une décimale pour les
parts (en pourcentage), deux pour les sommes, moyennes et quantiles. ``valeur`` est vide quand
``statut`` vaut ``secret`` (ou ``sans_objet``). Les colonnes internes ne sortent jamais.
"""

from os import PathLike
from pathlib import Path

import polars as pl

from core.stats.modele import COLONNES_OUVERTES, STATUT_PUBLIE, STATUT_SANS_OBJET, STATUT_SECRET

VERSION_SCHEMA = "1"
DECIMALES: dict[str, int] = {
    "attendus": 0,
    "repondants": 0,
    "effectif": 0,
    "part": 1,
    "somme": 2,
    "moyenne": 2,
    "mediane": 2,
    "q1": 2,
    "q3": 2,
}


def _formater(decimales: int) -> pl.Expr:
    v = pl.col("valeur")
    if decimales == 0:
        return v.round(0).cast(pl.Int64).cast(pl.Utf8)
    return v.round(decimales).cast(pl.Decimal(38, decimales)).cast(pl.Utf8)


def vers_table_ouverte(cellules: pl.DataFrame) -> pl.DataFrame:
    """Les colonnes ouvertes, en texte formaté, prêtes à écrire. Refuse une table non protégée."""
    statuts = set(cellules["statut"].unique().to_list())
    inconnus = statuts - {STATUT_PUBLIE, STATUT_SECRET, STATUT_SANS_OBJET}
    if inconnus:
        raise ValueError(
            f"Export refusé : statuts {sorted(map(str, inconnus))} ; appliquez d'abord le secret statistique."
        )
    formate = pl.lit(None, dtype=pl.Utf8)
    for stat, d in DECIMALES.items():
        formate = pl.when(pl.col("statistique") == stat).then(_formater(d)).otherwise(formate)
    return cellules.select(
        *[pl.col(c).cast(pl.Utf8) for c in COLONNES_OUVERTES if c not in ("valeur",)],
        valeur=pl.when(pl.col("statut") == STATUT_PUBLIE).then(formate),
    ).select(COLONNES_OUVERTES)


def vers_csv_ouvert(cellules: pl.DataFrame, chemin: str | PathLike[str]) -> int:
    """Écrit le CSV open data (version 1 du schéma) ; renvoie le nombre de lignes écrites."""
    table = vers_table_ouverte(cellules)
    # Champs vides écrits vides (et non "") : la chaîne vide et l'absence de valeur se confondent.
    table = table.with_columns(pl.when(pl.col(pl.Utf8) != "").then(pl.col(pl.Utf8)))
    table.write_csv(Path(chemin), separator=",", include_header=True, null_value="", quote_style="necessary")
    return table.height
