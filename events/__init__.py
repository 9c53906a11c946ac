"""The appeal's event log: every change of an appeal appended as a hash-chained event (`log`).

Below every capability: intake, routing, workflow, SLA and supervision all append to it.
"""
