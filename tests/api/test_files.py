from workspace.core.db import session_scope
from workspace.core.services import branding

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 40


def test_logo_is_public_with_safe_headers(client, org):
    assert client.get(f"/files/logo/{org.org_id}").status_code == 404
    with session_scope() as session:
        branding.set_organization_logo(session, actor=org.actor, data=PNG)
    response = client.get(f"/files/logo/{org.org_id}")
    assert response.status_code == 200 and response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    missing = client.get("/files/logo/org_unknown")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
