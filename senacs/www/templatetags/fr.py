"""Filtres de gabarit pour afficher nombres et dates au format français (voir core.formats)."""

from django import template

from core import formats

register = template.Library()


@register.filter
def nombre(valeur, decimales=None):
    return formats.formater_nombre(valeur, None if decimales in (None, "") else int(decimales))


@register.filter
def euros(valeur, decimales=0):
    return formats.formater_euros(valeur, int(decimales))


@register.filter
def pourcentage(valeur, decimales=1):
    return formats.formater_pourcentage(valeur, int(decimales))


@register.filter
def date_fr(valeur):
    return formats.formater_date(valeur)
