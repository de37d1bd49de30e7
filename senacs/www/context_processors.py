from django.utils.functional import SimpleLazyObject


class _AFaire:
    def __init__(self, taches):
        self.taches = taches
        self.total = sum(t.nombre for t in taches)


def senacs(request):
    perimetre = getattr(request, "perimetre", None)

    def calculer():
        from senacs.comptes.a_faire import a_faire

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or perimetre is None:
            return _AFaire([])
        # Campagne courante déjà lue par la vue (page d'accueil) : pas de seconde lecture.
        return _AFaire(a_faire(user, perimetre, campagne=getattr(request, "campagne_courante", None)))

    # Calculé seulement si le gabarit s'en sert (menu « À faire », page d'accueil), une fois par requête.
    return {"perimetre": perimetre, "a_faire": SimpleLazyObject(calculer)}
