"""Search filters, mail tokens, the dashboard widget and the reports of contributions."""
