"""The router's suggestion for the operator panel, from routing.service once that module exists.

The panel shows whatever this returns ({"lead", "urgency", "manual", "candidates": [{"unit",
"p", "matter"}]}) and nothing when the router is not installed or cannot answer.
"""
import importlib

from flask import current_app


def router_suggestion(city: str, text: str, enterprise: str, uscc: str) -> dict | None:
    try:
        service = importlib.import_module("routing.service")
    except ImportError:
        return None
    try:
        return service.suggest(city=city, text=text, enterprise=enterprise, uscc=uscc or None)
    except Exception:  # the suggestion is a hint; typing must never fail because of it
        current_app.logger.exception("router suggestion failed")
        return None
