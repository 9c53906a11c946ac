"""The appeal form (operator console and enterprise pages) read into the intake schema's shape,
so the pages validate exactly as the API does and show its messages next to each field."""
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from intake.schemas import AppealInSchema
from kernel.schemas import flat_errors

# Form field names are the schema's paths, so errors land next to the right field.
FIELDS = ("enterprise.name", "enterprise.uscc", "complainant.name", "complainant.phone", "text", "address",
          "urgency", "channel", "external_id", "life_danger")


def form_values(form: MultiDict) -> dict[str, str]:
    return {name: form.get(name, "").strip() for name in FIELDS}


def load_appeal(values: dict[str, str], city: str) -> tuple[dict | None, dict[str, list[str]]]:
    """(validated data, {}) or (None, {field: [messages]}). Empty fields are left out, so a
    missing value gets the schema's "please fill in" message rather than a length error."""
    body: dict = {"city": city}
    for name, value in values.items():
        if not value:
            continue
        head, _, tail = name.partition(".")
        if tail:
            body.setdefault(head, {})[tail] = value
        else:
            body[head] = value
    for part in ("enterprise", "complainant"):
        body.setdefault(part, {})
    try:
        return AppealInSchema().load(body), {}
    except ValidationError as error:
        return None, flat_errors(error.messages)
