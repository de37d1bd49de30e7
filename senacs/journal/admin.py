from django.contrib import admin

from senacs.journal.models import AccesDonnees, StructureConsultee


class StructureConsulteeInline(admin.TabularInline):
    model = StructureConsultee
    extra = 0
    raw_id_fields = ["structure"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccesDonnees)
class AccesDonneesAdmin(admin.ModelAdmin):
    """Lecture seule : le journal ne se modifie ni ne s'efface depuis l'application."""

    list_display = ["le", "qui", "role", "nature", "campagne", "nombre_structures"]
    list_filter = ["nature", "campagne"]
    search_fields = ["qui", "detail", "structures_consultees__structure__nom"]
    date_hierarchy = "le"
    inlines = [StructureConsulteeInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
