"""relationships of contacts."""
