"""/sante/ (base, processus de tâches, disque) et page 503 en français quand la base est arrêtée
(issue 14, point 10)."""

import datetime

from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from senacs.exploitation.models import BattementTravailleur


def _base_arretee(monkeypatch):
    def panne(self):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", panne)
    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", lambda self: panne(self))


def test_health_is_ok_with_a_live_database_and_no_pending_task(client, db):
    r = client.get("/sante/")
    assert r.status_code == 200
    assert r.json()["etat"] == "ok" and r.json()["base"]["ok"] is True
    assert "libre_pourcent" in r.json()["disque"]


def test_health_reports_pending_tasks_without_a_live_worker(client, db):
    DBTaskResult.objects.create(
        status="READY",
        args_kwargs={"args": [1], "kwargs": {}},
        priority=0,
        task_path="senacs.controles.tasks.controler_reponse",
        queue_name="default",
        backend_name="default",
        run_after=timezone.now() - datetime.timedelta(minutes=1),
    )
    r = client.get("/sante/")
    assert r.status_code == 503
    assert "aucun processus de tâches" in r.json()["taches"]["message"]
    BattementTravailleur.objects.create(identifiant="vivant")
    assert client.get("/sante/").status_code == 200


def test_with_the_database_down_users_get_a_french_503_not_a_500(client, usager_structure_69, monkeypatch):
    client.force_login(usager_structure_69)
    client.raise_request_exception = False
    _base_arretee(monkeypatch)
    r = client.get("/")
    assert r.status_code == 503
    assert r["Retry-After"] == "60"
    assert "Service momentanément indisponible" in r.content.decode()
    assert "La base de données de SENACS ne répond pas" in r.content.decode()
    sante = client.get("/sante/")
    assert sante.status_code == 503 and sante.json()["base"]["ok"] is False


def test_a_locked_sqlite_database_gives_the_import_in_progress_message(client, usager_structure_69, monkeypatch):
    client.force_login(usager_structure_69)
    client.raise_request_exception = False

    def verrou(self):
        raise OperationalError("database is locked")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", verrou)
    r = client.get("/")
    assert r.status_code == 503 and "Un import est en cours" in r.content.decode()
