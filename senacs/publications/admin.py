from django.contrib import admin

from senacs.publications.models import Gabarit, Lot, Plaquette, Statut, Transition


@admin.register(Gabarit)
class GabaritAdmin(admin.ModelAdmin):
    list_display = ["campagne", "version", "modifie_le", "modifie_par"]
    readonly_fields = ["source"]


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ["action", "de", "vers", "le", "qui", "titre", "motif"]
    exclude = ["par"]


@admin.register(Plaquette)
class PlaquetteAdmin(admin.ModelAdmin):
    list_display = ["cle", "libelle", "campagne", "statut", "embargo", "publiee_le"]
    list_filter = ["statut", "campagne"]
    readonly_fields = ["fichier_pdf", "fichier_html", "empreinte_pdf", "empreinte_html", "taille_pdf", "publiee_le"]
    inlines = [TransitionInline]

    def has_delete_permission(self, request, obj=None):
        """Une plaquette publiée (et ses approbations) ne se supprime jamais."""
        if obj is not None and obj.statut == Statut.PUBLIEE:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Lot)
class LotAdmin(admin.ModelAdmin):
    list_display = ["pk", "campagne", "statut", "cree_le", "termine_le"]
