"""The hotline operator console: the page at ``/`` and ``POST /answer``, one question at a time.

The call's state (the profile so far, the skipped paths) lives in the page; the server is stateless, so any
number of operators can use one server. ``POST /answer`` takes that state plus one answer and returns the new
result, the next question not skipped, and a short line to read aloud.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib.resources import files
from typing import Any, Literal

from fastapi import APIRouter, Body, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ipsubsidy.errors import ProfileError
from ipsubsidy.evaluate import Evaluator
from ipsubsidy.profile import parse_profile
from ipsubsidy.profile.kinds import VALUE_LABELS_ZH

__all__ = ["apply_answer", "console_router"]

_ASSETS = files("ipsubsidy") / "console_assets"
_TYPES = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}
_SEGMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<index>\d+)\]|\[(?P<key>\w+)=(?P<val>[^\]]+)\])?$")


def apply_answer(profile: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``profile`` with ``value`` set at a question's field path (``finances[year=2020]``, ``patents``)."""
    import copy

    out = copy.deepcopy(profile)
    node: Any = out
    parts = path.split(".")
    for position, part in enumerate(parts):
        match = _SEGMENT.match(part)
        if match is None:
            raise ProfileError([(path, "not a field path")])
        name, last = match["name"], position == len(parts) - 1
        if match["index"] is None and match["key"] is None:
            if last:
                node[name] = value
            else:
                node = node.setdefault(name, {})
            continue
        entries = node.setdefault(name, [])
        if not isinstance(entries, list):
            raise ProfileError([(path, "not a list")])
        if match["index"] is not None:
            index = int(match["index"])
            while len(entries) <= index:
                entries.append({})
            if last:
                entries[index] = value
            else:
                node = entries[index]
            continue
        key, wanted = match["key"], match["val"]
        found = next((e for e in entries if str(e.get(key)) == wanted), None)
        if found is None:
            found = {key: int(wanted) if wanted.isdigit() else wanted}
            entries.append(found)
        if last:
            found.update(value if isinstance(value, dict) else {})
        else:
            node = found
    return out


def console_router(engine: Evaluator) -> APIRouter:
    """The page, its assets and ``POST /answer`` over ``engine``."""
    router = APIRouter()

    @router.get("/", include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse((_ASSETS / "index.html").read_text(encoding="utf-8"))

    @router.get("/console/labels.json", include_in_schema=False)
    def labels() -> dict[str, str]:
        return VALUE_LABELS_ZH

    @router.get("/console/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        suffix = name.rsplit(".", 1)[-1]
        if suffix not in _TYPES or "/" in name or name.startswith("."):
            return JSONResponse({"detail": "no such asset"}, status_code=404)
        target = _ASSETS / name
        if not target.is_file():
            return JSONResponse({"detail": "no such asset"}, status_code=404)
        return Response(target.read_text(encoding="utf-8"), media_type=_TYPES[suffix])

    @router.post("/answer", summary="Apply one answer to the profile so far; the new result and next question")
    def answer(state: dict[str, Any] = Body(..., examples=[{
                   "profile": {"city": "晋中市", "entity_type": "enterprise"},
                   "answer": {"path": "size", "value": "small"}, "skipped": ["patents"]}]),
               as_of: dt.date | None = Query(None), lang: Literal["zh", "en"] = Query("zh")) -> dict[str, Any]:
        profile = state.get("profile") or {}
        if not isinstance(profile, dict):
            raise ProfileError([("(profile)", "expected an object of fields")])
        given = state.get("answer")
        if isinstance(given, dict) and isinstance(given.get("path"), str):
            profile = apply_answer(profile, given["path"], given.get("value"))
        skipped = {str(p) for p in state.get("skipped") or []}
        result = engine.evaluate(parse_profile(profile), as_of)
        upcoming = [q for q in result.questions if q.path not in skipped]
        return {"profile": profile, "result": result.model_dump(mode="json"),
                "next": upcoming[0].model_dump(mode="json") if upcoming else None,
                "skipped_questions": [q.model_dump(mode="json") for q in result.questions if q.path in skipped],
                "short": {"zh": result.summary("zh", short=True), "en": result.summary("en", short=True)},
                "summary": result.summary(lang)}

    return router
