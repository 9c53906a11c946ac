"""Intake: validate, de-duplicate and store incoming appeals, then queue them for dispatch."""
