"""Column helpers shared by the table models."""

import inspect
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, BigInteger, Column
from sqlmodel import Field

from workspace.core.clock import now_ms


def _factory(make: Callable[[], Any]) -> Callable[[], Any]:
    """A default factory that says it takes no arguments: pydantic otherwise inspects its
    signature each time a model is built, which costs more than building it."""

    def factory() -> Any:
        return make()

    factory.__signature__ = inspect.Signature()  # type: ignore[attr-defined]
    return factory


def id_field(prefix: str) -> Any:
    from workspace.core.ids import new_id

    return Field(default_factory=_factory(lambda: new_id(prefix)), primary_key=True, max_length=40)


def org_field() -> Any:
    return Field(foreign_key="organization.id", index=True, max_length=40, ondelete="CASCADE")


def ms_field(*, index: bool = False, nullable: bool = False) -> Any:
    """Epoch milliseconds."""
    kwargs: dict[str, Any] = {"sa_type": BigInteger, "index": index}
    if not nullable:
        kwargs["default_factory"] = _factory(now_ms)
    else:
        kwargs["default"] = None
        kwargs["nullable"] = True
    return Field(**kwargs)


def json_field(default_factory: Any = dict) -> Any:
    return Field(default_factory=_factory(default_factory), sa_column=Column(JSON, nullable=False))
