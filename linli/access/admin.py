"""Read-only admin views for support: every change goes through the services (and the audit
trail), so nothing here can add, edit or delete."""

from django.contrib import admin

from linli.access import models


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.AccessPoint)
class AccessPointAdmin(ReadOnly):
    list_display = ("name", "kind", "community", "building", "direction", "is_active")
    list_filter = ("kind", "community")


@admin.register(models.Terminal)
class TerminalAdmin(ReadOnly):
    list_display = ("name", "point", "token_prefix", "last_seen_at", "last_version", "revoked_at")
    exclude = ("token_hash",)


@admin.register(models.Grant)
class GrantAdmin(ReadOnly):
    list_display = ("person", "zone", "source", "valid_from", "valid_until", "revoked_at")
    list_filter = ("source",)
    raw_id_fields = ("person", "zone", "house")


@admin.register(models.AccessEvent)
class AccessEventAdmin(ReadOnly):
    list_display = ("at", "point", "method", "allowed", "reason", "offline")
    list_filter = ("allowed", "method")
    exclude = ("person", "detail")
