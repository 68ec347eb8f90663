"""Amicale component « Events »: events, registrations, waitlists, fees, check-in and reminders."""
