"""Changes to team data, one module per area. Each change is audited."""
