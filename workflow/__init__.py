"""The appeal lifecycle: allowed transitions, the event log, and the appeal API for every role."""
