"""Une tâche dont le processus est mort (kill -9) est reprise (3 tentatives au plus) ou marquée en
échec avec un message que l'utilisateur voit (issue 14, point 4)."""

import datetime
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from senacs.exploitation.models import BattementTravailleur
from senacs.exploitation.taches import reprendre_orphelines
from senacs.publications.models import Lot, StatutLot
from senacs.statistiques.models import DemandeTableaux, StatutDemande
from tests.factories import CampagneFactory
from tests.pannes.outils import seulement_postgresql


def _tache(task_path, args, *, travailleurs, depuis=datetime.timedelta(minutes=5), statut="RUNNING"):
    return DBTaskResult.objects.create(
        status=statut,
        args_kwargs={"args": args, "kwargs": {}},
        priority=0,
        task_path=task_path,
        queue_name="default",
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now() - depuis if statut == "RUNNING" else None,
        worker_ids=travailleurs,
    )


def _battement(identifiant, il_y_a):
    BattementTravailleur.objects.create(identifiant=identifiant, battement=timezone.now() - il_y_a)


def test_a_task_of_a_dead_worker_is_queued_again_and_its_batch_can_resume_at_once(db):
    _battement("mort", datetime.timedelta(minutes=3))
    lot = Lot.objects.create(campagne=CampagneFactory(annee=2025), statut=StatutLot.EN_COURS, battement=timezone.now())
    t = _tache("senacs.publications.tasks.rendre_lot", [lot.pk], travailleurs=["mort"])

    assert reprendre_orphelines() == [(str(t.id), "reprise")]
    t.refresh_from_db()
    assert t.status == "READY" and t.started_at is None
    lot.refresh_from_db()
    assert lot.statut == StatutLot.INTERROMPU and "reprise automatique" in lot.erreur


def test_a_task_whose_worker_is_alive_is_left_alone(db):
    _battement("vivant", datetime.timedelta(seconds=5))
    t = _tache("senacs.publications.tasks.rendre_lot", [1], travailleurs=["vivant"])
    assert reprendre_orphelines() == []
    t.refresh_from_db()
    assert t.status == "RUNNING"


def test_after_three_attempts_the_task_fails_with_a_message_the_structure_sees(db, structure_69, usager_structure_69):
    _battement("mort", datetime.timedelta(minutes=3))
    campagne = CampagneFactory(annee=2025)
    demande = DemandeTableaux.objects.create(
        structure=structure_69, campagne=campagne, demandee_par=usager_structure_69
    )
    t = _tache(
        "senacs.statistiques.tasks.produire_tableaux_automatises", [demande.pk], travailleurs=["a", "b", "mort"]
    )

    assert reprendre_orphelines() == [(str(t.id), "echec")]
    t.refresh_from_db()
    assert t.status == "FAILED" and "3 tentatives" in t.traceback
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.ECHEC
    assert "processus de tâches s'est arrêté" in demande.erreur


@seulement_postgresql
@pytest.mark.django_db(transaction=True)
def test_kill_9_of_the_worker_mid_task_then_a_new_worker_retries_it(tmp_path):
    marque = tmp_path / "debut.txt"
    t = _tache("tests.pannes.taches_lentes.dormir", [str(marque), 60], travailleurs=[], statut="READY")
    reglages = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.pannes.reglages_travailleur",
        "DATABASE_URL": f"postgres://{reglages['USER']}@{reglages['HOST']}:{reglages['PORT']}/{reglages['NAME']}",
    }
    commande = [
        sys.executable,
        str(settings.BASE_DIR / "manage.py"),
        "taches",
        "--queue-name",
        "*",
        "--interval",
        "0.2",
        "--no-startup-delay",
        "--no-reload",
        "--battement",
        "0.5",
    ]

    def attendre(condition, delai=30):
        fin = time.monotonic() + delai
        while time.monotonic() < fin:
            if condition():
                return True
            time.sleep(0.2)
        return False

    premier = subprocess.Popen([*commande, "--worker-id", "premier"], env=env, cwd=settings.BASE_DIR)
    try:
        assert attendre(marque.exists), "la tâche n'a pas démarré"
        os.kill(premier.pid, signal.SIGKILL)
        premier.wait(10)
    finally:
        if premier.poll() is None:
            premier.kill()
    t.refresh_from_db()
    assert t.status == "RUNNING" and t.worker_ids == ["premier"]

    second = subprocess.Popen([*commande, "--worker-id", "second"], env=env, cwd=settings.BASE_DIR)
    try:
        assert attendre(lambda: DBTaskResult.objects.get(pk=t.pk).status == "SUCCESSFUL"), DBTaskResult.objects.get(
            pk=t.pk
        ).status
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(10)
        except subprocess.TimeoutExpired:
            second.kill()
    t.refresh_from_db()
    assert t.worker_ids == ["premier", "second"]
    assert marque.read_text().count("début") == 2
