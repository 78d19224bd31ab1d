"""URL patterns of the public engagement features, one module per area."""
