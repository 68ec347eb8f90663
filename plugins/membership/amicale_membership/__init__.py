"""Amicale component « Membership »: membership types, statuses computed from dates, renewals, dues and reminders."""
