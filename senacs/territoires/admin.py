from django.contrib import admin

from senacs.territoires.models import Caf, Departement, Federation, Region, Zone


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "nom"]
    search_fields = ["code", "nom"]


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "nom", "region"]
    list_filter = ["region"]
    search_fields = ["code", "nom"]


@admin.register(Caf)
class CafAdmin(admin.ModelAdmin):
    list_display = ["nom", "departement"]
    search_fields = ["nom"]


@admin.register(Federation)
class FederationAdmin(admin.ModelAdmin):
    list_display = ["nom"]
    search_fields = ["nom"]
    filter_horizontal = ["departements"]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["code", "nom", "departement", "est_reste"]
    list_filter = ["departement__region"]
    search_fields = ["code", "nom"]
