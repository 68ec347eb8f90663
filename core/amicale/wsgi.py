"""WSGI entry point for gunicorn: ``gunicorn 'amicale.wsgi:app'``."""

from .app import create_app

app = create_app()
