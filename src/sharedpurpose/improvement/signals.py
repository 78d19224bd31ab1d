"""Signals other apps listen to, so that the workspace never imports them."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent with ``measure_ids`` (a frozenset) whenever measures' data, settings or annotations
#: change; the evidence base recomputes what it derived from them.
measures_changed = Signal()
