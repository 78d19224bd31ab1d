"""Views of the evidence base, one module per area. Views parse input and call services."""
