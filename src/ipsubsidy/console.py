"""The hotline operator console: the page at ``/`` and ``POST /answer``, one question at a time.

The call's state (the profile so far, the skipped paths) lives in the page; the server is stateless, so any
number of operators can use one server. ``POST /answer`` takes that state plus one answer and returns the new
result, the next question not skipped, and a short line to read aloud.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib.resources import files
from typing import Any, Literal
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ipsubsidy.errors import ProfileError
from ipsubsidy.evaluate import Evaluator
from ipsubsidy.offline_docs import install_offline_docs
from ipsubsidy.profile import parse_profile
from ipsubsidy.profile.kinds import VALUE_LABELS_ZH

__all__ = ["apply_answer", "console_router", "install_console", "read_state"]

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


def _future_dates(value: Any, path: str, limit: dt.date) -> list[tuple[str, str]]:
    """Field paths under ``value`` holding a date after ``limit``: a fact the caller cannot have yet."""
    if isinstance(value, dt.date):
        return [(path, f"日期{value.isoformat()}晚于评估日{limit.isoformat()} (date after the evaluation date)")] \
            if value > limit else []
    if isinstance(value, BaseModel):
        value = dict(value)
    if isinstance(value, dict):
        return [p for key, child in value.items() for p in _future_dates(child, f"{path}.{key}", limit)]
    if isinstance(value, list):
        return [p for index, child in enumerate(value) for p in _future_dates(child, f"{path}[{index}]", limit)]
    return []


def _json_field(form: dict[str, list[str]], name: str, default: Any) -> Any:
    if name not in form:
        return default
    text = form[name][-1]
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text  # a plain string answer (a form's text input)


def read_state(content_type: str, body: bytes) -> dict[str, Any]:
    """The call's state from a JSON body or a form-encoded one (``profile``, ``path``, ``value``, ``skipped``).

    In a form, ``profile`` and ``skipped`` are JSON text; ``value`` is JSON when it parses, else the plain text.
    """
    if content_type.split(";")[0].strip() == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError as exc:
            raise ProfileError([("(request)", "the form is not UTF-8")]) from exc
        state: dict[str, Any] = {"profile": _json_field(form, "profile", {}),
                                 "skipped": _json_field(form, "skipped", [])}
        if "path" in form:
            state["answer"] = {"path": form["path"][-1], "value": _json_field(form, "value", None)}
        return state
    try:
        parsed = json.loads(body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError([("(request)", f"the body is not JSON: {exc}")]) from exc
    if not isinstance(parsed, dict):
        raise ProfileError([("(request)", "expected an object with profile, answer and skipped")])
    return parsed


_AS_OF = Query(None, description="evaluation date YYYY-MM-DD (default: today)")
_LANG = Query("zh", description="language of the long summary (the short line comes in zh and en)")


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

    @router.post("/answer", summary="Apply one answer to the profile so far; the new result and next question",
                 openapi_extra={"requestBody": {"content": {
                     "application/json": {"schema": {"type": "object"}, "example": {
                         "profile": {"city": "晋中市", "entity_type": "enterprise"},
                         "answer": {"path": "size", "value": "small"}, "skipped": ["patents"]}},
                     "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                         "profile": {"type": "string"}, "path": {"type": "string"}, "value": {"type": "string"},
                         "skipped": {"type": "string"}}}}}}})
    async def answer(request: Request, as_of: dt.date | None = _AS_OF,
                     lang: Literal["zh", "en"] = _LANG) -> dict[str, Any]:
        state = read_state(request.headers.get("content-type", ""), await request.body())
        return await run_in_threadpool(_answer, state, as_of, lang)

    def _answer(state: dict[str, Any], as_of: dt.date | None, lang: str) -> dict[str, Any]:
        profile = state.get("profile") or {}
        if not isinstance(profile, dict):
            raise ProfileError([("(profile)", "expected an object of fields")])
        given = state.get("answer")
        if isinstance(given, dict) and isinstance(given.get("path"), str):
            profile = apply_answer(profile, given["path"], given.get("value"))
        listed = state.get("skipped") or []
        skipped = {str(p) for p in (listed if isinstance(listed, list) else [listed])}
        company = parse_profile(profile)
        if isinstance(given, dict) and isinstance(given.get("path"), str):
            root = re.split(r"[.\[]", given["path"])[0]
            future = _future_dates(getattr(company, root, None), root, as_of or dt.date.today())
            if future:
                raise ProfileError(future)
        result = engine.evaluate(company, as_of)
        upcoming = [q for q in result.questions if q.path not in skipped]
        return {"profile": profile, "result": result.model_dump(mode="json"),
                "next": upcoming[0].model_dump(mode="json") if upcoming else None,
                "skipped_questions": [q.model_dump(mode="json") for q in result.questions if q.path in skipped],
                "short": {"zh": result.summary("zh", short=True), "en": result.summary("en", short=True)},
                "summary": result.summary(lang)}

    return router


def install_console(app: FastAPI, engine: Evaluator, cors_origins: tuple[str, ...] = ()) -> None:
    """The console, offline API docs and, when origins are given, CORS for a hotline's own front end."""
    app.include_router(console_router(engine))
    install_offline_docs(app)
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type"])
