"""The appeal's event log: every change of an appeal appended as a hash-chained event (`log`),
and the signal sent for each new event (`signals`).

Below every capability: intake, routing, workflow, SLA and supervision all append to it.
"""
