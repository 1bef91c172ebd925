"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from workspace.core.db import get_engine


def test_upgraded_database_matches_models():
    # The session fixture ran `alembic upgrade heads` on an empty database.
    engine = get_engine()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []
    tables = set(inspect(engine).get_table_names())
    assert {"organization", "user", "apikey", "auditlog", "job", "outboxmessage"} <= tables
