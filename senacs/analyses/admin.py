from django.contrib import admin

from senacs.analyses.models import Analyse, CelluleLiberee


@admin.register(Analyse)
class AnalyseAdmin(admin.ModelAdmin):
    list_display = ("nom", "proprietaire", "copil", "partagee_copil", "creee_le")
    list_filter = ("partagee_copil",)
    search_fields = ("nom",)
    raw_id_fields = ("proprietaire", "copil")


@admin.register(CelluleLiberee)
class CelluleLibereeAdmin(admin.ModelAdmin):
    """Registre en lecture seule : il trace ce qui a été montré, on ne le corrige pas."""

    list_display = ("audience", "campagne", "variable", "ensemble", "repondants", "liberee_le")
    list_filter = ("audience", "campagne")
    search_fields = ("ensemble", "variable", "audience")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
