"""``/sante/`` : état de l'application pour la supervision (JSON, sans authentification, sans donnée).

200 si tout va bien ; 503 si la base ne répond pas, si aucun processus de tâches ne donne signe de vie
alors que des tâches attendent, ou si le disque de ``SENACS_VAR_DIR`` est presque plein."""

import shutil
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from senacs.www.decorators import lecture_get_atomique_post

#: Part minimale d'espace libre sur le disque des fichiers produits.
DISQUE_LIBRE_MIN = 0.05


def _base() -> dict:
    debut = time.perf_counter()
    try:
        with connection.cursor() as c:
            c.execute("SELECT 1")
            c.fetchone()
    except Exception as exc:  # noqa: BLE001 - toute panne de la base est un état « en panne »
        return {"ok": False, "message": f"la base ne répond pas ({type(exc).__name__})"}
    return {"ok": True, "ms": round(1000 * (time.perf_counter() - debut), 1)}


def _taches() -> dict:
    from django_tasks_db.models import DBTaskResult

    from senacs.exploitation.taches import bail, travailleurs_vivants

    try:
        vivants = len(travailleurs_vivants())
        en_attente = DBTaskResult.objects.filter(status="READY", run_after__lte=timezone.now()).count()
        limite = timezone.now() - bail()
        bloquees = DBTaskResult.objects.filter(status="RUNNING", started_at__lt=limite).count()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "message": f"état des tâches illisible ({type(exc).__name__})"}
    ok = vivants > 0 or en_attente == 0
    resultat = {"ok": ok, "processus": vivants, "en_attente": en_attente, "en_cours_sans_signe_de_vie": bloquees}
    if not ok:
        resultat["message"] = "aucun processus de tâches ne donne signe de vie (senacs taches arrêté ?)"
    return resultat


def _disque() -> dict:
    usage = shutil.disk_usage(settings.VAR_DIR)
    libre = usage.free / usage.total if usage.total else 0
    resultat = {"ok": libre >= DISQUE_LIBRE_MIN, "libre_pourcent": round(100 * libre, 1)}
    if not resultat["ok"]:
        resultat["message"] = "disque des fichiers produits presque plein"
    return resultat


@never_cache
@require_GET
@lecture_get_atomique_post
def sante(request):
    base = _base()
    controles = {"base": base, "taches": _taches() if base["ok"] else {"ok": False}, "disque": _disque()}
    ok = all(c["ok"] for c in controles.values())
    return JsonResponse(
        {"etat": "ok" if ok else "en panne", **controles},
        status=200 if ok else 503,
        json_dumps_params={"ensure_ascii": False},
    )
