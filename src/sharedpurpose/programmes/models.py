from __future__ import annotations

from django.db import models
from django.urls import reverse


class Programme(models.Model):
    """A funder's improvement programme, run in rounds (e.g. Closing the Gap)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    summary = models.TextField(help_text="One or two sentences shown in lists and search results.")
    description = models.TextField(blank=True, help_text="Markdown.")
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:programme", kwargs={"programme_slug": self.slug})


class RoundState(models.TextChoices):
    DRAFT = "draft", "Draft"
    ANNOUNCED = "announced", "Opening soon"
    OPEN = "open", "Open for applications"
    CLOSED = "closed", "Closed for applications"
    IN_DELIVERY = "in_delivery", "In delivery"
    COMPLETE = "complete", "Complete"


PUBLIC_ROUND_STATES = frozenset(RoundState) - {RoundState.DRAFT}


class Round(models.Model):
    """One round of a programme: its aims, key dates and where it is in its lifecycle."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    summary = models.TextField()
    aims = models.JSONField(default=list, blank=True, help_text="A list of short aim statements.")
    body = models.TextField(blank=True, help_text="Markdown.")
    state = models.CharField(max_length=20, choices=RoundState.choices, default=RoundState.DRAFT)
    timezone = models.CharField(max_length=64, default="Europe/London")
    applications_open_at = models.DateTimeField(null=True, blank=True)
    applications_close_at = models.DateTimeField(null=True, blank=True)
    delivery_starts_on = models.DateField(null=True, blank=True)
    delivery_ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "slug"], name="round_slug_unique"),
            models.UniqueConstraint(fields=["programme", "number"], name="round_number_unique"),
            models.CheckConstraint(
                condition=models.Q(applications_close_at__isnull=True)
                | models.Q(applications_open_at__isnull=True)
                | models.Q(applications_close_at__gt=models.F("applications_open_at")),
                name="round_closes_after_it_opens",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name}, round {self.number}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse(
            "programmes:round",
            kwargs={"programme_slug": self.programme.slug, "round_slug": self.slug},
        )
