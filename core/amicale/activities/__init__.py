"""activities of contacts."""
