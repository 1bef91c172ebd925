"""Auth, envelope, errors, limits and idempotency shared by every /api/v1 route."""

import pytest
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient
from pydantic import BaseModel, field_validator
from sqlmodel import func, select

from workspace.api import me
from workspace.api.app import create_app
from workspace.api.auth import api_actor
from workspace.api.responses import created
from workspace.core import clock
from workspace.core.actor import Actor
from workspace.core.db import session_scope
from workspace.core.ids import new_id
from workspace.core.models import AuditLog, IdempotencyRecord
from workspace.core.services.api_keys import revoke_api_key
from workspace.core.services.audit import record_audit

echo = APIRouter()


class Signer(BaseModel):
    name: str
    email: str

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if "@" not in value:
            raise ValueError("not an email address")
        return value


class EchoBody(BaseModel):
    title: str
    signers: list[Signer]


@echo.post("/echo")
def echo_route(body: EchoBody, actor: Actor = Depends(api_actor)):
    """Writes one audit row per call so replays can be counted."""
    with session_scope() as session:
        record_audit(session, actor=actor, subject_type="echo", subject_id="echo", action="echo")
    return created({"id": new_id("env"), "title": body.title})


@pytest.fixture
def api():
    with TestClient(create_app([me.router, echo]), base_url="http://testserver") as test_client:
        yield test_client


def _audit_count() -> int:
    with session_scope() as session:
        return session.exec(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "echo")
        ).one()


def test_me_with_bearer_and_x_api_key(client, org):
    response = client.get("/api/v1/me", headers=org.headers())
    assert response.status_code == 200
    body = response.json()["data"]
    assert body["organization"]["id"] == org.org_id and body["mode"] == "live"
    response = client.get("/api/v1/me", headers={"X-API-Key": org.test_key})
    assert response.json()["data"]["mode"] == "test"
    assert response.headers["X-RateLimit-Limit"] == "600"
    assert int(response.headers["X-RateLimit-Remaining"]) < 600
    assert int(response.headers["X-RateLimit-Reset"]) > 0


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Missing API key"),
        ({"Authorization": "Bearer nope"}, "Malformed API key"),
        ({"Authorization": "Bearer wgs_live_" + "a" * 49}, "Malformed API key"),
    ],
)
def test_bad_keys_get_401_in_error_format(client, org, headers, message):
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized" and message in response.json()["message"]


def test_unknown_and_revoked_keys_get_401(client, org):
    from workspace.core.services.api_keys import generate_key

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {generate_key('live')}"})
    assert response.status_code == 401 and "Unknown" in response.json()["message"]
    # A key in use is remembered for a few seconds; revoking it must end that at once.
    assert client.get("/api/v1/me", headers=org.headers()).status_code == 200
    with session_scope() as session:
        from workspace.core.models import ApiKey

        key = session.exec(select(ApiKey).where(ApiKey.mode == "live")).one()
        revoke_api_key(session, actor=org.actor, key_id=key.id)
    response = client.get("/api/v1/me", headers=org.headers())
    assert response.status_code == 401 and "revoked" in response.json()["message"]


def test_unknown_route_is_404_in_error_format(client, org):
    response = client.get("/api/v1/nothing-here", headers=org.headers())
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "No such route."}


