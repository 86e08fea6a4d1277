"""Requests read through the models of `alerts.web.api.models`: a body or a query string that
breaks its model is refused with 422 and an `Error` naming the field and what is wrong."""

from __future__ import annotations

from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from alerts import errors

M = TypeVar("M", bound=BaseModel)
_SHOWN = 3  # problems named in one answer


def refusal(exc: ValidationError, where: str = "") -> errors.InvalidInput:
    """The 422 for `exc`: each problem as `field: what is wrong`, the first one's field."""
    problems = exc.errors(include_url=False, include_input=False)
    fields = [".".join(str(part) for part in p["loc"]) or where for p in problems]
    lines = [
        f"{name}: {_said(p)}" if name else _said(p)
        for name, p in zip(fields, problems, strict=True)
    ][:_SHOWN]
    more = len(problems) - len(lines)
    message = "; ".join(lines) + (f" (and {more} more)" if more > 0 else "") + "."
    return errors.InvalidInput(message, field=fields[0] or None)


def _said(problem: Any) -> str:
    """pydantic's message, with the words of a JSON client."""
    if problem["type"] == "extra_forbidden":
        return "unknown field"
    if problem["type"] == "missing":
        return "required"
    text = str(problem["msg"])
    return text.removeprefix("Value error, ")


async def body(request: web.Request, model: type[M]) -> M:
    """The request's JSON body as `model`; 422 when there is none or it breaks the model."""
    if not request.can_read_body:
        raise errors.InvalidInput("Send a JSON object in the body.")
    raw = await request.read()
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        if any(p["type"] == "json_invalid" for p in exc.errors()):
            raise errors.InvalidInput("The body is not valid JSON.") from None
        if any(p["type"] == "model_type" and not p["loc"] for p in exc.errors()):
            raise errors.InvalidInput("Send a JSON object.") from None
        raise refusal(exc) from None


async def fields(request: web.Request, model: type[BaseModel]) -> dict[str, Any]:
    """The fields the body sent, valid for `model`, as JSON values (for the domain's parsers)."""
    parsed = await body(request, model)
    return parsed.model_dump(mode="json", exclude_unset=True)


def query(request: web.Request, model: type[M]) -> M:
    """The query string as `model`; 422 naming the parameter when it breaks the model."""
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as exc:
        raise refusal(exc) from None
