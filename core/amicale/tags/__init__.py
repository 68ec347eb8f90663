"""tags of contacts."""