def test_validation_errors_are_400_with_field_path(api, org):
    response = api.post(
        "/api/v1/echo",
        headers=org.headers(),
        json={"title": "T", "signers": [{"name": "A", "email": "bad"}]},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "validation_error"
    assert body["details"] == {"field": "signers[0].email", "value": "bad"}
    assert "detail" not in body  # FastAPI's own 422 shape never leaks
    assert _audit_count() == 0


def test_malformed_json_and_wrong_content_type(api, org):
    response = api.post(
        "/api/v1/echo",
        headers={**org.headers(), "Content-Type": "application/json"},
        content=b'{"title": ',
    )
    assert response.status_code == 400 and "not valid JSON" in response.json()["message"]
    response = api.post(
        "/api/v1/echo", headers={**org.headers(), "Content-Type": "text/plain"}, content=b"title=x"
    )
    assert response.status_code == 415 and response.json()["error"] == "unsupported_media_type"
    assert _audit_count() == 0


def test_oversize_bodies_get_413(api, org, monkeypatch):
    monkeypatch.setenv("MAX_BODY_BYTES", "2048")
    from workspace.core.config import get_settings

    get_settings.cache_clear()
    try:
        big = {"title": "x" * 5000, "signers": []}
        response = api.post("/api/v1/echo", headers=org.headers(), json=big)
        assert response.status_code == 413 and response.json()["error"] == "payload_too_large"

        def chunks():
            yield b'{"title": "'
            yield b"y" * 4000
            yield b'", "signers": []}'

        response = api.post(
            "/api/v1/echo",
            headers={**org.headers(), "Content-Type": "application/json"},
            content=chunks(),
        )
        assert response.status_code == 413
    finally:
        monkeypatch.delenv("MAX_BODY_BYTES")
        get_settings.cache_clear()
    assert _audit_count() == 0


def test_idempotency_key_replays_and_conflicts(api, org):
    body = {"title": "Contract", "signers": [{"name": "A", "email": "a@example.com"}]}
    headers = {**org.headers(), "Idempotency-Key": "abc-123"}
    first = api.post("/api/v1/echo", headers=headers, json=body)
    second = api.post("/api/v1/echo", headers=headers, json=body)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("idempotent-replayed") == "true"
    spaced = api.post(  # the same JSON written another way is the same request
        "/api/v1/echo",
        headers={**headers, "Content-Type": "application/json"},
        content=b'{ "signers": [{"email": "a@example.com", "name": "A"}],\n  "title": "Contract" }',
    )
    assert spaced.status_code == 201 and spaced.json() == first.json()
    assert spaced.headers.get("idempotent-replayed") == "true"
    assert _audit_count() == 1
    conflict = api.post("/api/v1/echo", headers=headers, json={**body, "title": "Other"})
    assert conflict.status_code == 409 and conflict.json()["error"] == "idempotency_conflict"
    other_key = api.post(
        "/api/v1/echo",
        headers={**org.headers(org.test_key), "Idempotency-Key": "abc-123"},
        json=body,
    )
    assert other_key.status_code == 201 and other_key.json() != first.json()  # scoped per API key
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(IdempotencyRecord)).one() == 2


def test_rate_limit_returns_429_with_retry_after(client, org, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "3")
    from workspace.core.config import get_settings

    get_settings.cache_clear()
    # Hold the clock inside one rate-limit window however slowly the requests run.
    window_start = clock.now_ms() // 60_000 * 60_000
    try:
        with clock.travel(to_ms=window_start + 60_000 + 1_000):
            statuses = [
                client.get("/api/v1/me", headers=org.headers()).status_code for _ in range(4)
            ]
            limited = client.get("/api/v1/me", headers=org.headers())
    finally:
        monkeypatch.delenv("RATE_LIMIT_PER_MINUTE")
        get_settings.cache_clear()
    assert statuses == [200, 200, 200, 429]
    assert limited.json()["error"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    # another key has its own budget
    assert client.get("/api/v1/me", headers=org.headers(org.test_key)).status_code == 200


def test_openapi_and_docs(client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and "/me" in spec.json()["paths"]
    operations = [
        operation["operationId"]
        for path in spec.json()["paths"].values()
        for operation in path.values()
    ]
    assert len(operations) == len(set(operations)), "operation ids must be unique"
    assert {"put", "patch"} <= set(spec.json()["paths"]["/templates/{template_id}"])
    create = spec.json()["paths"]["/customers"]["post"]["responses"]
    assert "422" not in create and set(create) >= {"201", "400", "401", "429"}
    error = create["400"]["content"]["application/json"]["schema"]["$ref"]
    assert error == "#/components/schemas/Error"
    components = spec.json()["components"]
    assert "HTTPValidationError" not in components["schemas"]
    assert components["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert not any(
        "422" in op["responses"] for p in spec.json()["paths"].values() for op in p.values()
    )
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
