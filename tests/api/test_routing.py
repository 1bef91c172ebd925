"""Where /api/v1 handlers run: on the event loop for SQLite, in worker threads for uploads, for
handlers marked `threaded` and for PostgreSQL."""

import threading

import pytest
from fastapi import APIRouter, Body, Depends
from fastapi.testclient import TestClient

from tests.conftest import is_postgres
from workspace.api.app import create_app
from workspace.api.auth import api_actor
from workspace.api.responses import ok
from workspace.api.routing import INLINE_BODY_BYTES, ApiRouter, DatabaseRoute, threaded
from workspace.core.actor import Actor
from workspace.core.db import read_scope
from workspace.core.models import Organization

probe = APIRouter(route_class=DatabaseRoute)


@probe.get("/probe/loop")
async def loop_thread():
    return ok({"thread": threading.get_ident()})


@probe.get("/probe/read")
def read(actor: Actor = Depends(api_actor)):
    with read_scope() as session:
        name = session.get(Organization, actor.org_id).name
    return ok({"thread": threading.get_ident(), "name": name})


@probe.post("/probe/upload")
def upload(data: str = Body(embed=True), actor: Actor = Depends(api_actor)):
    return ok({"thread": threading.get_ident(), "size": len(data)})


@probe.get("/probe/render")
@threaded
def render(actor: Actor = Depends(api_actor)):
    return ok({"thread": threading.get_ident()})


@pytest.fixture
def api():
    with TestClient(create_app([probe]), base_url="http://testserver") as test_client:
        yield test_client


def _thread(api, org, method: str, path: str, **kwargs) -> int:
    response = api.request(method, f"/api/v1{path}", headers=org.headers(), **kwargs)
    assert response.status_code == 200, response.text
    return response.json()["data"]["thread"]


def test_handlers_run_where_their_work_costs_least(api, org):
    loop = _thread(api, org, "GET", "/probe/loop")
    small = {"data": "x" * 1000}
    large = {"data": "x" * (INLINE_BODY_BYTES + 1)}
    # The handler's own work happened: the organization was read, the body was parsed.
    response = api.get("/api/v1/probe/read", headers=org.headers())
    assert response.json()["data"]["name"] == "Acme Inc"
    if is_postgres():
        assert _thread(api, org, "GET", "/probe/read") != loop
        assert _thread(api, org, "POST", "/probe/upload", json=small) != loop
    else:
        assert _thread(api, org, "GET", "/probe/read") == loop
        assert _thread(api, org, "POST", "/probe/upload", json=small) == loop
    assert _thread(api, org, "POST", "/probe/upload", json=large) != loop
    assert _thread(api, org, "GET", "/probe/render") != loop


def test_routers_are_matched_by_their_first_path_segment(org):
    named = ApiRouter(prefix="/alpha")
    anything = ApiRouter()

    @named.get("/{item}")
    async def alpha(item: str):
        return ok({"router": "alpha", "item": item})

    @named.post("/{item}")
    async def alpha_post(item: str):
        return ok({"router": "alpha", "posted": item})

    @anything.get("/{kind}/x")
    async def by_kind(kind: str):
        return ok({"router": "anything", "kind": kind})

    assert named._first_segments() == {"alpha"} and anything._first_segments() is None
    with TestClient(create_app([named, anything])) as client:

        def get(method: str, path: str):
            return client.request(method, f"/api/v1{path}", headers=org.headers())

        assert get("GET", "/alpha/7").json()["data"] == {"router": "alpha", "item": "7"}
        assert get("POST", "/alpha/7").json()["data"] == {"router": "alpha", "posted": "7"}
        assert get("GET", "/alpha/x").json()["data"] == {"router": "alpha", "item": "x"}
        assert get("GET", "/beta/x").json()["data"] == {"router": "anything", "kind": "beta"}
        missing = get("GET", "/beta/y")
        assert missing.status_code == 404 and missing.json()["error"]
        assert get("DELETE", "/alpha/7").status_code == 405


def served(reflex_paths: list[str]):
    """The app as Reflex serves it, with a stand-in for Reflex's backend and for its middleware
    around everything, which records the paths it sees."""
    from starlette.responses import PlainTextResponse

    from workspace.api.app import api_first, create_api_v1, outer_app

    async def reflex_backend(scope, receive, send):
        await PlainTextResponse(f"reflex {scope['path']}")(scope, receive, send)

    api = create_api_v1()
    around = outer_app(api, reflex_backend)

    async def reflex_middleware(scope, receive, send):
        if scope["type"] == "http":
            reflex_paths.append(scope["path"])
        await around(scope, receive, send)

    return TestClient(api_first(api, reflex_middleware))


def test_the_served_app_sends_api_requests_straight_to_the_api(org):
    reflex_paths: list[str] = []
    with served(reflex_paths) as client:
        me = client.get("/api/v1/me", headers=org.headers())
        assert me.status_code == 200 and me.json()["data"]["organization"]["name"] == "Acme Inc"
        assert client.get("/api/v1/me").status_code == 401  # the API's own guard answered
        assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Workspace API"
        assert "/api/v1/openapi.json" in client.get("/api/v1/docs").text
        missing = client.get("/api/v1/nothing-here", headers=org.headers())
        assert missing.status_code == 404 and missing.json()["error"]
        assert reflex_paths == []
        assert client.get("/ping").text == "reflex /ping"  # everything else: Reflex's backend
        assert client.get("/api/v1x").text == "reflex /api/v1x"
        assert reflex_paths == ["/ping", "/api/v1x"]


def test_browsers_on_other_origins_may_call_the_api(org):
    origin = {"Origin": "https://books.example"}
    with served([]) as client:
        preflight = client.options(
            "/api/v1/customers",
            headers={
                **origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "*"
        assert "POST" in preflight.headers["access-control-allow-methods"]
        assert "idempotency-key" in preflight.headers["access-control-allow-headers"]

        me = client.get("/api/v1/me", headers={**org.headers(), **origin})
        assert me.status_code == 200 and me.headers["access-control-allow-origin"] == "*"
        exposed = me.headers["access-control-expose-headers"]
        assert "X-RateLimit-Remaining" in exposed and "Retry-After" in exposed
        refused = client.get("/api/v1/me", headers=origin)
        assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == "*"
