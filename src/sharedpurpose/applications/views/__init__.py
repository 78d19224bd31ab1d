"""Views of applications, one module per area. Views parse input and call services."""
