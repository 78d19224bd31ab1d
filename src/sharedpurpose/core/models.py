from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Who changed what, when, from what to what. Written by services, never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=100, help_text="e.g. goal.create, member.remove")
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    scope = models.CharField(
        max_length=100, db_index=True, help_text="Whose record this is, e.g. 'team:12'."
    )
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [old, new]}")

    class Meta:
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.summary}"
