"""Audit of the append-only event log: `flask audit verify` recomputes every appeal's hash chain."""
