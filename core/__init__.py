"""Cœur métier en Python pur : n'importe jamais Django (contrat import-linter)."""
