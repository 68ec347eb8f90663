"""The change log: who changed what on a contact and its details, when, from what to what."""
