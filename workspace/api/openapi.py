"""The OpenAPI document as the API behaves: errors in its own format (never FastAPI's 422),
and the two ways of sending an API key."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "examples": ["validation_error"]},
        "message": {"type": "string"},
        "details": {
            "type": "object",
            "description": "`field` names the input at fault, as a path (`signers[0].email`).",
            "additionalProperties": True,
        },
    },
}
ERRORS = {
    "400": "Invalid input (`validation_error`, with `details.field`), or malformed JSON",
    "401": "Missing, malformed, unknown or revoked API key",
    "404": "No such object in this organization",
    "409": "Not possible in the object's current state",
    "429": "Over the key's rate limit; see `Retry-After`",
}
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "`wgs_live_…` or `wgs_test_…`"},
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}


def api_openapi(api: FastAPI) -> dict[str, Any]:
    """Built once: FastAPI's document with its validation-error answer replaced by ours."""
    if api.openapi_schema:
        return api.openapi_schema
    schema = get_openapi(
        title=api.title, version=api.version, description=api.description, routes=api.routes
    )
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status, description in ERRORS.items():
                responses.setdefault(status, {"description": description, **error})
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Error"] = ERROR_SCHEMA
    components["securitySchemes"] = SECURITY_SCHEMES
    schema["security"] = [{"bearer": []}, {"apiKeyHeader": []}]
    api.openapi_schema = schema
    return schema
