"""``python -m amicale`` is the ``amicale`` command."""

from .cli import main

main()
