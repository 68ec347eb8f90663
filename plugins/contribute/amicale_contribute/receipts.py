"""Receipts and yearly tax receipts (reçu fiscal, Cerfa n° 11580), numbered without gaps."""
