"""URL patterns of the team workspace, one module per area; ``improvement.urls`` joins them."""
