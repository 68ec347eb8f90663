"""Amicale component « Grants »: grants the organisation awards and the funding it applies for."""
