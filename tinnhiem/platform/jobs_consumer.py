"""What runs the queued jobs (platform/jobs.py): huey's consumer with the app's settings, as
three hosts run it:

- `flask --app wsgi jobs worker` (tinnhiem-worker.service, compose's `worker`): the process
  is the consumer; SIGTERM lets the jobs in progress finish (JOBS_GRACEFUL_TIMEOUT), SIGHUP
  does the same and starts again with the code now installed.
- gunicorn, under the embedded queue (`make run`): one process beside the web workers
  (gunicorn's "dirty" pool, deploy/gunicorn.conf.py), started, restarted and stopped by
  gunicorn itself, so no one has to start a worker. `EmbeddedConsumer` is that process's app.
- a test: `running(app)` runs the consumer in threads of the test's process.
"""
import logging
import threading
from contextlib import contextmanager

from huey.consumer import Consumer

from tinnhiem.platform.jobs import IDLE_POLL_SECONDS, queue_of, shown_location

log = logging.getLogger("tinnhiem.jobs")
HEALTH_CHECK_SECONDS = 10


class JobConsumer(Consumer):
    """huey's consumer; its signal handlers only where the process is the consumer (the
    worker command): in gunicorn's process and in a test the host keeps its own."""

    def __init__(self, huey, handle_signals: bool, **options):
        self.handle_signals = handle_signals
        super().__init__(huey, **options)

    def _set_signal_handlers(self):
        if self.handle_signals:
            super()._set_signal_handlers()


def consumer(app, workers: int | None = None, handle_signals: bool = False) -> JobConsumer:
    config = app.config
    made = JobConsumer(queue_of(app).huey, handle_signals,
                       workers=workers or config["JOBS_WORKERS"], worker_type="thread",
                       periodic=False, max_delay=IDLE_POLL_SECONDS,
                       shutdown_timeout=config["JOBS_GRACEFUL_TIMEOUT"],
                       # systemd's and gunicorn's stop signal: finish what is in progress.
                       graceful_signal="TERM")
    log.info("jobs consumer: %d thread(s) on %s", made.workers,
             shown_location(queue_of(app).location))
    return made


@contextmanager
def running(app, workers: int = 1):
    """A consumer in this process's threads while the block runs; stopped gracefully."""
    started = consumer(app, workers)
    started.start()
    try:
        yield started
    finally:
        started.stop(graceful=True)


class EmbeddedConsumer:
    """A gunicorn "dirty app": gunicorn loads it in the one process of its dirty pool and
    calls init() there; close() when that process stops. wsgi.py names the app factory."""

    workers = 1  # gunicorn's own attribute: at most one process runs it
    make_app = None

    def __init__(self):
        self.consumer = None
        self._stopped = threading.Event()

    def init(self):
        self.consumer = consumer(type(self).make_app())
        self.consumer.start()
        # A consumer thread that died is replaced, as the worker command's loop does.
        threading.Thread(target=self._watch, name="jobs-health", daemon=True).start()

    def _watch(self):
        while not self._stopped.wait(HEALTH_CHECK_SECONDS):
            self.consumer.check_worker_health()

    def __call__(self, action, *args, **kwargs):
        raise ValueError("the job consumer takes no requests: enqueue a job instead")

    def close(self):
        self._stopped.set()
        if self.consumer is not None:
            self.consumer.stop(graceful=True)
