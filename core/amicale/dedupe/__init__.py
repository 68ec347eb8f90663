"""Duplicate contacts: rules, finding pairs, merging."""
