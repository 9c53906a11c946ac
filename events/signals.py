"""Signals of the event log, for capabilities that follow what happens to an appeal without the
code that changed it knowing them (Flask's blinker).

`event_recorded` is sent by `events.log.record` once an event is in the session, inside the
caller's transaction: a receiver's changes and events are part of the same commit and come after
the event in the appeal's log. Sender: the appeal; keywords: `event` (the AppealEvent) and `actor`
(the User or None).
"""
from blinker import Namespace

_signals = Namespace()
event_recorded = _signals.signal("event-recorded")
