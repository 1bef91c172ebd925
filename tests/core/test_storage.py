import hashlib

import pytest

from workspace.core import storage
from workspace.core.errors import NotFound


def test_put_is_content_addressed_and_idempotent():
    data = b"%PDF-1.7 example"
    sha = storage.put_bytes(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert storage.put_bytes(data) == sha
    assert storage.get_bytes(sha) == data and storage.exists(sha)
    assert storage.path_for(sha).parent.name == sha[:2]


def test_unknown_or_malformed_names_are_not_found():
    with pytest.raises(NotFound):
        storage.get_bytes("0" * 64)
    with pytest.raises(NotFound):
        storage.get_bytes("../../etc/passwd")
    assert not storage.exists("../x")
