"""Un export interrompu (kill -9, exception) ne laisse jamais de fichier tronqué et n'écrase pas le
fichier précédent ; le journal des accès n'est écrit qu'une fois le fichier complet en place ;
dossier de sortie absent : message français, code 2 (issue 14, points 5 et 10)."""

import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from senacs.exploitation import fichiers
from senacs.journal.models import AccesDonnees
from tests.factories import CampagneFactory

ENFANT = """
import sys, time
import django
django.setup()
from senacs.exploitation.fichiers import ecriture_atomique
with ecriture_atomique(sys.argv[1], "w") as f:
    for i in range(10_000):
        f.write(f"ligne {i}\\n")
        if i == 100:
            f.flush()
            print("commence", flush=True)
        time.sleep(0.001)
"""


def test_kill_9_in_the_middle_of_an_export_leaves_the_previous_file_intact(tmp_path):
    destination = tmp_path / "export.csv"
    destination.write_text("ancien export complet\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    enfant = subprocess.Popen(
        [sys.executable, "-c", ENFANT, str(destination)],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert enfant.stdout.readline().strip() == "commence"
        restes = list(tmp_path.glob(".export.csv.senacs-tmp-*"))
        assert len(restes) == 1 and restes[0].stat().st_size > 0  # l'écriture est bien en cours
        os.kill(enfant.pid, signal.SIGKILL)
        enfant.wait(10)
    finally:
        if enfant.poll() is None:
            enfant.kill()
        enfant.stdout.close()
    assert destination.read_text() == "ancien export complet\n"
    # L'écriture suivante efface le reste de l'écriture tuée, puis remplace le fichier en entier.
    fichiers.ecrire_atomiquement(destination, "nouvel export\n")
    assert destination.read_text() == "nouvel export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]


def test_an_interrupted_response_export_writes_no_file_and_no_access_log(tmp_path, monkeypatch):
    from senacs.reponses.management.commands import reponses

    CampagneFactory(annee=2026)
    destination = tmp_path / "reponses.csv"
    destination.write_bytes(b"ancien")
    monkeypatch.setattr(reponses, "reponses_exporter", lambda **kw: (b"structure;E01\r\n" * 1000, 1000))

    def panne(*args):
        raise KeyboardInterrupt  # le processus est arrêté juste avant le renommage

    monkeypatch.setattr(fichiers.os, "replace", panne)
    with pytest.raises(KeyboardInterrupt):
        call_command("reponses", "export", "--campagne", "2026", str(destination))
    assert destination.read_bytes() == b"ancien"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reponses.csv"]
    assert not AccesDonnees.objects.exists()


@pytest.mark.parametrize(
    "commande",
    [
        ["reponses", "export", "--campagne", "2026", "{dossier}/absent/reponses.csv"],
        ["controle", "--campagne", "2026", "--out", "{dossier}/absent/anomalies.csv"],
        ["sauvegarde", "--out", "{dossier}/absent/senacs.tar"],
    ],
)
def test_a_missing_output_folder_is_a_french_error_with_exit_code_2_and_no_access_log(tmp_path, commande):
    CampagneFactory(annee=2026)
    with pytest.raises(CommandError) as erreur:
        call_command(*[a.format(dossier=tmp_path) for a in commande])
    assert erreur.value.returncode == 2
    assert "n'existe pas" in str(erreur.value) or "introuvable" in str(erreur.value)
    assert not AccesDonnees.objects.exists()


def test_exit_codes_follow_one_convention(tmp_path):
    """2 : mauvaise entrée (campagne inconnue, fichier absent) ; 1 : refus ou anomalie."""
    for commande in (
        ["reponses", "export", "--campagne", "1999", str(tmp_path / "x.csv")],
        ["reponses", "import", "--campagne", "1999", str(tmp_path / "absent.csv")],
        ["controle", "--campagne", "1999"],
        ["restauration", str(tmp_path / "absente.tar")],
    ):
        with pytest.raises(CommandError) as erreur:
            call_command(*commande)
        assert erreur.value.returncode == 2, commande


def test_a_response_file_with_too_many_rows_or_errors_gives_a_short_french_report(monkeypatch):
    from senacs.reponses import importation
    from tests.reponses.donnees import csv_

    campagne = CampagneFactory(annee=2026, phase="saisie")
    monkeypatch.setattr(importation, "LIGNES_MAX", 50)
    trop = csv_([["structure", "E01"], *[[f"S{i}", "1"] for i in range(51)]])
    rapport = importation.reponses_importer(
        contenu=trop, nom_fichier="r.csv", campagne=campagne, par=None, departements=None, simulation=True
    )
    assert [e.message for e in rapport.erreurs] == [
        "le fichier compte 51 lignes : 50 au plus (une ligne par structure) ; découpez-le"
    ]
    monkeypatch.setattr(importation, "LIGNES_MAX", 1000)
    inconnues = csv_([["structure", "E01"], *[[f"S{i}", "1"] for i in range(300)]])
    rapport = importation.reponses_importer(
        contenu=inconnues, nom_fichier="r.csv", campagne=campagne, par=None, departements=None, simulation=True
    )
    texte = rapport.texte()
    assert "Erreurs (300) :" in texte
    assert texte[-1] == "  … et 100 autres"
    assert len([ligne for ligne in texte if "inconnue au registre" in ligne]) == 200
