"""Timebank: an extension of Amicale."""
