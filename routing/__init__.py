"""The router: names the responsible unit for an enterprise appeal from the city's division table.

Kept import-light (the dispatch job imports this package). Public API:
  routing.knowledge  KnowledgeBase, Unit, Matter, Correction, from_parsed
  routing.model      train(kb, threshold=None, starter=True) -> CityModel; CityModel.predict(..., exclude=()) -> Decision
  routing.corpus     the starter corpus: load(), part("train"|"validation"), kind_units(kb), city_records(kb, appeals)
  routing.examples   examples_to_corrections(kb, [(line, {"text", "unit", "urgency"?})]) -> (corrections, bad rows)
  routing.safety     assess(text, urgency) -> Safety (hazards, life danger, 110/119/120 hand-over)
  routing.retrain    retrain(kb, current=None) -> RetrainResult
  routing.urgency    classify_urgency(text)
  routing.duplicates find_duplicate(text, open_appeals, uscc, enterprise), OpenAppeal
  routing.evaluate   predict_records(model, records), evaluate(records, predictions)
"""


def init_app(app) -> None:
    """The routing API and the `routing` commands."""
    from kernel.http import api as rest
    from routing import api, cli

    rest.register_blueprint(api.blp)
    app.cli.add_command(cli.routing)
