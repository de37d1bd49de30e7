"""Nombres et dates au format français, à l'écran, dans les exports et les PDF.

- ``formater_nombre(1234.5)`` → ``"1 234,5"`` (espace insécable comme séparateur de milliers) ;
- ``formater_euros(45000)`` → ``"45 000 €"`` ; ``formater_pourcentage(12.5)`` → ``"12,5 %"`` ;
- ``formater_date(date(2026, 11, 29))`` → ``"29/11/2026"`` ;
- ``lire_nombre("1 234,56")`` → ``Decimal("1234.56")`` ; lève ``ErreurSaisie`` (message français)
  pour ``"abc"``, ``"1e400"``, ``"12,3,4"``…
"""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ESPACE_INSECABLE = "\u00a0"
_ESPACES = re.compile(r"[\s\u00a0\u202f']")
_NOMBRE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
CHIFFRES_MAX = 15


class ErreurSaisie(ValueError):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _decimal(valeur) -> Decimal:
    if isinstance(valeur, Decimal):
        return valeur
    if isinstance(valeur, float):
        return Decimal(repr(valeur))
    return Decimal(valeur)


def formater_nombre(valeur, decimales: int | None = None) -> str:
    """Nombre au format français ; ``decimales=None`` garde les décimales utiles (au plus 2)."""
    if valeur is None or valeur == "":
        return ""
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    d = _decimal(valeur)
    if decimales is None:
        d = d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
        if d == d.to_integral_value():
            d = d.quantize(Decimal(1))
    else:
        d = d.quantize(Decimal(1).scaleb(-decimales), rounding=ROUND_HALF_UP)
    signe = "-" if d < 0 else ""
    texte = format(abs(d), "f")
    entier, _, fraction = texte.partition(".")
    groupes: list[str] = []
    while len(entier) > 3:
        groupes.insert(0, entier[-3:])
        entier = entier[:-3]
    groupes.insert(0, entier)
    resultat = ESPACE_INSECABLE.join(groupes)
    if fraction:
        resultat += "," + fraction
    return signe + resultat


def formater_euros(valeur, decimales: int = 0) -> str:
    if valeur is None or valeur == "":
        return ""
    return f"{formater_nombre(valeur, decimales)}{ESPACE_INSECABLE}€"


def formater_pourcentage(valeur, decimales: int = 1) -> str:
    if valeur is None or valeur == "":
        return ""
    return f"{formater_nombre(valeur, decimales)}{ESPACE_INSECABLE}%"


def formater_date(valeur) -> str:
    if not valeur:
        return ""
    if isinstance(valeur, str):
        valeur = datetime.date.fromisoformat(valeur[:10])
    return valeur.strftime("%d/%m/%Y")


def formater_date_heure(valeur: datetime.datetime) -> str:
    return valeur.strftime("%d/%m/%Y à %H:%M") if valeur else ""


def lire_nombre(texte, *, entier: bool = False, minimum=None, maximum=None) -> Decimal | None:
    """Lit un nombre saisi à la française (``1 234,56``, ``12,5 %``, ``45 000 €``). Vide → None."""
    if texte is None:
        return None
    if isinstance(texte, int | float | Decimal) and not isinstance(texte, bool):
        brut = str(texte)
    else:
        brut = str(texte)
    t = _ESPACES.sub("", brut.strip())
    for unite in ("€", "%", "EUR", "eur", "ETP", "etp", "h"):
        if t.endswith(unite):
            t = t[: -len(unite)]
            break
    if t == "":
        return None
    if not _NOMBRE.match(t):
        raise ErreurSaisie(f"« {brut.strip()[:40]} » n'est pas un nombre (exemples : 1 234 ou 12,5).")
    t = t.replace(",", ".")
    chiffres = sum(c.isdigit() for c in t)
    if chiffres > CHIFFRES_MAX:
        raise ErreurSaisie(f"Nombre trop long : {CHIFFRES_MAX} chiffres au plus.")
    try:
        d = Decimal(t)
    except InvalidOperation as exc:  # pragma: no cover - exclu par l'expression régulière
        raise ErreurSaisie("Nombre illisible.") from exc
    if entier and d != d.to_integral_value():
        raise ErreurSaisie("Saisissez un nombre entier, sans décimales.")
    if minimum is not None and d < Decimal(minimum):
        raise ErreurSaisie(f"La valeur doit être supérieure ou égale à {formater_nombre(minimum)}.")
    if maximum is not None and d > Decimal(maximum):
        raise ErreurSaisie(f"La valeur doit être inférieure ou égale à {formater_nombre(maximum)}.")
    return d.quantize(Decimal(1)) if entier else d


def lire_date(texte) -> datetime.date | None:
    """Date ``JJ/MM/AAAA`` (ou ISO ``AAAA-MM-JJ``). Vide → None."""
    if texte is None or (isinstance(texte, str) and not texte.strip()):
        return None
    if isinstance(texte, datetime.datetime):
        return texte.date()
    if isinstance(texte, datetime.date):
        return texte
    t = str(texte).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    raise ErreurSaisie(f"« {t[:40]} » n'est pas une date (format attendu : JJ/MM/AAAA).")
