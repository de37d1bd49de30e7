"""Analyses thématiques (Python pur, jamais de Django) : ``modele`` (définitions, dimensions, résultats),
``calcul`` (cellules, tendances, mise en forme), ``protection`` (secret primaire et secondaire,
compléments, audit des différences avec le registre des libérations), ``correspondances``."""
