from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from senacs.comptes.models import AcceptationCharte, Mandat, Utilisateur
from senacs.comptes.services import ROLES_A_DOUBLE_VALIDATION


class MandatInline(admin.TabularInline):
    model = Mandat
    fk_name = "utilisateur"
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
        "accorde_par",
        "en_attente",
    ]
    raw_id_fields = ["structure"]
    readonly_fields = ["accorde_par", "en_attente"]

    # Personne ne s'accorde un mandat à soi-même (ni ne modifie les siens) : les mandats de son propre
    # compte sont en lecture seule dans l'administration.
    def has_add_permission(self, request, obj=None):
        return obj is None or obj.pk != request.user.pk

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.pk != request.user.pk

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.pk != request.user.pk


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
    actions = ["desactiver"]

    # Piste d'audit : un compte qui a un historique (mandats, saisies, dépôts, approbations, accès) est
    # désactivé, jamais supprimé (la suppression effacerait ses mandats et orphelinerait ses écritures).
    def has_delete_permission(self, request, obj=None):
        from senacs.exploitation.audit import a_un_historique

        if obj is not None and a_un_historique(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # suppression en lot : jamais (voir has_delete_permission)
        return actions

    @admin.action(description="Désactiver les comptes sélectionnés (ils ne se connectent plus ; l'historique reste)")
    def desactiver(self, request, queryset):
        from senacs.exploitation.audit import auditer
        from senacs.exploitation.models import Origine

        for utilisateur in queryset.filter(is_active=True):
            utilisateur.is_active = False
            utilisateur.save(update_fields=["is_active"])
            auditer("compte.desactiver", par=request.user, origine=Origine.ADMIN, objet=utilisateur.email)

    def save_formset(self, request, form, formset, change):
        modifies = {f.instance.pk: set(f.changed_data) for f in formset.forms if f.instance.pk}
        for mandat in formset.save(commit=False):
            if mandat.pk is None:
                mandat.accorde_par = request.user
            _approbation_requise(mandat, modifies.get(mandat.pk))
            mandat.save()
        for mandat in formset.deleted_objects:
            mandat.delete()


CHAMPS_SENSIBLES = {"role", "niveau", "region", "departement", "structure", "utilisateur"}


def _approbation_requise(mandat: Mandat, modifies: set[str] | None) -> None:
    """Un mandat qui ouvre les réponses d'autres structures, créé ou réorienté dans l'administration,
    attend l'approbation d'un membre du national dans l'application (/compte/mandats/), comme s'il
    avait été accordé dans l'application : l'administration ne contourne pas la double validation."""
    if mandat.role in ROLES_A_DOUBLE_VALIDATION and (modifies is None or modifies & CHAMPS_SENSIBLES):
        mandat.en_attente = True
        mandat.approuve_par = None


class MandatForm(forms.ModelForm):
    class Meta:
        model = Mandat
        fields = [  # noqa: RUF012
            "utilisateur",
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

    def clean(self):
        donnees = super().clean()
        utilisateur = donnees.get("utilisateur")
        if utilisateur is not None and utilisateur.pk == self.demandeur.pk:
            raise forms.ValidationError(
                "Personne ne s'accorde un mandat à soi-même : un autre membre de l'instance mandante doit le faire."
            )
        return donnees


@admin.register(Mandat)
class MandatAdmin(admin.ModelAdmin):
    form = MandatForm
    readonly_fields = ["accorde_par", "cree_le", "en_attente", "approuve_par"]
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        classe = super().get_form(request, obj, change=change, **kwargs)
        return type(classe.__name__, (classe,), {"demandeur": request.user})

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.utilisateur_id != request.user.pk)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.utilisateur_id != request.user.pk)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.accorde_par = request.user
        _approbation_requise(obj, set(form.changed_data) if change else None)
        super().save_model(request, obj, form, change)


@admin.register(AcceptationCharte)
class AcceptationCharteAdmin(admin.ModelAdmin):
    list_display = ["utilisateur", "version", "acceptee_le"]
    list_filter = ["version"]
    search_fields = ["utilisateur__email"]
    readonly_fields = ["utilisateur", "version", "acceptee_le"]

    def has_add_permission(self, request):
        return False
