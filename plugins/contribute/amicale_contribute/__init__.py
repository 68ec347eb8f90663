"""Amicale component « Contributions »: donations, campaigns, pledges, recurring gifts, cheque batches and tax receipts."""
