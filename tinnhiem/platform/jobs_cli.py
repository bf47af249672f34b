"""`flask --app wsgi jobs worker | ping | status`: run the queue's consumer, ask whether one
runs, and how many jobs wait (platform/jobs.py)."""
import time
import uuid

import click
from flask import Blueprint, current_app

from tinnhiem.platform.jobs import ping, queue_of, shown_location
from tinnhiem.platform.jobs_consumer import consumer

bp = Blueprint("jobs_cli", __name__, cli_group="jobs")


@bp.cli.command("worker")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help="Jobs run at once (default: JOBS_WORKERS).")
def worker_command(threads):
    """Run queued jobs until stopped (SIGTERM: finish those in progress, then exit)."""
    consumer(current_app._get_current_object(), threads, handle_signals=True).run()


@bp.cli.command("ping")
@click.option("--wait", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds to wait for the answer.")
def ping_command(wait):
    """Queue a ping job and wait until a consumer has run it."""
    queue = queue_of(current_app)
    nonce = uuid.uuid4().hex
    started = time.monotonic()
    ping.enqueue(nonce=nonce)
    while time.monotonic() - started < wait:
        if queue.huey.get(f"ping:{nonce}") is not None:
            click.echo(f"OK: a consumer answered in {time.monotonic() - started:.1f} s")
            return
        time.sleep(0.1)
    raise click.ClickException(
        f"no consumer answered within {wait:g} s on {shown_location(queue.location)}"
        " (is tinnhiem-worker running? are jobs ahead of it?)")


@bp.cli.command("status")
def status_command():
    """The queue's place and the jobs waiting in it."""
    queue = queue_of(current_app)
    click.echo(f"queue: {shown_location(queue.location)}"
               f" ({'embedded: gunicorn runs its consumer' if queue.embedded else 'shared'})")
    click.echo(f"waiting: {queue.huey.pending_count()}")
