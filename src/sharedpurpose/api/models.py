"""Personal API tokens: shown once, stored hashed, scoped, limited to teams, expiring."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from sharedpurpose.improvement.models import Team


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'Warehouse'.")
    #: The public part of the token (``sp_<prefix>_<secret>``), used to find it.
    prefix = models.CharField(max_length=16, unique=True)
    #: SHA-256 of the secret part; the secret itself is never stored.
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    all_teams = models.BooleanField(
        default=False, help_text="Every team the user can open, now and later."
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (sp_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
