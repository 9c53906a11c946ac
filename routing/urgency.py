"""Urgency class proposed from the text: emergency, urgent, normal, consult."""
from __future__ import annotations


def classify_urgency(text: str) -> str:
    return "normal"
