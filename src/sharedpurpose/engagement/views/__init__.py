"""Views of the engagement features, one module per area."""
