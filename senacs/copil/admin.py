from django.contrib import admin

from senacs.copil.models import AccordDesignation, Copil, Designation, InviteCopil, MembreCopil, PartageDocument


class LectureSeuleInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembreInline(LectureSeuleInline):
    model = MembreCopil
    fields = ["utilisateur", "cote", "date_debut", "date_fin", "mandat"]


class InviteInline(LectureSeuleInline):
    model = InviteCopil
    fields = ["utilisateur", "qualite", "date_debut", "date_fin", "mandat"]


@admin.register(Copil)
class CopilAdmin(admin.ModelAdmin):
    """Consultation. Ajouter ou retirer un membre passe par la page du comité (``/copil/<id>/``) :
    les services créent et terminent les mandats qui vont avec."""

    list_display = ["__str__", "niveau"]
    list_filter = ["niveau"]
    inlines = [MembreInline, InviteInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AccordInline(admin.TabularInline):
    model = AccordDesignation
    extra = 0
    readonly_fields = ["membre", "le"]
    can_delete = False


@admin.register(Designation)
class DesignationAdmin(admin.ModelAdmin):
    list_display = ["copil", "campagne", "designe", "statut", "fin"]
    list_filter = ["statut", "campagne"]
    readonly_fields = [f.name for f in Designation._meta.fields]
    inlines = [AccordInline]

    def has_add_permission(self, request):
        return False


@admin.register(PartageDocument)
class PartageDocumentAdmin(admin.ModelAdmin):
    list_display = ["titre", "copil", "nature", "partage_le", "retire_le"]
    list_filter = ["nature"]
    raw_id_fields = ["partage_par"]
