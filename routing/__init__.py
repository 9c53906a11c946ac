"""The router: names the responsible unit for an enterprise appeal from the city's division table.

Kept import-light (the dispatch job imports this package). Public API:
  routing.knowledge  KnowledgeBase, Unit, Matter, Correction, from_parsed
  routing.model      train(kb, threshold=None) -> CityModel; CityModel.predict(...) -> Decision
  routing.retrain    retrain(kb, current=None) -> RetrainResult
  routing.urgency    classify_urgency(text)
  routing.duplicates find_duplicate(text, open_appeals, uscc, enterprise), OpenAppeal
  routing.evaluate   predict_records(model, records), evaluate(records, predictions)
"""
