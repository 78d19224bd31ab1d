"""Forms of the engagement features, one module per area."""
