"""
drf-spectacular hooks: the published schema describes every answer the API gives, errors included.

Every error body has the shape of `common.api.exception_handler` (`{"message", "extra"}`). Any operation
can answer 401 (no or a bad token), 403 (no permission), 404 (an object outside the user's scope or
missing) and 400 (invalid parameters or body); an operation that writes can also answer 409 (a conflict
with stored data: a double booking, a protected object).
"""

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "message": {"type": "string"},
        "extra": {"type": "object", "additionalProperties": True},
    },
    "required": ["message", "extra"],
}
ERRORS = {
    "400": "Invalid parameters or body; field errors are in extra.fields.",
    "401": "No credentials or invalid credentials.",
    "403": "The user may not do this.",
    "404": "No such object, or outside the user's scope.",
}
WRITE_ERRORS = {"409": "Conflicts with stored data (an overlap, an object still in use, a changed state)."}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS entry: add the error answers to every operation (those it documents itself
    are kept)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = {**ERRORS, **(WRITE_ERRORS if method in WRITE_METHODS else {})}
            for code, description in errors.items():
                operation["responses"].setdefault(code, {"description": description, "content": reference})
    return result


# DRF writes a time as "17:30:00" (local, no offset); JSON Schema's `format: time` is RFC 3339's
# full-time, which needs an offset ("17:30:00+07:00"), so the schema describes the form actually used.
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


def plain_times(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS entry: `format: time` becomes the pattern of the times DRF reads and writes."""

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("format") == "time" and node.get("type") == "string":
                del node["format"]
                node["pattern"] = TIME_PATTERN
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def file_responses(*media_types: str) -> dict:
    """`extend_schema(responses=...)` for an action that answers a file (an export, a PDF)."""
    from drf_spectacular.types import OpenApiTypes

    return {(200, media_type): OpenApiTypes.BINARY for media_type in media_types}
