"""Installed and enabled components of the organisation (Administer -> Components)."""
