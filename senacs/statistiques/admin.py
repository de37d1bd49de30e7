from django.contrib import admin

from senacs.statistiques.models import DemandeTableaux, Diffusion


@admin.register(Diffusion)
class DiffusionAdmin(admin.ModelAdmin):
    """Lecture seule : une diffusion se crée par ``senacs diffuser-agregats`` et ne se modifie jamais."""

    list_display = ["campagne", "numero", "creee_le", "cellules", "secretes", "audit_ok"]
    list_filter = ["campagne", "audit_ok"]
    exclude = ["questions", "relations"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DemandeTableaux)
class DemandeTableauxAdmin(admin.ModelAdmin):
    list_display = ["structure", "campagne", "demandee_le", "statut", "terminee_le"]
    list_filter = ["statut", "campagne"]
    raw_id_fields = ["structure", "demandee_par"]
    readonly_fields = ["fichier_xlsx", "fichier_pdf", "terminee_le", "erreur", "diffusion"]
