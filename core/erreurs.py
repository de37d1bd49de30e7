"""La base commune des refus d'un service métier.

Un service qui refuse une action (phase fermée, état incompatible, saisie invalide, droit manquant
côté métier) lève une sous-classe d'``ErreurMetier`` avec un message en français, à montrer tel quel
à l'utilisateur. Les vues le montrent toutes de la même façon : celles qui savent mieux faire
(message sur la page, formulaire réaffiché) l'attrapent ; sinon ``senacs.www.middleware.
ErreurMetierMiddleware`` répond 400 avec le message, sans rien avoir écrit (la vue est atomique).
"""


class ErreurMetier(Exception):
    """Refus d'un service ; ``message`` est en français, à afficher tel quel."""

    def __init__(self, message: str | list[str] = "", *args: object) -> None:
        super().__init__(message, *args)
        if not isinstance(message, str):  # plusieurs motifs (erreurs de validation)
            message = " ".join(str(m) for m in message)
        self.message = message or "Action refusée."

    def __str__(self) -> str:
        return self.message
