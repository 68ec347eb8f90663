"""REST API of contributions, financial types, campaigns, pledges and recurring gifts."""
