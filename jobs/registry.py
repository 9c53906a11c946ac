"""Jobs under stable names: what outbox rows and the periodic list store instead of import paths.

A queued job outlives a release: moving or renaming the module behind it must not orphan it. Each
package registers its own jobs (`@register("dispatch_appeal")` at the function); `resolve` is how
the outbox and the periodic runner find them, and fails loudly on a name nobody registered. A job
names its RQ queue there too (`queue="training"`: jobs.connection.QUEUES), where the outbox pushes
its messages.
"""
from collections.abc import Callable
from dataclasses import dataclass

from jobs.connection import QUEUES


@dataclass(frozen=True)
class Job:
    name: str
    function: Callable
    # Messages of this job one outbox run may take together (jobs.outbox.run), each in its own
    # savepoint; 1: one at a time.
    batch: int = 1
    # Called with the message's arguments, in the message's transaction (a savepoint of its own),
    # when the outbox dead-letters one of its messages (jobs.outbox): so that what the job was to
    # do is not left waiting where nobody looks (dispatch: the appeal goes to manual dispatch).
    on_dead: Callable | None = None
    # The RQ queue its messages are pushed to (jobs.connection.QUEUES): "training" for long work
    # that must not hold up the main queue's jobs.
    queue: str = "main"


class UnknownJob(LookupError):
    """A stored job name no loaded package registered (a release dropped it, or its package was
    not imported by the process running it)."""


_jobs: dict[str, Job] = {}


def register(name: str, *, batch: int = 1, on_dead: Callable | None = None,
             queue: str = "main") -> Callable[[Callable], Callable]:
    """Decorator: register the function under `name`; the function is returned unchanged."""
    if queue not in QUEUES:
        raise ValueError(f"job {name!r}: unknown queue {queue!r} (known: {', '.join(QUEUES)})")

    def decorate(function: Callable) -> Callable:
        known = _jobs.get(name)
        if known is not None and _path(known.function) != _path(function):
            raise ValueError(f"job name {name!r} is already registered for {_path(known.function)}")
        _jobs[name] = Job(name, function, batch, on_dead, queue)
        return function
    return decorate


def _path(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def resolve(name: str) -> Job:
    try:
        return _jobs[name]
    except KeyError:
        raise UnknownJob(f"no job registered under {name!r} (known: {', '.join(sorted(_jobs))})") from None


def queue_of(name: str) -> str:
    """The queue of a stored job name; the main one for a name nobody registered (its run records
    the failure there)."""
    known = _jobs.get(name)
    return known.queue if known is not None else "main"


def names() -> list[str]:
    return sorted(_jobs)
