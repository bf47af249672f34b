"""Entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`, run from the repository root;
`wsgi:EmbeddedJobs` is the job consumer gunicorn runs beside its workers under the embedded
queue (deploy/gunicorn.conf.py)."""
from tinnhiem import create_app
from tinnhiem.platform.jobs_consumer import EmbeddedConsumer

app = create_app()


class EmbeddedJobs(EmbeddedConsumer):
    # Its own app, built from the environment as `app` above: gunicorn forks that process
    # from its master, whose app (and database connections) belong to the web workers.
    make_app = staticmethod(create_app)
