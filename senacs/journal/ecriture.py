"""Exemption étroite pour écrire le journal pendant une requête en lecture seule.

Les vues en lecture (GET) refusent toute écriture en base (``senacs.www.decorators``). Le journal des
accès est la seule écriture qu'une lecture déclenche : pendant ``ecriture_journal()``, et seulement
là, le garde-fou laisse passer l'ouverture et la fin d'une transaction et les ``INSERT`` dans les
tables du journal — rien d'autre (pas de mise à jour, pas d'autre table).
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_EN_COURS: ContextVar[bool] = ContextVar("ecriture_journal", default=False)
_INSERTION = re.compile(r'\s*INSERT\s+INTO\s+[`"]?(\w+)[`"]?', re.IGNORECASE)
_TRANSACTION = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


@contextmanager
def ecriture_journal() -> Iterator[None]:
    """Le temps du bloc, les insertions dans les tables du journal sont permises en lecture seule."""
    jeton = _EN_COURS.set(True)
    try:
        yield
    finally:
        _EN_COURS.reset(jeton)


def tables_journal() -> frozenset[str]:
    from senacs.journal.models import AccesDonnees, StructureConsultee

    return frozenset({AccesDonnees._meta.db_table, StructureConsultee._meta.db_table})


def ecriture_journal_permise(sql: str) -> bool:
    """Vrai si ``sql`` est une écriture du journal en cours d'``ecriture_journal()``."""
    if not _EN_COURS.get():
        return False
    if sql.lstrip().upper().startswith(_TRANSACTION):
        return True
    insertion = _INSERTION.match(sql)
    return insertion is not None and insertion.group(1) in tables_journal()
