"""Tests de pannes : concurrence réelle (fils d'exécution, transactions PostgreSQL), processus tués
(kill -9), fichiers interrompus. Ceux qui exigent PostgreSQL sont sautés sur SQLite et passent dans
le second passage de la CI (``DATABASE_URL=postgres://…``)."""

import pytest
from django.db import connection

seulement_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrence réelle : PostgreSQL seulement (la CI le lance dans son passage PostgreSQL)",
)
