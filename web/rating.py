"""The follow-up rating form, answered by the enterprise (web.mobile) or taken down by an operator
on a follow-up call (web.followup)."""
from supervision.followup import RATINGS


def rating_form(form) -> tuple[dict, dict]:
    """The answers of a rating form (the enterprise's own, or an operator's follow-up call):
    solved (yes / no), rating and an optional note, with the errors to show beside them."""
    values = {name: form.get(name, "").strip() for name in ("solved", "rating", "note")}
    errors = {}
    if values["solved"] not in ("yes", "no"):
        errors["solved"] = ["请选择问题是否已解决"]
    if values["rating"] not in RATINGS:
        errors["rating"] = ["请选择满意程度"]
    if len(values["note"]) > 500:
        errors["note"] = ["意见建议不超过500字"]
    return values, errors
