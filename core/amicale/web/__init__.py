"""The composed web UI: layout, menu, dashboard, errors, and the request guard."""
