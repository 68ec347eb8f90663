"""Email: the transport (SMTP or the instance's outbox), message templates with tokens, and
one-to-one emails recorded as activities."""
