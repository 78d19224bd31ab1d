"""URL patterns of applications, one module per area; ``applications.urls`` joins them."""
