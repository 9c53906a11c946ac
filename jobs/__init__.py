"""Redis and RQ: the transactional outbox, its relay and sweep, the worker and periodic jobs."""
