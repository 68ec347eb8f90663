"""Contacts: people, households and organisations."""
