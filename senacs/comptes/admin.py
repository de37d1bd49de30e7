from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from senacs.comptes.models import AcceptationCharte, Mandat, Utilisateur


class MandatInline(admin.TabularInline):
    model = Mandat
    extra = 0
    fields = [
        "role",
        "niveau",
        "region",
        "departement",
        "structure",
        "organisme",
        "caf",
        "federation",
        "date_debut",
        "date_fin",
    ]
    raw_id_fields = ["structure"]


class CreationForm(AdminUserCreationForm):
    class Meta:
        model = Utilisateur
        fields = ["email"]


class ModificationForm(UserChangeForm):
    class Meta:
        model = Utilisateur
        fields = "__all__"


@admin.register(Utilisateur)
class UtilisateurAdmin(UserAdmin):
    add_form = CreationForm
    form = ModificationForm
    ordering = ["email"]
    list_display = ["email", "prenom", "nom", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "mandats__role"]
    search_fields = ["email", "prenom", "nom"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["prenom", "nom"]}),
        ("Accès", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [MandatInline]


@admin.register(Mandat)
class MandatAdmin(admin.ModelAdmin):
    list_display = [
        "utilisateur",
        "role",
        "niveau",
        "region",
        "departement",
        "structure",
        "organisme",
        "date_debut",
        "date_fin",
    ]
    list_filter = ["role", "niveau", "organisme"]
    search_fields = ["utilisateur__email", "utilisateur__nom"]
    raw_id_fields = ["utilisateur", "structure"]
    list_select_related = ["utilisateur", "region", "departement", "structure"]


@admin.register(AcceptationCharte)
class AcceptationCharteAdmin(admin.ModelAdmin):
    list_display = ["utilisateur", "version", "acceptee_le"]
    list_filter = ["version"]
    search_fields = ["utilisateur__email"]
    readonly_fields = ["utilisateur", "version", "acceptee_le"]

    def has_add_permission(self, request):
        return False
