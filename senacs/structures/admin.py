from django.contrib import admin

from senacs.structures.models import Agrement, Gestionnaire, Structure


class AgrementInline(admin.TabularInline):
    model = Agrement
    extra = 0


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["identifiant", "nom", "type", "commune_nom", "departement", "active"]
    list_filter = ["type", "active", "mode_gestion", "departement__region"]
    search_fields = ["identifiant", "nom", "commune_nom", "siret"]
    list_select_related = ["departement"]
    raw_id_fields = ["gestionnaire", "zone", "federation"]
    inlines = [AgrementInline]


@admin.register(Gestionnaire)
class GestionnaireAdmin(admin.ModelAdmin):
    list_display = ["nom", "siren"]
    search_fields = ["nom", "siren"]
