"""The reference HTTP service: ``pip install 'ipsubsidy[service]'`` then ``ipsubsidy serve``.

    POST /evaluate?as_of=YYYY-MM-DD&lang=zh|en   body: a profile → the JSON of ``ipsubsidy evaluate --format json``
    POST /summary?as_of=...&lang=zh|en           body: a profile → {"summary": plain sentences to read aloud}
    GET  /policies                               every document and item (``ipsubsidy policies --format json``)
    GET  /items/{id}                             one item with its citation; aliases resolve
    GET  /schema                                 the profile's JSON Schema
    GET  /health                                 backend, policy fingerprint, item count
    GET  /  and POST /answer                     the operator console (``ipsubsidy.console``)
    GET  /docs, /redoc                           API docs from local assets (``ipsubsidy.offline_docs``)

Bad input is a 422 whose ``detail`` lists ``{"field": path, "message": ...}`` with the same field paths as
the library's ProfileError (``patents[0].number``); an unknown item is a 404 with a suggestion. Every error
the library raises on purpose is mapped; nothing a client sends should produce a 500.

Self-protection (docs/service.md): bodies over MAX_BODY_BYTES are a 413 before they are read whole; the
body is read as the CLI reads a file (exact decimals, duplicate keys refused); an unknown query parameter
is a 422 naming it; error lists stop after MAX_PROBLEMS with a count; no message echoes more than
MAX_MESSAGE characters of what was sent; evaluation runs in a worker thread, never on the event loop.

FastAPI and uvicorn are imported here only: the core package does not need them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import multiprocessing
import os
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ipsubsidy import __version__
from ipsubsidy.errors import BackendUnavailableError, IpSubsidyError, ProfileError, UnknownItemError, field_path
from ipsubsidy.evaluate import BackendName, Evaluator
from ipsubsidy.jsonio import JsonInputError, load_json
from ipsubsidy.lazy import computed_once
from ipsubsidy.policy.model import PolicySet
from ipsubsidy.profile import Company, parse_profile
from ipsubsidy.render import policies_json
from ipsubsidy.result import Result
from ipsubsidy.textfile import TextFileError

__all__ = ["MAX_BODY_BYTES", "MAX_MESSAGE", "MAX_PROBLEMS", "BodyLimit", "create_app", "run"]

JSON = "application/json"
MAX_BODY_BYTES = 1024 * 1024  # a real profile is a few kB; 1 MiB holds thousands of patents
MAX_PROBLEMS = 20  # errors listed in one response; the rest are counted
MAX_MESSAGE = 300  # characters of one error message
HEAVY_BYTES = 64 * 1024  # a body above this is evaluated in a separate process, so it cannot stall the others
HEAVY_SLOTS = 2  # large requests in progress or waiting at once; more get 503 with Retry-After

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _short(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else f"{text[:MAX_MESSAGE]}… ({len(text)} characters)"


def _problem(status: int, detail: list[dict[str, str]] | str) -> JSONResponse:
    if isinstance(detail, str):
        return JSONResponse({"detail": _short(detail)}, status_code=status)
    shown = [{"field": _short(d["field"]), "message": _short(d["message"])} for d in detail[:MAX_PROBLEMS]]
    if len(detail) > MAX_PROBLEMS:
        shown.append({"field": "(more)", "message": f"{len(detail) - MAX_PROBLEMS} more problems not shown"})
    return JSONResponse({"detail": shown}, status_code=status)


class BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes is a 413, told by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._too_large(scope, receive, send)
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, tracking)
        except _TooLarge:
            if not started:
                await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _problem(413, f"the request body is larger than {self.limit} bytes; a profile is a few kB")
        await response(scope, receive, send)


_child_evaluator: Evaluator | None = None


def _start_child(evaluator: Evaluator) -> None:
    global _child_evaluator
    _child_evaluator = evaluator


def _answer_in_child(body: bytes, as_of: dt.date | None, lang: str | None, trace: bool = False) -> tuple[int, Any]:
    """Evaluate a large body in the helper process: (200, JSON text or summary) or (422, problems)."""
    assert _child_evaluator is not None
    try:
        profile = load_json(body)
        if not isinstance(profile, dict):
            raise ProfileError([("(profile)", f"expected a JSON object of fields, got {type(profile).__name__}")])
        bad = _bad_text(profile)
        if bad is not None:
            raise ProfileError([(bad, "text is not valid Unicode (a lone surrogate)")])
        result = _child_evaluator.evaluate(parse_profile(profile), as_of, trace=trace)
    except JsonInputError as exc:
        return 422, [(exc.field or "(profile)", str(exc))]
    except TextFileError as exc:
        return 422, [("(profile)", str(exc))]
    except ProfileError as exc:
        return 422, exc.problems
    except IpSubsidyError as exc:
        return 422, str(exc)
    return 200, result.summary(lang) if lang is not None else result.model_dump_json(indent=2)


class _HeavyLane:
    """One helper process (started on first use) for large bodies, and a bound on how many may wait."""

    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator
        self.pool: ProcessPoolExecutor | None = None
        self.slots = asyncio.Semaphore(HEAVY_SLOTS)

    async def answer(self, request: Request, body: bytes, as_of: dt.date | None, lang: str | None,
                     trace: bool = False) -> Any:
        if self.slots.locked():
            return JSONResponse({"detail": "busy with large requests; retry shortly"}, status_code=503,
                                headers={"Retry-After": "2"})
        async with self.slots:
            if await request.is_disconnected():  # the client left while it waited: do no work for nobody
                return Response(status_code=499)
            if self.pool is None:
                self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=_start_child, initargs=(self.evaluator,))
            status, answer = await asyncio.get_running_loop().run_in_executor(
                self.pool, _answer_in_child, body, as_of, lang, trace)
        if status != 200:
            if isinstance(answer, str):
                return _problem(status, answer)
            return _problem(status, [{"field": f, "message": m} for f, m in answer])
        return answer


class _TooLarge(Exception):
    """Raised inside BodyLimit when the streamed body passes the limit."""


def _only(*names: str) -> Callable[[Request], None]:
    """A dependency refusing query parameters other than ``names`` (``?as-of=`` would silently mean today)."""

    def check(request: Request) -> None:
        unknown = [key for key in request.query_params if key not in names]
        if unknown:
            raise ProfileError([(_short(key), f"is not a query parameter here; expected one of {', '.join(names)}")
                                for key in unknown])

    return check


def _bad_text(value: Any, path: str = "") -> str | None:
    """The path of the first string that is not valid Unicode (a lone surrogate from a JSON escape)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "(profile)"
        return None
    if isinstance(value, dict):
        for key, child in value.items():
            found = _bad_text(key, path) or _bad_text(child, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list):
        for index, child in enumerate(value):
            found = _bad_text(child, f"{path}[{index}]")
            if found:
                return found
    return None


