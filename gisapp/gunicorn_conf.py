"""gunicorn settings for production (read from the environment like everything else)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# One process per core (Python runs one thread at a time per process) and threads within
# each (gthread): a request waiting on PostgreSQL or a slow one (a dossier poll, a login's
# password hash) must not hold up the short ones queued behind it.
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", 8))
timeout = 120
graceful_timeout = 30
# Workers are recycled (memory) and forked from a master that has already imported the
# application and every view: a new worker answers at once instead of spending seconds of
# CPU on imports while the others carry its share (lookups took up to 1.3 s around each
# recycle under load). Code changes need a restart, not a HUP.
preload_app = True
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# gunicorn's default line plus the time the request took once a thread had it (seconds);
# nginx's upstream time minus this is the wait in gunicorn's queue.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" rt=%(L)s'
forwarded_allow_ips = "127.0.0.1"


def when_ready(server) -> None:
    """In the master, before the first fork: import the URLconf (every view module) and
    close the database connections the imports may have opened, so no worker inherits one."""
    if not server.cfg.preload_app:
        return  # Django is set up in each worker instead
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the views
    connections.close_all()
