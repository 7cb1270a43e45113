"""The JSON read API."""
