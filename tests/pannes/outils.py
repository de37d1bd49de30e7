"""Aides des tests de pannes."""

import pytest
from django.db import connection

seulement_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrence réelle : PostgreSQL seulement (la CI le lance dans son passage PostgreSQL)",
)
