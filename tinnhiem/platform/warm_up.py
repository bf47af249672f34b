"""What a serving process does once before its workers fork (deploy/gunicorn.conf.py), so that
no worker does it again after each fork: SQLAlchemy configures its mappers at the first query
(a tenth of a second), and Jinja compiles each template the first time a page uses it."""
from sqlalchemy.orm import configure_mappers


def warm_up(app) -> int:
    """Configure the mappers and compile every page template of `app`; returns how many
    templates were compiled."""
    configure_mappers()
    environment = app.jinja_env
    names = [name for name in environment.list_templates() if name.endswith(".html")]
    for name in names:
        environment.get_template(name)
    return len(names)
