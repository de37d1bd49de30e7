from django.conf import settings
from django.db import transaction

from senacs.comptes.models import AcceptationCharte


@transaction.atomic
def charte_accepter(*, utilisateur) -> AcceptationCharte:
    acceptation, _ = AcceptationCharte.objects.get_or_create(
        utilisateur=utilisateur, version=settings.SENACS_CHARTE_VERSION
    )
    return acceptation
