"""Forms of applications, one module per area."""
