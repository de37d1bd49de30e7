"""Nombres et dates au format français, à l'écran, dans les exports et les PDF.

- ``formater_nombre(1234.5)`` → ``"1 234,5"`` (espace insécable comme séparateur de milliers) ;
- ``formater_euros(45000)`` → ``"45 000 €"`` ; ``formater_pourcentage(12.5)`` → ``"12,5 %"`` ;
- ``formater_date(date(2026, 11, 29))`` → ``"29/11/2026"`` ;
- ``lire_nombre("1 234,56")`` → ``Decimal("1234.56")`` ; ``lire_nombre("12.000")`` → ``Decimal("12000")``
  (un point suivi de trois chiffres sépare les milliers : ``lecture_a_confirmer`` le signale) ;
  lève ``ErreurSaisie`` (message français) pour ``"abc"``, ``"1e400"``, ``"12,3,4"``…
"""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ESPACE_INSECABLE = "\u00a0"
_ESPACES = re.compile(r"[\s\u00a0\u202f']")
_CHIFFRES_ET_SEPARATEURS = re.compile(r"^(\d+([.,]\d*)*|[.,]\d+)$")
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


def _analyser(t: str, brut: str) -> tuple[str, bool]:
    """Texte sans espaces ni unité → (texte décimal pour ``Decimal``, séparateur de milliers lu ?).

    Lecture à la française : la virgule est décimale ; un point suivi d'exactement trois chiffres
    sépare les milliers (« 12.000 » = 12 000, « 1.234,56 » = 1 234,56). Quand les deux séparateurs
    sont présents, le dernier est décimal et l'autre doit grouper les chiffres par trois."""
    refus = ErreurSaisie(f"« {brut.strip()[:40]} » n'est pas un nombre (exemples : 1 234 ou 12,5).")
    signe = ""
    if t[:1] in "+-":
        signe, t = ("-" if t[0] == "-" else ""), t[1:]
    if not t or not _CHIFFRES_ET_SEPARATEURS.match(t) or not any(c.isdigit() for c in t):
        raise refus
    points, virgules = t.count("."), t.count(",")
    if points and virgules:
        decimal = "." if t.rfind(".") > t.rfind(",") else ","
        milliers = "," if decimal == "." else "."
        entier, _, fraction = t.rpartition(decimal)
        if decimal in entier or not _groupes_valides(entier.split(milliers)):
            raise refus
        return signe + entier.replace(milliers, "") + "." + fraction, True
    if points > 1:
        groupes = t.split(".")
        if not _groupes_valides(groupes):
            raise refus
        return signe + "".join(groupes), True
    if virgules > 1:
        raise refus
    if virgules == 1:
        entier, _, fraction = t.partition(",")
        # « 12,000 » : virgule décimale à la française (12), mais un tableur anglais y lit douze mille.
        return signe + entier + "." + fraction, len(fraction) == 3 and _groupes_valides([entier, fraction])
    if points == 1:
        entier, _, fraction = t.partition(".")
        if len(fraction) == 3 and _groupes_valides([entier, fraction]):
            return signe + entier + fraction, True
        return signe + t, False
    return signe + t.replace(",", "."), False


def _groupes_valides(groupes: list[str]) -> bool:
    """« 1 », « 234 », « 567 » : un premier groupe de 1 à 3 chiffres sans zéro en tête, puis des groupes de 3."""
    premier = groupes[0]
    return (
        1 <= len(premier) <= 3
        and premier.isdigit()
        and not (premier.startswith("0"))
        and all(len(g) == 3 and g.isdigit() for g in groupes[1:])
    )


def _sans_unite(brut: str) -> str:
    t = _ESPACES.sub("", brut.strip())
    for unite in ("€", "%", "EUR", "eur", "ETP", "etp", "h"):
        if t.endswith(unite):
            return t[: -len(unite)]
    return t


def lecture_a_confirmer(texte) -> bool:
    """Le texte saisi contient-il un séparateur de milliers autre que l'espace (« 12.000 », « 1.234,56 ») ?

    Sa lecture peut surprendre (un tableur anglais écrit « 12.000 » pour douze) : l'écran et les
    rapports d'import disent alors ce qui a été compris (« lu : 12 000 € »)."""
    if not isinstance(texte, str):
        return False
    t = _sans_unite(texte)
    try:
        return _analyser(t, texte)[1] if t else False
    except ErreurSaisie:
        return False


def lire_nombre(texte, *, entier: bool = False, minimum=None, maximum=None) -> Decimal | None:
    """Lit un nombre saisi à la française (``1 234,56``, ``12.000``, ``1.234,56``, ``12,5 %``,
    ``45 000 €``). Vide → None. Un nombre Python (int, float, Decimal) est pris tel quel."""
    if texte is None:
        return None
    if isinstance(texte, int | float | Decimal) and not isinstance(texte, bool):
        try:
            d = _decimal(texte)
        except InvalidOperation as exc:
            raise ErreurSaisie("Nombre illisible.") from exc
        if not d.is_finite():
            raise ErreurSaisie(f"« {texte} » n'est pas un nombre (exemples : 1 234 ou 12,5).")
        return _verifier(d, entier=entier, minimum=minimum, maximum=maximum)
    brut = str(texte)
    t = _sans_unite(brut)
    if t == "":
        return None
    t, _ = _analyser(t, brut)
    chiffres = sum(c.isdigit() for c in t)
    if chiffres > CHIFFRES_MAX:
        raise ErreurSaisie(f"Nombre trop long : {CHIFFRES_MAX} chiffres au plus.")
    try:
        d = Decimal(t)
    except InvalidOperation as exc:  # pragma: no cover - exclu par l'analyse
        raise ErreurSaisie("Nombre illisible.") from exc
    return _verifier(d, entier=entier, minimum=minimum, maximum=maximum)


def _verifier(d: Decimal, *, entier: bool, minimum, maximum) -> Decimal:
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
