"""The kernel: what every other package stands on and which imports none of them.

The database (`db`), settings from the environment (`settings`), the shared vocabulary of an appeal
(`vocabulary`: channel, urgency, status with their labels and order), the HTTP kit of every API
blueprint (`http`, `schemas`), database-outage answers (`errors`) and log masking (`logs`).
"""
