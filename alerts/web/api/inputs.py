"""Requests read through the models of `alerts.web.api.models`: a body or a query string that
breaks its model is refused with 422 and an `Error` naming the field and what is wrong."""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from alerts import errors
from alerts.web.api.models import LINE_PATTERN, MOMENT, POST_URL, TEXT_PATTERN
from alerts.web.api.partner_models import CHAT_ID, WEBHOOK_URL

M = TypeVar("M", bound=BaseModel)
_SHOWN = 3  # problems named in one answer
WORDS = {
    "missing": "Required.",
    "extra_forbidden": "Unknown field.",
    "int_type": "Must be a whole number.",
    "int_from_float": "Must be a whole number.",
    "int_parsing": "Must be a whole number.",
    "float_type": "Must be a number.",
    "float_parsing": "Must be a number.",
    "finite_number": "Must be a number.",
    "bool_type": "Must be true or false.",
    "bool_parsing": "Must be true or false.",
    "string_type": "Must be text.",
    "list_type": "Must be a list.",
    "none_required": "Must be null.",
    "greater_than_equal": "Must be at least {ge}.",
    "less_than_equal": "Must be at most {le}.",
    "string_too_long": "At most {max_length} characters.",
    "string_too_short": "At least {min_length} characters.",
    "too_short": "At least {min_length}.",
    "too_long": "At most {max_length}.",
    "model_type": "Must be a JSON object.",
    "dict_type": "Must be a JSON object.",
}
PATTERN_PROBLEMS = {
    TEXT_PATTERN: "Contains control characters.",
    LINE_PATTERN: "Must be one line of text, not blank, without control characters.",
    CHAT_ID: "Give the channel's @username, or its numeric id, which starts with a minus sign "
    "(such as -1001234567890).",
    WEBHOOK_URL: "Give the partner's address, starting with https:// (or http://).",
    POST_URL: "Give the address of the post, starting with https://.",
    MOMENT: "Must be a date and time (ISO 8601 with its time zone, such as "
    "2026-05-01T14:30:00+02:00), the year between 1900 and 2200.",
}


def refusal(exc: ValidationError, model: type[BaseModel]) -> errors.InvalidInput:
    """The 422 for `exc`: each problem as `field: what is wrong`; `field` names the first one's
    field (its top-level name, as a form names it)."""
    problems = exc.errors(include_url=False)
    properties = _properties(model)
    refused = getattr(model, "refused", {})
    lines = [
        f"{_where(p)}: {_said(p, properties, refused)}" if p["loc"] else _said(p, properties, {})
        for p in problems
    ][:_SHOWN]
    more = len(problems) - len(lines)
    message = " ".join(lines) + (f" (And {more} more.)" if more > 0 else "")
    field = str(problems[0]["loc"][0]) if problems[0]["loc"] else None
    return errors.InvalidInput(message, field=field)


@functools.cache
def _properties(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema of each field of `model` (made once per model)."""
    properties: dict[str, Any] = model.model_json_schema().get("properties", {})
    return properties


def _bounds(problem: Any, properties: dict[str, Any]) -> tuple[Any, Any] | None:
    """The minimum and maximum of the field at fault, when its schema gives both."""
    schema = properties.get(str(problem["loc"][0]), {}) if problem["loc"] else {}
    for option in (schema, *schema.get("anyOf", ())):
        if "minimum" in option and "maximum" in option:
            return option["minimum"], option["maximum"]
    return None


def _where(problem: Any) -> str:
    return ".".join(str(part) for part in problem["loc"])


def _said(problem: Any, properties: dict[str, Any], refused: dict[str, str]) -> str:
    """What is wrong, in the words of a JSON client rather than pydantic's."""
    kind, ctx = problem["type"], problem.get("ctx", {})
    if kind == "extra_forbidden" and str(problem["loc"][-1]) in refused:
        return refused[str(problem["loc"][-1])]
    if kind == "string_pattern_mismatch":
        if isinstance(problem.get("input"), str) and not problem["input"].strip():
            return "Must not be blank."
        return PATTERN_PROBLEMS.get(ctx.get("pattern"), "Does not have the expected form.")
    if kind in ("enum", "literal_error"):
        options = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"Must be one of: {options}."
    if kind in ("greater_than_equal", "less_than_equal") and (
        found := _bounds(problem, properties)
    ):
        return f"Must be between {found[0]:g} and {found[1]:g}."
    said = WORDS.get(kind)
    if said is not None:
        return said.format(**ctx)
    text = str(problem["msg"]).removeprefix("Value error, ")
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


async def body(request: web.Request, model: type[M]) -> M:
    """The request's JSON body as `model`; 422 when there is none or it breaks the model."""
    if not request.can_read_body:
        raise errors.InvalidInput("Send a JSON object.")
    raw = await request.read()
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        if any(p["type"] == "json_invalid" for p in exc.errors()):
            raise errors.InvalidInput("The body is not valid JSON.") from None
        if any(p["type"] == "model_type" and not p["loc"] for p in exc.errors()):
            raise errors.InvalidInput("Send a JSON object.") from None
        raise refusal(exc, model) from None


async def fields(request: web.Request, model: type[BaseModel]) -> dict[str, Any]:
    """The fields the body sent, valid for `model`, as JSON values (for the domain's parsers)."""
    parsed = await body(request, model)
    return parsed.model_dump(mode="json", exclude_unset=True)


def query(request: web.Request, model: type[M]) -> M:
    """The query string as `model`; 422 naming the parameter when it breaks the model."""
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as exc:
        raise refusal(exc, model) from None
