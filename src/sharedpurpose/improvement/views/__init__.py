"""Thin views of the team workspace, one module per area (team, goals, data, charts, PDSA)."""
