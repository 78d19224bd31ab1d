"""Statistical process control for Shared Purpose.

A framework-free numeric core: it imports numpy and the standard library only,
never Django, so that the web application, reports, the CLI and benchmarks all
share one implementation of the charts.
"""
