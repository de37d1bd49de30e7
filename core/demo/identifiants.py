"""SIREN et SIRET fictifs mais valides (clé de Luhn)."""


def cle_luhn(chiffres: str) -> str:
    """Chiffre à ajouter à droite de ``chiffres`` pour que le tout passe le contrôle de Luhn."""
    total = 0
    for rang, caractere in enumerate(reversed(chiffres)):
        chiffre = int(caractere)
        if rang % 2 == 0:
            chiffre *= 2
            if chiffre > 9:
                chiffre -= 9
        total += chiffre
    return str((10 - total % 10) % 10)


def luhn_valide(chiffres: str) -> bool:
    if not chiffres.isdigit():
        return False
    total = 0
    for rang, caractere in enumerate(reversed(chiffres)):
        chiffre = int(caractere)
        if rang % 2 == 1:
            chiffre *= 2
            if chiffre > 9:
                chiffre -= 9
        total += chiffre
    return total % 10 == 0


def siren(corps: str) -> str:
    """SIREN de 9 chiffres à partir de 8 chiffres."""
    if len(corps) != 8 or not corps.isdigit():
        raise ValueError("un SIREN se construit à partir de 8 chiffres")
    return corps + cle_luhn(corps)


def siret(numero_siren: str, rang_etablissement: int) -> str:
    """SIRET de 14 chiffres : SIREN + NIC (4 chiffres d'établissement + clé)."""
    if not 0 < rang_etablissement < 10_000:
        raise ValueError("rang d'établissement hors bornes")
    corps = f"{numero_siren}{rang_etablissement:04d}"
    return corps + cle_luhn(corps)
