"""The Redis connection and the RQ queue, one per process."""
from flask import current_app
from redis import Redis
from rq import Queue


def redis_connection() -> Redis:
    extensions = current_app.extensions
    if "redis" not in extensions:
        # Short timeouts: with Redis down, intake must still answer quickly (the sweep catches up).
        extensions["redis"] = Redis.from_url(
            current_app.config["REDIS_URL"], socket_connect_timeout=0.5, socket_timeout=2
        )
    return extensions["redis"]


def queue() -> Queue:
    return Queue(current_app.config["RQ_QUEUE"], connection=redis_connection())
