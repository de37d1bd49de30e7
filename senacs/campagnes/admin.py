from django.contrib import admin

from senacs.campagnes.models import Campagne, ChangementPhase, ProrogationSaisie


class ChangementPhaseInline(admin.TabularInline):
    model = ChangementPhase
    extra = 0
    can_delete = False
    readonly_fields = ["ancienne_phase", "nouvelle_phase", "par", "le", "motif"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Campagne)
class CampagneAdmin(admin.ModelAdmin):
    list_display = [
        "annee",
        "annee_donnees",
        "phase",
        "version_questionnaire",
        "date_ouverture_saisie",
        "date_fin_saisie",
    ]
    readonly_fields = ["phase"]
    inlines = [ChangementPhaseInline]


@admin.register(ProrogationSaisie)
class ProrogationSaisieAdmin(admin.ModelAdmin):
    list_display = ["campagne", "departement", "date_fin_saisie", "par", "le"]
    list_filter = ["campagne"]
