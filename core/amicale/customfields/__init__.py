"""customfields of contacts."""
