"""URL patterns of the evidence base, one module per area; ``evidence.urls`` joins them."""
