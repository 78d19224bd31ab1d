"""Shared Purpose: run healthcare quality-improvement programmes end to end."""

__version__ = "0.1.0"
