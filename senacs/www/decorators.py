"""Garde-fous des vues : portes d'accès par rôle, GET en lecture seule et POST atomiques.

Une porte se lit d'un coup d'œil au-dessus de la vue ::

    @perimetre_requis(capacites.suivre_la_collecte)
    def suivi(request): ...

Les conditions sont les capacités nommées de ``core.capacites`` (une fonction chacune), jamais une
condition écrite dans la vue.

Un utilisateur anonyme est renvoyé vers la connexion ; un utilisateur connecté dont le périmètre ne
passe pas le test reçoit la page 403 en français (``senacs.www.erreurs.acces_refuse``). Pour un objet
hors périmètre, les vues répondent 404 (``get_object_or_404(... .visibles_par(...))``), jamais 403.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from core import capacites
from core.perimetre import Perimetre
from senacs.journal.ecriture import ecriture_journal_permise

METHODES_SURES = ("GET", "HEAD", "OPTIONS")


def perimetre_requis(test: Callable[[Perimetre], object]):
    """Vue réservée aux utilisateurs connectés dont le périmètre satisfait ``test`` (sinon 403)."""

    def decorateur(vue):
        @wraps(vue)
        def enveloppe(request, *args, **kwargs):
            if not test(request.perimetre):
                raise PermissionDenied("Vos mandats ne vous donnent pas accès à cette page.")
            return vue(request, *args, **kwargs)

        porte = login_required(enveloppe)
        porte.capacite = test  # lue par le test qui parcourt toutes les adresses (tests/www/test_acces.py)
        return porte

    return decorateur


mandat_requis = perimetre_requis(capacites.avoir_un_mandat)
"""Au moins un mandat en cours (sinon 403)."""


class EcritureInterdite(RuntimeError):
    """Une requête GET a tenté d'écrire en base."""


# Lectures, et points de sauvegarde (un bloc atomic en lecture reste permis : il n'écrit rien).
INSTRUCTIONS_PERMISES = ("SELECT", "EXPLAIN", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def _refuser_ecriture(execute, sql, params, many, context):
    if not sql.lstrip().upper().startswith(INSTRUCTIONS_PERMISES) and not ecriture_journal_permise(sql):
        raise EcritureInterdite(f"Écriture interdite pendant une requête en lecture seule : {sql[:80]}")
    return execute(sql, params, many, context)


MODES_HTTP = {"GET": "lecture seule", "HEAD": "lecture seule", "OPTIONS": "lecture seule", "POST": "atomique"}
"""Mode de chaque méthode sous ``@lecture_get_atomique_post`` (les autres méthodes sont atomiques)."""

MODES_HTTP_ATOMIQUES = {"GET": "atomique", "HEAD": "atomique", "OPTIONS": "atomique", "POST": "atomique"}
"""Mode de chaque méthode sous ``@get_et_post_atomiques``."""


def lecture_get_atomique_post(vue):
    """Deux modes, nommés par la méthode HTTP :

    - GET (et HEAD, OPTIONS) : **lecture seule**, toute écriture en base lève ``EcritureInterdite``
      (seule exception, étroite : le journal des accès, ``senacs.journal.ecriture``) ;
    - POST (et toute autre méthode) : **atomique**, tout ou rien dans une transaction.

    Chaque vue routée le déclare (vérifié par ``tests/test_architecture.py``). Inspiré de
    ``itou/utils/readonly.py`` (les-emplois). Les écritures de session et de messages ont lieu dans
    les middlewares, après la vue : elles ne sont pas concernées.
    """

    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        if request.method in METHODES_SURES:
            with connection.execute_wrapper(_refuser_ecriture):
                return vue(request, *args, **kwargs)
        with transaction.atomic():
            return vue(request, *args, **kwargs)

    enveloppe.modes_http = MODES_HTTP  # type: ignore[attr-defined]
    return enveloppe


def get_et_post_atomiques(vue):
    """Toutes les méthodes, GET compris, **atomiques** : pour les seules pages dont la lecture écrit
    par construction (une analyse calculée inscrit ses cellules au registre des libérations). Toute
    autre page prend ``@lecture_get_atomique_post``."""

    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        with transaction.atomic():
            return vue(request, *args, **kwargs)

    enveloppe.modes_http = MODES_HTTP_ATOMIQUES  # type: ignore[attr-defined]
    return enveloppe
