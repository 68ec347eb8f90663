"""groups of contacts."""
