"""Entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`, run from the repository root."""
from tinnhiem import create_app

app = create_app()
