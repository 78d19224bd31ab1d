"""Settings for the round-page load test: the project's own, plus a minimal view to compare."""

from sharedpurpose.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.minimal_urls"
