"""The organisation's own settings (name, address, locale, currency...)."""
