"""/api/v1/supervision: see the module's routes."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/supervision", tags=["supervision"])
