"""The OpenAPI 3.1 description of the staff JSON API (served at /api/openapi.json), generated from
the table of operations in `alerts.web.api.operations`: the bodies and query strings from the
pydantic models that also validate them (`models`), the answers from their types (`answers`),
and the links between operations from what each one makes (an id in its answer)."""

from __future__ import annotations

import functools
import re
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode

from alerts.i18n import LANGUAGES
from alerts.web.api import answers
from alerts.web.api.models import ID_MAX
from alerts.web.api.operations import (
    BEARER_DESCRIPTION,
    ERRORS,
    OPERATIONS,
    Binary,
    Operation,
)

REF = "#/components/schemas/{model}"
JSON = "application/json"
_PATH_PARAM = re.compile(r"{(\w+)}")
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "lang": {"type": "string", "enum": list(LANGUAGES)},
    "photo_id": {"type": "string", "pattern": r"^[A-Za-z0-9_-]{1,64}$"},
}  # every other path parameter is an id: 1 … 2**62


class _Schemas:
    """The components: every type the operations name, each under its own name."""

    def __init__(self) -> None:
        self.wanted: list[tuple[Any, JsonSchemaMode]] = []

    def add(self, kind: Any, mode: JsonSchemaMode) -> None:
        if (kind, mode) not in self.wanted:
            self.wanted.append((kind, mode))

    def generate(self) -> tuple[dict[tuple[Any, JsonSchemaMode], Any], dict[str, Any]]:
        inputs = [(kind, mode, TypeAdapter(kind).core_schema) for kind, mode in self.wanted]
        refs, definitions = GenerateJsonSchema(ref_template=REF).generate_definitions(inputs)
        return dict(refs), {str(name): schema for name, schema in definitions.items()}


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema without its `null` (an absent parameter is the null)."""
    options = [s for s in schema.get("anyOf", []) if s != {"type": "null"}]
    if len(options) == 1:
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        return {**rest, **options[0]}
    return schema


def _without_defaults(schema: dict[str, Any]) -> dict[str, Any]:
    """A body's schema without the models' placeholders for absent fields (descriptions say
    what an absent field means)."""
    properties = {
        name: {k: v for k, v in value.items() if k != "default"}
        for name, value in schema.get("properties", {}).items()
    }
    return {**schema, "properties": properties} if properties else schema


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True,
         "schema": PATH_PARAMETERS.get(name, {"type": "integer", "minimum": 1, "maximum": ID_MAX})}
        for name in _PATH_PARAM.findall(path)
    ]  # fmt: skip


def _query_parameters(op: Operation, definitions: dict[str, Any]) -> list[dict[str, Any]]:
    if op.query is None:
        return []
    schema = definitions[op.query.__name__]
    required = set(schema.get("required", ()))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": _not_null(value)}
        for name, value in schema["properties"].items()
    ]


def _content(media: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {media: {"schema": schema}}}


def _answer_content(answer: Any, refs: dict[tuple[Any, JsonSchemaMode], Any]) -> dict[str, Any]:
    if isinstance(answer, Binary):
        return _content(answer.media, {"type": "string", "format": "binary"})
    return _content(JSON, refs[(answer, "serialization")])


def _links(op: Operation) -> dict[int, dict[str, Any]]:
    """The links from `op`'s answers to every operation that takes an id it makes (and the ids
    of its own address): create a case, then read, edit, submit or approve it."""
    found: dict[int, dict[str, Any]] = {}
    own = set(_PATH_PARAM.findall(op.path))
    for status, made in op.makes.items():
        for other in OPERATIONS:
            needed = set(_PATH_PARAM.findall(other.path)) - {"lang"}
            if other is op or not needed & set(made) or not needed <= own | set(made):
                continue
            parameters = {
                name: f"$response.body#{made[name]}" if name in made else f"$request.path.{name}"
                for name in sorted(needed)
            }
            found.setdefault(status, {})[other.name] = {
                "operationId": other.name, "parameters": parameters,
            }  # fmt: skip
    return found


def _operation(
    op: Operation, refs: dict[tuple[Any, JsonSchemaMode], Any], definitions: dict[str, Any]
) -> dict[str, Any]:
    error = {"$ref": REF.format(model="Error")}
    responses: dict[str, Any] = {
        str(op.ok): {"description": "OK", **_answer_content(op.answer, refs)}
    }
    if op.held:
        responses["202"] = {
            "description": "The change widens what is published: stored as a proposal that a "
            "second staff member with an approver role approves; nothing published changed",
            **_content(JSON, refs[(answers.Held, "serialization")]),
        }
    for status, what in {**ERRORS, **op.errors}.items():
        responses[str(status)] = {"description": what, **_content(JSON, error)}
    for status, links in _links(op).items():
        responses[str(status)]["links"] = links
    described: dict[str, Any] = {
        "operationId": op.name,
        "summary": op.summary,
        "parameters": _path_parameters(op.path) + _query_parameters(op, definitions),
        "responses": responses,
    }
    if op.description:
        described["description"] = op.description
    if op.body is not None:
        described["requestBody"] = {
            "required": True,
            **_content(JSON, refs[(op.body, "validation")]),
        }
    elif op.upload is not None:
        described["requestBody"] = {"required": True, "content": {"multipart/form-data": {
            "schema": {"type": "object", "required": [op.upload.field],
                       "properties": {op.upload.field: {"type": "string", "format": "binary"}}},
            "encoding": {op.upload.field: {"contentType": op.upload.media}},
        }}}  # fmt: skip
    return described


@functools.cache
def _described() -> tuple[dict[str, Any], dict[str, Any]]:
    """The paths and the component schemas (made once: the tables do not change)."""
    schemas = _Schemas()
    schemas.add(answers.Error, "serialization")
    schemas.add(answers.Held, "serialization")
    for op in OPERATIONS:
        for model in (op.body, op.query):
            if model is not None:
                schemas.add(model, "validation")
        if not isinstance(op.answer, Binary):
            schemas.add(op.answer, "serialization")
    refs, definitions = schemas.generate()
    for op in OPERATIONS:
        if op.body is not None:
            name = op.body.__name__
            definitions[name] = _without_defaults(definitions[name])
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs, definitions)
    for op in OPERATIONS:  # query models are parameters, not components
        if op.query is not None:
            definitions.pop(op.query.__name__, None)
    return paths, definitions


def openapi_spec(base_url: str) -> dict[str, Any]:
    """The API description, with `base_url` as its server."""
    paths, definitions = _described()
    return {
        "openapi": "3.1.0",
        "info": {"title": "Community alerts: staff API", "version": "1"},
        "servers": [{"url": base_url}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": BEARER_DESCRIPTION}
            },
            "schemas": definitions,
        },
    }
