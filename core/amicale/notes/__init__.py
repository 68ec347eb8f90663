"""notes of contacts."""
