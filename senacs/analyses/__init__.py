"""Analyses thématiques."""
