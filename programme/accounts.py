"""Accounts in the admin: the organising committee makes committee members and roundtable coordinators.

Who may do what:

- Superusers keep Django's full user admin (with the roundtables a user coordinates added to it).
- The organising committee (and anyone else who is not a superuser but may change users) adds and
  changes accounts whose rights stay within the committee's own: not superusers, with no
  individual permissions and no group other than "Organising committee" and "Roundtable
  coordinators". Their forms offer only the names, e-mail address, whether the account is active and
  may log in to the admin, those two groups and the roundtables the user coordinates; the
  organiser sets the first password (and can set a new one from the "Reset password" link), as the
  portal sends no password e-mails. Accounts are deactivated rather than deleted, so that the
  history keeps who changed what. The rule holds in the queryset (other accounts do not exist for
  them, whatever the URL), in ``has_change_permission`` and in the forms (a posted superuser flag,
  permission or other group is ignored or refused).
- Coordinators add people and organisations; they change a person only when that person's roles
  are all in the roundtables they coordinate, with at least one role there or added by themselves
  (``person_editable_by``).
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from core.permissions import ORGANISING_COMMITTEE, ROUNDTABLE_COORDINATORS
from roundtables.forms import RoundtableMultipleChoiceField
from roundtables.models import Roundtable
from roundtables.selectors import roundtable_ids_editable_by
from roundtables.services import coordinator_group_ensure

User = get_user_model()
MANAGED_GROUPS = [ORGANISING_COMMITTEE, ROUNDTABLE_COORDINATORS]


def accounts_managed_by(user, users=None):
    """The accounts (of ``users``) ``user`` may see and change in the admin: all for a superuser; else
    those whose rights stay within the committee's (no superuser, no individual permission, no other group)."""
    users = User.objects.all() if users is None else users
    if user.is_superuser:
        return users
    individual = Permission.objects.filter(user=OuterRef("pk"))
    other_groups = Group.objects.filter(user=OuterRef("pk")).exclude(name__in=MANAGED_GROUPS)
    return users.filter(is_superuser=False).exclude(Exists(individual)).exclude(Exists(other_groups))


class AccountAccessMixin(forms.Form):
    """The roundtables a user coordinates, and (for the committee's forms) the two programme groups."""

    roundtables = RoundtableMultipleChoiceField(
        label=_("Roundtables they coordinate"),
        queryset=Roundtable.objects.select_related("forum"),
        required=False,
        widget=FilteredSelectMultiple(_("roundtables"), is_stacked=False),
        help_text=_(
            "They edit these roundtables' sessions, issues and people and see the rest read-only. Choosing "
            "roundtables puts them in the “Roundtable coordinators” group."
        ),
    )
    managed_groups = True  # the groups field offers only the committee's and the coordinators' groups

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._other_groups = []
        if self.instance.pk is not None:
            self.initial.setdefault("roundtables", list(self.instance.coordinated_roundtables.all()))
            self._other_groups = list(self.instance.groups.exclude(name__in=MANAGED_GROUPS))
        if self.managed_groups:
            self.fields["groups"] = forms.ModelMultipleChoiceField(
                label=_("groups"),
                queryset=Group.objects.filter(name__in=MANAGED_GROUPS).order_by("name"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=list(self.instance.groups.filter(name__in=MANAGED_GROUPS)) if self.instance.pk else [],
                help_text=_(
                    "Organising committee: edits the whole programme, reviews contributions and manages these "
                    "accounts. Roundtable coordinators: edit the roundtables chosen below."
                ),
            )

    def clean(self):
        cleaned_data = super().clean()
        roundtables = cleaned_data.get("roundtables")
        if roundtables and "is_staff" in self.fields and not cleaned_data.get("is_staff"):
            self.add_error(
                "roundtables", _("A coordinator logs in to the admin: tick “Staff status” to give them roundtables.")
            )
        return cleaned_data

    def save_access(self, user):
        """Once ``user`` is saved: the groups (any other group they had is kept) and the roundtables; a user
        given roundtables who is in neither programme group joins the coordinators'."""
        if self.managed_groups and "groups" in self.cleaned_data:
            user.groups.set([*self._other_groups, *self.cleaned_data["groups"]])
        roundtables = self.cleaned_data.get("roundtables") or []
        user.coordinated_roundtables.set(roundtables)
        if roundtables and not user.groups.filter(name__in=MANAGED_GROUPS).exists():
            user.groups.add(coordinator_group_ensure())

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            self.save_access(user)
        else:
            save_m2m = getattr(self, "save_m2m", None)

            def save_all():
                if save_m2m is not None:
                    save_m2m()
                self.save_access(user)

            self.save_m2m = save_all
        return user


ACCOUNT_FIELDS = ["first_name", "last_name", "email", "is_active", "is_staff"]


class CommitteeUserCreationForm(AccountAccessMixin, UserCreationForm):
    """A new account made by the committee: a password to give them, and nothing beyond the committee's rights."""

    class Meta(UserCreationForm.Meta):
        fields = ["username", *ACCOUNT_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["is_staff"].initial = True


class CommitteeUserChangeForm(AccountAccessMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        fields = ["username", "password", *ACCOUNT_FIELDS]


class SuperuserCreationForm(AccountAccessMixin, AdminUserCreationForm):
    managed_groups = False


class SuperuserChangeForm(AccountAccessMixin, UserChangeForm):
    managed_groups = False


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    """Django's user admin for superusers; for the committee, the accounts and rights described above."""

    form = SuperuserChangeForm
    add_form = SuperuserCreationForm
    fieldsets = [
        *UserAdmin.fieldsets[:2],
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Roundtables"), {"fields": ["roundtables"]}),
        UserAdmin.fieldsets[3],
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "usable_password", "password1", "password2"]}),
        (_("Roundtables"), {"fields": ["roundtables"]}),
    ]
    committee_fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "groups", "roundtables"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    committee_add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "password1", "password2"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "groups", "roundtables"]}),
    ]

    @staticmethod
    def _committee(request):
        """Whether the user edits the whole programme (superuser or organising committee), asked once per request
        and shared with the programme's admin pages (roundtables.admin_mixins.programme_scope): the menu asks often."""
        if not hasattr(request, "_programme_scope"):
            request._programme_scope = roundtable_ids_editable_by(request.user)
        return request._programme_scope is None

    def get_queryset(self, request):
        return accounts_managed_by(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self._committee(request)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj) or self._committee(request)
        return allowed and (obj is None or self._manages(request, obj))

    def has_add_permission(self, request):
        return super().has_add_permission(request) or self._committee(request)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj) or self._committee(request)
        return allowed and (obj is None or self._manages(request, obj))

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, not deleted, except by a superuser.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    @staticmethod
    def _manages(request, obj):
        return accounts_managed_by(request.user).filter(pk=obj.pk).exists()

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.committee_add_fieldsets if obj is None else self.committee_fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["last_login", "date_joined"]

    def get_form(self, request, obj=None, **kwargs):
        if not request.user.is_superuser:
            kwargs["form"] = CommitteeUserCreationForm if obj is None else CommitteeUserChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_list_filter(self, request):
        return super().get_list_filter(request) if request.user.is_superuser else ["is_active", "is_staff"]
