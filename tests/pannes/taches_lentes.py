"""Tâche de test exécutée par un vrai processus de tâches (``manage.py taches``) : marque son début
dans un fichier puis dort, le temps d'être tuée ; à la tentative suivante, elle finit tout de suite."""

import time
from pathlib import Path

from django_tasks import task


@task()
def dormir(marque: str, secondes: float) -> str:
    chemin = Path(marque)
    deja = chemin.exists()
    with chemin.open("a") as f:
        f.write("début\n")
    if not deja:
        time.sleep(secondes)
    return "fini"
