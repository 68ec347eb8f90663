"""Batch data entry of gifts that arrive by post, deposit slips, and the accounting journal."""
