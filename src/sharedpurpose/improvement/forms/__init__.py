"""Forms of the team workspace, one module per area."""
