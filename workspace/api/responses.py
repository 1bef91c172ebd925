"""Success envelope and list parameters shared by every router."""

from __future__ import annotations

from typing import Any

from fastapi import Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel


def ok(data: Any, status: int = 200) -> JSONResponse:
    if isinstance(data, BaseModel):
        data = data.model_dump(by_alias=True)
    return JSONResponse({"data": data}, status_code=status)


def created(data: Any) -> JSONResponse:
    return ok(data, status=201)


class Page:
    """`limit` (capped) and `offset` query parameters."""

    def __init__(self, default: int = 50, maximum: int = 100):
        self.default, self.maximum = default, maximum

    async def __call__(  # async: FastAPI would run a plain function in a worker thread
        self,
        limit: int | None = Query(None, ge=1, description="Results per page (capped)"),
        offset: int = Query(0, ge=0),
    ) -> tuple[int, int]:
        return min(limit or self.default, self.maximum), offset
