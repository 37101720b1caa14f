"""
JSON bodies nested deeper than `MAX_JSON_DEPTH` are refused with a 400: a body nested 100,000 deep
made `json` raise RecursionError (a 500) on every API write and on the Janus webhook, and anything
that walks a deep structure recursively afterwards would fail the same way. No request of the portal
nests more than a handful of levels.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 64


class JSONTooDeepError(ValueError):
    pass


def check_depth(data: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise JSONTooDeepError when lists and objects nest deeper than `limit` (iteratively)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            raise JSONTooDeepError
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def loads(body: bytes | str, limit: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads` that raises JSONTooDeepError (a ValueError) for a body nested too deep."""
    try:
        data = json.loads(body)
    except RecursionError as exc:
        raise JSONTooDeepError from exc
    check_depth(data, limit)
    return data


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than `MAX_JSON_DEPTH` with a 400."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("The JSON body is nested too deeply.")) from exc
        try:
            check_depth(data)
        except JSONTooDeepError as exc:
            raise ParseError(_("The JSON body is nested too deeply.")) from exc
        return data
