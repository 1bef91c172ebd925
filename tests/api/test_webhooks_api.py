"""/api/v1/webhooks through the real ASGI app, with deliveries to a loopback receiver."""

from __future__ import annotations

import json

from workspace.core.jobs import run_due_jobs

BASE = "/api/v1/webhooks"


def create(client, org, receiver, **body):
    payload = {"url": receiver.url, "events": ["envelope.sent", "invoice.paid"], **body}
    response = client.post(BASE, json=payload, headers=org.headers())
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_create_shows_the_secret_once_with_the_seed_fields(client, org, receiver):
    data = create(client, org, receiver, description="Main production webhook")
    assert data["id"].startswith("whk_") and data["secret"].startswith("whsec_")
    assert data["url"] == receiver.url and data["events"] == ["envelope.sent", "invoice.paid"]
    assert data["description"] == "Main production webhook"
    assert data["isActive"] is True and isinstance(data["createdAt"], int)
    fetched = client.get(f"{BASE}/{data['id']}", headers=org.headers()).json()["data"]
    assert "secret" not in fetched
    assert fetched["failureCount"] == 0 and fetched["lastDeliveredAt"] is None
    listed = client.get(BASE, headers=org.headers())
    assert [w["id"] for w in listed.json()["data"]] == [data["id"]]
    assert "secret" not in listed.json()["data"][0] and listed.headers["x-total-count"] == "1"


def test_unknown_event_and_bad_url_are_400_naming_the_problem(client, org, receiver):
    response = client.post(
        BASE,
        json={"url": receiver.url, "events": ["envelope.sent", "envelope.teleported"]},
        headers=org.headers(),
    )
    assert response.status_code == 400
    body = response.json()
    assert "envelope.teleported" in body["message"]
    assert body["details"]["field"] == "events[1]"
    response = client.post(
        BASE,
        json={"url": "ftp://example.com/x", "events": ["envelope.sent"]},
        headers=org.headers(),
    )
    assert response.status_code == 400 and response.json()["details"]["field"] == "url"
    response = client.post(BASE, json={"url": receiver.url, "events": []}, headers=org.headers())
    assert response.status_code == 400 and response.json()["details"]["field"] == "events"
    assert client.get(BASE, headers=org.headers()).json()["data"] == []


def test_update_with_patch_or_put_and_delete(client, org, receiver):
    webhook = create(client, org, receiver)
    url = f"{BASE}/{webhook['id']}"
    response = client.patch(
        url,
        json={
            "events": ["signer.signed"],
            "isActive": False,
            "authHeaderName": "X-Token",
            "authHeaderValue": "s3cr3t",
        },
        headers=org.headers(),
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["events"] == ["signer.signed"] and data["isActive"] is False
    assert data["authHeaderName"] == "X-Token" and "s3cr3t" not in response.text
    assert data["description"] == "" and data["url"] == receiver.url  # untouched
    response = client.put(url, json={"isActive": True}, headers=org.headers())
    assert response.json()["data"]["isActive"] is True
    bad = client.patch(url, json={"events": ["nope.nothing"]}, headers=org.headers())
    assert bad.status_code == 400 and "nope.nothing" in bad.json()["message"]
    deleted = client.delete(url, headers=org.headers())
    assert deleted.json() == {"data": {"id": webhook["id"], "deleted": True}}
    assert client.get(url, headers=org.headers()).status_code == 404


def test_webhooks_are_scoped_by_organization_and_mode(client, org, other_org, receiver):
    webhook = create(client, org, receiver)
    assert client.get(f"{BASE}/{webhook['id']}", headers=other_org.headers()).status_code == 404
    assert client.delete(f"{BASE}/{webhook['id']}", headers=other_org.headers()).status_code == 404
    test_hook = client.post(
        BASE,
        json={"url": receiver.url, "events": ["envelope.sent"]},
        headers=org.headers(org.test_key),
    ).json()["data"]
    assert test_hook["testMode"] is True
    live_ids = [w["id"] for w in client.get(BASE, headers=org.headers()).json()["data"]]
    test_ids = [w["id"] for w in client.get(BASE, headers=org.headers(org.test_key)).json()["data"]]
    assert live_ids == [webhook["id"]] and test_ids == [test_hook["id"]]


def test_ping_delivery_log_and_redelivery(client, org, receiver):
    webhook = create(client, org, receiver)
    response = client.post(f"{BASE}/{webhook['id']}/test", headers=org.headers())
    assert response.status_code == 200, response.text
    delivery = response.json()["data"]
    assert delivery["eventType"] == "ping" and delivery["status"] == "pending"
    run_due_jobs()
    [request] = receiver.received
    assert json.loads(request.body)["type"] == "ping"

    log = client.get(f"{BASE}/{webhook['id']}/deliveries", headers=org.headers()).json()["data"]
    assert [(d["id"], d["status"], d["lastStatusCode"]) for d in log] == [
        (delivery["id"], "succeeded", 200)
    ]
    detail = client.get(
        f"{BASE}/{webhook['id']}/deliveries/{delivery['id']}", headers=org.headers()
    ).json()["data"]
    assert detail["payload"]["type"] == "ping"
    assert detail["payload"]["id"] == json.loads(request.body)["id"]
    [attempt] = detail["attempts"]
    assert attempt["statusCode"] == 200 and attempt["responseExcerpt"] == "ok"

    retried = client.post(
        f"{BASE}/{webhook['id']}/deliveries/{delivery['id']}/retry", headers=org.headers()
    )
    assert retried.status_code == 200 and retried.json()["data"]["status"] == "pending"
    run_due_jobs()
    assert len(receiver.received) == 2
    missing = client.post(
        f"{BASE}/{webhook['id']}/deliveries/dlv_nope/retry", headers=org.headers()
    )
    assert missing.status_code == 404
    failed_only = client.get(
        f"{BASE}/{webhook['id']}/deliveries?status=failed", headers=org.headers()
    ).json()["data"]
    assert failed_only == []


def test_rotate_secret_returns_the_new_secret_once(client, org, receiver):
    webhook = create(client, org, receiver)
    response = client.post(f"{BASE}/{webhook['id']}/rotate-secret", headers=org.headers())
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["secret"].startswith("whsec_") and data["secret"] != webhook["secret"]
    assert data["previousSecretExpiresAt"] > data["updatedAt"]


def test_event_catalog_route(client, org):
    groups = client.get(f"{BASE}/events", headers=org.headers()).json()["data"]
    assert groups[0]["group"] == "Envelope"
    types = {e["type"] for g in groups for e in g["events"]}
    assert {"envelope.created", "invoice.paid", "bulk_send.failed"} <= types
