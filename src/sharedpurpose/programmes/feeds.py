"""Atom 1.0 feeds of announcements: the whole site's, and one per programme."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from sharedpurpose.core.text import markdown_to_html

from . import selectors
from .models import Announcement, Programme


class AnnouncementsFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def title(self) -> str:
        return f"{settings.SHAREDPURPOSE_SITE_NAME} announcements"

    subtitle = "News of programmes and rounds, including when applications open."
    description_template = None

    def link(self) -> str:
        return reverse("programmes:programme_list")

    def feed_url(self) -> str:
        return reverse("programmes:feed")

    def items(self) -> QuerySet[Announcement]:
        return selectors.announcements_public()

    def item_title(self, item: Announcement) -> str:
        return item.title

    def item_description(self, item: Announcement) -> str:
        return markdown_to_html(item.body)

    def item_link(self, item: Announcement) -> str:
        target = item.round if item.round is not None else item.programme
        return target.get_absolute_url()

    def item_guid(self, item: Announcement) -> str:
        # Several announcements link to the same page; each entry still needs its own id.
        return f"{self.item_link(item)}#announcement-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Announcement) -> datetime:
        return item.published_at

    def item_updateddate(self, item: Announcement) -> datetime:
        return item.published_at

    def item_categories(self, item: Announcement) -> list[str]:
        return [str(item.get_kind_display())]


class ProgrammeAnnouncementsFeed(AnnouncementsFeed):
    def get_object(self, request: HttpRequest, programme_slug: str) -> Programme:
        return selectors.programme_public_get(slug=programme_slug)

    def title(self, obj: Programme) -> str:  # type: ignore[override]
        return f"{obj.name} announcements"

    def link(self, obj: Programme) -> str:  # type: ignore[override]
        return obj.get_absolute_url()

    def feed_url(self, obj: Programme) -> str:  # type: ignore[override]
        return reverse("programmes:programme_feed", kwargs={"programme_slug": obj.slug})

    def items(self, obj: Programme) -> QuerySet[Announcement]:  # type: ignore[override]
        return selectors.announcements_public(programme=obj)
