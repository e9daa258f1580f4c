"""The task queue: one huey instance whose storage follows the app's settings."""

from pathlib import Path

from huey import Huey
from huey.storage import MemoryStorage, PriorityRedisStorage, SqliteStorage

# Job kinds that start_job may enqueue, each with its huey task (filled by `job_task`).
JOB_TASKS: dict = {}


class AppHuey(Huey):
    """A huey configured by `init_app`, its storage opened on first use, not at import."""

    _storage = None

    @property
    def storage(self):
        """The queue's storage, created the first time something needs it."""
        if self._storage is None:
            self._storage = self.create_storage()
        return self._storage

    @storage.setter
    def storage(self, value):
        self._storage = value

    def configure(self, name: str, immediate: bool, storage_class, **storage_kwargs) -> None:
        """Point the queue at a storage; it is opened lazily (a web process may never enqueue)."""
        old = self._storage
        if old is not None and hasattr(old, "close"):
            old.close()
        self.name = name
        self.storage_class = storage_class
        self.storage_kwargs = storage_kwargs
        self._immediate = immediate
        self._storage = None


# Until init_app runs (a bare import), tasks run at once in memory rather than go nowhere.
huey = AppHuey("bansos", immediate=True, storage_class=MemoryStorage)

# The Flask app the tasks run under in this process (see tasks.flask_app), and the settings
# the queue follows now.
state = {"app": None, "settings": None}


def _settings(app) -> tuple:
    """(name, immediate, storage class, storage keyword arguments) from the app's config."""
    name = app.config.get("HUEY_NAME") or "bansos"
    if app.config.get("HUEY_IMMEDIATE"):
        return name, True, MemoryStorage, ()
    if app.config.get("REDIS_URL"):
        # Several app servers and workers share one Redis; priorities need Redis >= 5.
        return name, False, PriorityRedisStorage, (("url", app.config["REDIS_URL"]),)
    filename = app.config.get("HUEY_FILE") or str(Path(app.instance_path) / "huey.db")
    return name, False, SqliteStorage, (("filename", filename),)


def use_app(app) -> AppHuey:
    """Point the queue at this app's storage; a no-op when it already is (one app a process)."""
    settings = _settings(app)
    if state["settings"] != settings:
        name, immediate, storage_class, kwargs = settings
        huey.configure(name, immediate, storage_class, **dict(kwargs))
        state["settings"] = settings
    return huey


def init_app(app) -> None:
    """Choose the storage: memory when HUEY_IMMEDIATE, Redis when REDIS_URL, else SQLite."""
    state["app"] = app
    app.extensions["huey"] = huey
    state["settings"] = None  # settings may have changed on the same app (tests)
    use_app(app)
    from ..tickets import tasks as _ticket_tasks  # noqa: F401  (overdue and lapse, hourly)
    from ..vouchers import slip_tasks, tasks  # noqa: F401  (issuance and bulk slip jobs)
    from . import tasks as _job_tasks  # noqa: F401  (registers the tasks on this huey)


def job_task(kind: str, **options):
    """Register a huey task taking a job id, as the work behind `start_job(..., kind, ...)`."""

    def decorator(func):
        task = huey.task(name=kind, **options)(func)
        JOB_TASKS[kind] = task
        return task

    return decorator


def storage_description() -> str:
    """Say where queued tasks go, for the worker's start-up line."""
    if huey.immediate:
        return "immediate (in process)"
    kwargs = huey.storage_kwargs
    if huey.storage_class is PriorityRedisStorage:
        return f"Redis ({huey.name})"
    return f"SQLite {kwargs.get('filename')} ({huey.name})"