class _Catalogue:
    """The policy listing of one policy set, rendered once."""

    def __init__(self, policies: PolicySet) -> None:
        self.policies = policies

    @computed_once
    def listing(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(policies_json(self.policies))
        return data

    @computed_once
    def items(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for doc in self.listing["documents"]:
            for item in doc["items"]:
                out[item["id"]] = {**item, "document": doc["id"]}
        return out


def _openapi_profile(app: FastAPI) -> None:
    """Advertise the profile's JSON Schema as the request body of the evaluation endpoints."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        company = Company.model_json_schema(ref_template="#/components/schemas/{model}")
        defs = company.pop("$defs", {})
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(defs)
        components["Company"] = company
        for path in ("/evaluate", "/summary"):
            body = schema["paths"][path]["post"].setdefault("requestBody", {"required": True})
            body["content"] = {JSON: {"schema": {"$ref": "#/components/schemas/Company"}}}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(evaluator: Evaluator | None = None, backend: BackendName = "auto",
               cors_origins: tuple[str, ...] = ()) -> FastAPI:
    """The FastAPI application over one Evaluator (built from the shipped policies by default).

    ``cors_origins``: origins a hotline's own front end is served from (``*`` for any); none by default.
    """
    engine = evaluator or Evaluator(backend=backend)
    catalogues: dict[str, _Catalogue] = {}

    def catalogue() -> _Catalogue:
        policies = engine.policies
        found = catalogues.get(policies.fingerprint)
        if found is None:
            catalogues.clear()
            found = catalogues[policies.fingerprint] = _Catalogue(policies)
        return found

    app = FastAPI(title="ipsubsidy", version=__version__, docs_url=None, redoc_url=None,
                  description="Chinese cities' IP incentive policies as rules: which awards a profile can claim, "
                              "how much, why, and where the policy text says so.")

    app.add_middleware(BodyLimit)
    heavy = _HeavyLane(engine)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = []
        for error in exc.errors():
            loc = tuple(error.get("loc", ()))
            message = str(error.get("msg", "invalid"))
            if error.get("type") == "json_invalid" or (loc[:1] == ("body",) and len(loc) <= 1):
                field = "(profile)"  # no body, or not JSON: the position is in the message
                if error.get("type") == "json_invalid" and len(loc) > 1:
                    message = f"{message} at character {loc[1]}"
            else:
                field = field_path(loc[1:] if loc[:1] in (("body",), ("query",), ("path",)) else loc) or "(request)"
            detail.append({"field": field, "message": message})
        return _problem(422, detail)

    @app.exception_handler(ProfileError)
    async def _bad_profile(_request: Request, exc: ProfileError) -> JSONResponse:
        return _problem(422, [{"field": path, "message": message} for path, message in exc.problems])

    @app.exception_handler(UnknownItemError)
    async def _unknown(_request: Request, exc: UnknownItemError) -> JSONResponse:
        return _problem(404, str(exc))

    @app.exception_handler(BackendUnavailableError)
    async def _backend(_request: Request, exc: BackendUnavailableError) -> JSONResponse:
        return _problem(503, str(exc))

    @app.exception_handler(IpSubsidyError)
    async def _library(_request: Request, exc: IpSubsidyError) -> JSONResponse:
        return _problem(422, str(exc))

    def _evaluate(body: bytes, as_of: dt.date | None, trace: bool = False) -> Result:
        try:
            profile = load_json(body)
        except JsonInputError as exc:
            raise ProfileError([(exc.field or "(profile)", str(exc))]) from None
        except TextFileError as exc:
            raise ProfileError([("(profile)", str(exc))]) from None
        if not isinstance(profile, dict):
            raise ProfileError([("(profile)", f"expected a JSON object of fields, got {type(profile).__name__}")])
        bad = _bad_text(profile)
        if bad is not None:
            raise ProfileError([(bad, "text is not valid Unicode (a lone surrogate)")])
        return engine.evaluate(parse_profile(profile), as_of, trace=trace)

    profile_body = {"requestBody": {"required": True, "content": {JSON: {"schema": {"type": "object"}}}}}
    query_checked = [Depends(_only("as_of", "lang"))]
    evaluate_checked = [Depends(_only("as_of", "lang", "trace"))]
    trace_query = Query(False, description="add every item's trace: each comparison, the value seen, the outcome")
    as_of_query = Query(None, description="evaluation date YYYY-MM-DD (default: today)")
    lang_query = Query("zh", description="language of the summary (the JSON carries zh and en)")

    @app.post("/evaluate", summary="Evaluate a profile", response_class=Response,
              responses={200: {"model": Result, "description": "the result, as `ipsubsidy evaluate --format json`"},
                         400: {"description": "the body is not readable as JSON text (e.g. not UTF-8)"},
                         413: {"description": "the body is larger than the service accepts"},
                         422: {"description": "invalid profile: detail lists field paths"}},
              openapi_extra=profile_body, dependencies=evaluate_checked)
    async def evaluate(request: Request, as_of: dt.date | None = as_of_query,
                       lang: Literal["zh", "en"] = lang_query, trace: bool = trace_query) -> Response:
        body = await request.body()
        if len(body) > HEAVY_BYTES:
            answer = await heavy.answer(request, body, as_of, None, trace)
            if isinstance(answer, Response):
                return answer
            return Response(answer, media_type=JSON, headers={"Content-Language": lang})
        result = await run_in_threadpool(_evaluate, body, as_of, trace)
        return Response(result.model_dump_json(indent=2), media_type=JSON, headers={"Content-Language": lang})

    @app.post("/summary", summary="A profile's result as plain sentences to read aloud",
              responses={400: {"description": "the body is not readable as JSON text (e.g. not UTF-8)"},
                         413: {"description": "the body is larger than the service accepts"},
                         422: {"description": "invalid profile: detail lists field paths"}},
              openapi_extra=profile_body, dependencies=query_checked)
    async def summary(request: Request, as_of: dt.date | None = as_of_query,
                      lang: Literal["zh", "en"] = lang_query) -> Any:
        body = await request.body()
        if len(body) > HEAVY_BYTES:
            answer = await heavy.answer(request, body, as_of, lang)
            return answer if isinstance(answer, Response) else {"summary": answer}
        result = await run_in_threadpool(_evaluate, body, as_of)
        return {"summary": result.summary(lang)}

    @app.get("/policies", summary="Every document and item")
    def policies() -> dict[str, Any]:
        return catalogue().listing

    @app.get("/items/{item_id}", summary="One item with its citation (ids and aliases)",
             responses={404: {"description": "no such item; detail suggests the closest id"}})
    def item(item_id: str) -> dict[str, Any]:
        found = engine.policies.item(item_id)
        return catalogue().items[found.id]

    @app.get("/schema", summary="The profile's JSON Schema")
    def schema() -> dict[str, Any]:
        return Company.model_json_schema()

    @app.get("/health", summary="Liveness and what is loaded")
    def health() -> dict[str, Any]:
        policies = engine.policies
        return {"status": "ok", "version": __version__, "backend": engine.backend,
                "policies": policies.fingerprint, "documents": len(policies.documents), "items": len(policies)}

    from ipsubsidy.console import install_console

    install_console(app, engine, cors_origins)
    _openapi_profile(app)
    return app


def _evaluator(backend: str, packages: list[str]) -> Evaluator:
    from ipsubsidy.policy.loader import load_policies

    name = backend if backend in ("python", "durable-rules") else "auto"
    return Evaluator(load_policies(packages=packages) if packages else None, backend=name)  # type: ignore[arg-type]


def app_from_environment() -> FastAPI:
    """The app a uvicorn worker process builds (``serve --workers N``): the backend, the policy packages and
    the CORS origins come from the environment."""
    packages = [p for p in os.environ.get("IPSUBSIDY_PACKAGES", "").split(os.pathsep) if p]
    origins = tuple(os.environ.get("IPSUBSIDY_CORS_ORIGINS", "").split())
    return create_app(_evaluator(os.environ.get("IPSUBSIDY_BACKEND", "auto"), packages), cors_origins=origins)


def run(host: str = "127.0.0.1", port: int = 8000, backend: BackendName = "auto", workers: int = 1,
        packages: list[str] | None = None, cors_origins: tuple[str, ...] = ()) -> None:
    """Serve with uvicorn until interrupted: ``workers`` processes, idle keep-alive closed after 5 s, request
    headers due within 10 s of connecting (http_guard), descriptors raised to the hard limit."""
    import resource

    import uvicorn

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    from ipsubsidy.http_guard import GuardedH11Protocol

    settings: dict[str, Any] = {"host": host, "port": port, "log_level": "info", "timeout_keep_alive": 5,
                                "http": GuardedH11Protocol, "h11_max_incomplete_event_size": 64 * 1024}
    if workers > 1:
        os.environ["IPSUBSIDY_BACKEND"] = backend
        os.environ["IPSUBSIDY_PACKAGES"] = os.pathsep.join(packages or [])
        os.environ["IPSUBSIDY_CORS_ORIGINS"] = " ".join(cors_origins)
        uvicorn.run("ipsubsidy.service:app_from_environment", factory=True, workers=workers, **settings)
    else:
        uvicorn.run(create_app(_evaluator(backend, packages or []), cors_origins=cors_origins), **settings)
