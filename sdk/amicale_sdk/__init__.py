"""The Amicale SDK: what extension authors use to build and test their extensions."""

__version__ = "0.1.0"
