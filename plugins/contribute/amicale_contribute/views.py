"""Pages of contributions, financial types, payment instruments, campaigns, pledges and recurring gifts."""
