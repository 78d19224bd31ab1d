"""Forms of the evidence base, one module per area."""
