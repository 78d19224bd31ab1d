"""Domain functions of applications, one module per area; views call these and nothing else
changes application data."""
