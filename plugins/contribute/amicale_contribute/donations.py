"""Public donation pages and the payment processors."""
