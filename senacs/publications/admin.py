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

    # Lecture seule : le statut (brouillon → soumise → approuvée → publiée), l'embargo et les textes ne
    # changent que par le circuit de l'application (approbation du COPIL, publication journalisée).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        """Seul un brouillon (sans approbation ni publication) se supprime ; une plaquette soumise,
        approuvée ou publiée garde ses transitions et ses approbations."""
        if obj is None or obj.statut != Statut.BROUILLON:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Lot)
class LotAdmin(admin.ModelAdmin):
    list_display = ["pk", "campagne", "statut", "cree_le", "termine_le"]
