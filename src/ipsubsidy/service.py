"""The reference HTTP service: ``pip install 'ipsubsidy[service]'`` then ``ipsubsidy serve``.

    POST /evaluate?as_of=YYYY-MM-DD&lang=zh|en   body: a profile → the JSON of ``ipsubsidy evaluate --format json``
    POST /summary?as_of=...&lang=zh|en           body: a profile → {"summary": plain sentences to read aloud}
    GET  /policies                               every document and item (``ipsubsidy policies --format json``)
    GET  /items/{id}                             one item with its citation; aliases resolve
    GET  /schema                                 the profile's JSON Schema
    GET  /health                                 backend, policy fingerprint, item count

Bad input is a 422 whose ``detail`` lists ``{"field": path, "message": ...}`` with the same field paths as
the library's ProfileError (``patents[0].number``); an unknown item is a 404 with a suggestion. Every error
the library raises on purpose is mapped; nothing a client sends should produce a 500.

FastAPI and uvicorn are imported here only: the core package does not need them.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cached_property
from typing import Any, Literal

from fastapi import Body, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from ipsubsidy import __version__
from ipsubsidy.errors import BackendUnavailableError, IpSubsidyError, ProfileError, UnknownItemError, field_path
from ipsubsidy.evaluate import BackendName, Evaluator
from ipsubsidy.policy.model import PolicySet
from ipsubsidy.profile import Company, parse_profile
from ipsubsidy.render import policies_json
from ipsubsidy.result import Result

__all__ = ["create_app", "run"]

JSON = "application/json"


def _problem(status: int, detail: list[dict[str, str]] | str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


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

    @cached_property
    def listing(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(policies_json(self.policies))
        return data

    @cached_property
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
            body = schema["paths"][path]["post"]["requestBody"]
            body["content"] = {JSON: {"schema": {"$ref": "#/components/schemas/Company"}}}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(evaluator: Evaluator | None = None, backend: BackendName = "auto") -> FastAPI:
    """The FastAPI application over one Evaluator (built from the shipped policies by default)."""
    engine = evaluator or Evaluator(backend=backend)
    catalogues: dict[str, _Catalogue] = {}

    def catalogue() -> _Catalogue:
        policies = engine.policies
        found = catalogues.get(policies.fingerprint)
        if found is None:
            catalogues.clear()
            found = catalogues[policies.fingerprint] = _Catalogue(policies)
        return found

    app = FastAPI(title="ipsubsidy", version=__version__,
                  description="Chinese cities' IP incentive policies as rules: which awards a profile can claim, "
                              "how much, why, and where the policy text says so.")

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

    def _evaluate(profile: Any, as_of: dt.date | None) -> Result:
        if not isinstance(profile, dict):
            raise ProfileError([("(profile)", f"expected a JSON object of fields, got {type(profile).__name__}")])
        bad = _bad_text(profile)
        if bad is not None:
            raise ProfileError([(bad, "text is not valid Unicode (a lone surrogate)")])
        return engine.evaluate(parse_profile(profile), as_of)

    profile_body = Body(..., media_type=JSON)
    as_of_query = Query(None, description="evaluation date YYYY-MM-DD (default: today)")
    lang_query = Query("zh", description="language of the summary (the JSON carries zh and en)")

    @app.post("/evaluate", summary="Evaluate a profile", response_class=Response,
              responses={200: {"model": Result, "description": "the result, as `ipsubsidy evaluate --format json`"},
                         400: {"description": "the body is not readable as JSON text (e.g. not UTF-8)"},
                         422: {"description": "invalid profile: detail lists field paths"}})
    def evaluate(profile: Any = profile_body, as_of: dt.date | None = as_of_query,
                 lang: Literal["zh", "en"] = lang_query) -> Response:
        result = _evaluate(profile, as_of)
        return Response(result.model_dump_json(indent=2), media_type=JSON, headers={"Content-Language": lang})

    @app.post("/summary", summary="A profile's result as plain sentences to read aloud",
              responses={400: {"description": "the body is not readable as JSON text (e.g. not UTF-8)"},
                         422: {"description": "invalid profile: detail lists field paths"}})
    def summary(profile: Any = profile_body, as_of: dt.date | None = as_of_query,
                lang: Literal["zh", "en"] = lang_query) -> dict[str, str]:
        return {"summary": _evaluate(profile, as_of).summary(lang)}

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

    _openapi_profile(app)
    return app


def run(host: str = "127.0.0.1", port: int = 8000, backend: BackendName = "auto") -> None:
    """Serve the app with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(backend=backend), host=host, port=port, log_level="info")
