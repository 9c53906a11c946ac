"""The Redis connection and the RQ queues, one connection per process.

Two queues for the outbox's jobs, each named by a setting: the main one (`RQ_QUEUE`: dispatch and
everything else) and the training one (`RQ_TRAINING_QUEUE`: retraining a city's router, minutes of
work), so that a received appeal never waits behind a retrain (jobs.registry `queue=`).
"""
import time

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


# A job's queue as registered (jobs.registry) -> the setting naming it.
QUEUES = {"main": "RQ_QUEUE", "training": "RQ_TRAINING_QUEUE"}
# Seconds a job of the queue may run before RQ stops it (RQ's default: 180). A retrain took 5–7
# minutes on a starved machine (docs/performance.md), and its worker runs at the lowest priority.
TIMEOUTS = {"training": 3600}


def queue(name: str = "main") -> Queue:
    return Queue(current_app.config[QUEUES[name]], connection=redis_connection(), default_timeout=TIMEOUTS.get(name))


def outlive_redis_outages(start, pause: float = 2.0) -> None:
    """Run `start()` (a worker's or scheduler's loop) again whenever a lost Redis connection ends it.

    RQ's worker and cron scheduler exit when Redis goes away mid-command; the outbox already
    makes every job safe to run again, so the process just waits and starts over. A normal
    return (burst done, SIGTERM/SIGINT) ends the loop.
    """
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    while True:
        try:
            return start()
        except (RedisConnectionError, RedisTimeoutError) as error:
            current_app.logger.warning("redis connection lost (%s), starting again in %ss",
                                       type(error).__name__, pause)
            time.sleep(pause)
