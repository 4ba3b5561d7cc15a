"""Result models built from values the engine made itself: unvalidated (``trusted``), some fields on first read.

``trusted(cls, **values)`` is what ``model_construct`` does (defaults filled, no validation) without its per-call
alias handling. ``deferred(cls, fill, **values)`` builds a ``Deferred`` model whose ``cls.deferred_fields`` are
left out until anything reads the model's fields: an attribute (``item.reasons``), ``model_dump_json``, ``==``,
``copy``, ``pickle``, or a model holding it being serialised. Every one of these reads the instance's
``__dict__``, so ``Deferred`` answers ``__dict__`` itself: the first reading calls ``fill()`` once, under a lock,
and stores what it returns in field order. What a deferred model holds is what it would hold had the fields been
built eagerly; building them is what a caller that reads only statuses and totals does not pay for.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar, get_origin

from pydantic import BaseModel

__all__ = ["Deferred", "Fill", "deferred", "deferred_from", "filled", "fresh_copy", "pending", "trusted"]

M = TypeVar("M", bound=BaseModel)
D = TypeVar("D", bound="Deferred")
#: returns the deferred fields' values by name; called at most once per model, and must be pure
Fill = Callable[[], dict[str, Any]]

_setattr = object.__setattr__
_getattribute = object.__getattribute__
_INSTANCE_DICT = BaseModel.__dict__["__dict__"]  # the descriptor of the dict every model's fields live in
_filling = threading.RLock()  # a fill may read another deferred model (a result's questions read its items)


def _fresh_lock_after_fork() -> None:
    global _filling
    _filling = threading.RLock()  # a thread of the parent may have held it: the child has no such thread


os.register_at_fork(after_in_child=_fresh_lock_after_fork)
_layouts: dict[type[BaseModel], tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...]]] = {}


def _layout(cls: type[BaseModel]) -> tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...]]:
    """Every field in order with its default (None for a required one), and the fields with a factory."""
    found = _layouts.get(cls)
    if found is None:
        template: dict[str, Any] = {}
        factories: list[tuple[str, Callable[[], Any]]] = []
        for name, info in cls.model_fields.items():
            factory = info.default_factory
            if factory is not None:
                factories.append((name, factory))  # type: ignore[arg-type]
            template[name] = None if info.is_required() or factory is not None else info.default
        found = _layouts[cls] = (template, tuple(factories))
    return found


def _fields(cls: type[BaseModel], values: dict[str, Any], leave_out: Iterable[str] = ()) -> dict[str, Any]:
    template, factories = _layout(cls)
    fields = template.copy()  # the fields' order, then the values given
    fields.update(values)
    for name, factory in factories:
        if name not in values:
            fields[name] = factory()
    for name in leave_out:
        del fields[name]
    return fields


# The slots every model has, set through their descriptors directly (a model built here runs no Python code;
# a Deferred model's ``__dict__`` property is passed by).
_set_dict = _INSTANCE_DICT.__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def _new(cls: type[M], fields: dict[str, Any], fields_set: set[str]) -> M:
    model = cls.__new__(cls)
    _set_dict(model, fields)
    _set_fields_set(model, fields_set)
    _set_extra(model, None)
    _set_private(model, None)
    return model


def trusted(cls: type[M], **values: Any) -> M:
    """``cls`` from values the engine built itself, already of the fields' types: what ``model_construct``
    does (defaults filled, no validation), without its per-call alias handling. Not for outside data."""
    return _new(cls, _fields(cls, values), set(values))


class Deferred(BaseModel):
    """A model some of whose fields (``deferred_fields``) are built by a fill on first reading (module docstring).

    Built by pydantic (validated, copied, unpickled) it is an ordinary model: nothing is pending."""

    __slots__ = ("_fill",)
    deferred_fields: ClassVar[tuple[str, ...]] = ()

    @property
    def __dict__(self) -> dict[str, Any]:
        fields: dict[str, Any] = _INSTANCE_DICT.__get__(self)
        try:
            fill = _getattribute(self, "_fill")
        except AttributeError:  # built by pydantic itself
            return fields
        if fill is not None:
            with _filling:
                if _getattribute(self, "_fill") is not None:  # another thread may have filled it meanwhile
                    values = fill()
                    ordered = dict.fromkeys(_field_names(type(self)))  # every field, in order ...
                    ordered.update(values)  # ... each given its value: those filled, then those built
                    ordered.update(fields)
                    fields.clear()
                    fields.update(ordered)
                    _setattr(self, "_fill", None)  # only once the fields are all there
        return fields

    @__dict__.setter
    def __dict__(self, value: dict[str, Any]) -> None:
        _INSTANCE_DICT.__set__(self, value)

    def __getattr__(self, name: str) -> Any:
        if name in type(self).deferred_fields:
            return self.__dict__[name]
        return super().__getattr__(name)  # type: ignore[misc]


_names: dict[type[BaseModel], tuple[str, ...]] = {}


def _field_names(cls: type[BaseModel]) -> tuple[str, ...]:
    """The model's field names in order (``cls.model_fields`` is a property computed on every reading)."""
    found = _names.get(cls)
    if found is None:
        found = _names[cls] = tuple(cls.model_fields)
    return found


_set_fill = vars(Deferred)["_fill"].__set__  # the slot's descriptor (Deferred answers __dict__ itself)


def deferred(cls: type[D], fill: Fill, **values: Any) -> D:
    """``cls`` from trusted ``values``, its ``deferred_fields`` to come from ``fill()`` when first read."""
    model = _new(cls, _fields(cls, values, cls.deferred_fields), {*values, *cls.deferred_fields})
    _set_fill(model, fill)
    return model


_every_field: dict[type[BaseModel], frozenset[str]] = {}


def deferred_from(cls: type[D], fill: Fill, fields: dict[str, Any]) -> D:
    """``deferred(cls, fill, **fields)`` for a caller that builds many: ``fields`` is every field of ``cls``
    but its deferred ones (defaults included), in any order (the first reading puts every field in field
    order), and becomes the model's own dict."""
    names = _every_field.get(cls)
    if names is None:
        names = _every_field[cls] = frozenset(cls.model_fields)
    model = cls.__new__(cls)  # _new written out: this runs for every item of every evaluation
    _set_dict(model, fields)
    _set_fields_set(model, set(names))
    _set_extra(model, None)
    _set_private(model, None)
    _set_fill(model, fill)
    return model


def pending(model: BaseModel) -> Fill | None:
    """The fill a deferred model has not run yet, or None (filled, or not deferred)."""
    try:
        fill: Fill | None = _getattribute(model, "_fill")
    except AttributeError:
        return None
    return fill


def filled(model: M) -> M:
    """``model`` with its deferred fields built (for a model kept, so that its fill's inputs are not)."""
    _ = model.__dict__
    return model


def _fresh(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


_list_fields: dict[type[BaseModel], tuple[str, ...]] = {}


def fresh_copy(model: D) -> D:
    """A copy of ``model`` whose lists are new (so changing one copy's list changes no other); its deferred
    fields, when ``model``'s are not built yet, are read from ``model`` (built there once) when first read."""
    cls = type(model)
    lists = _list_fields.get(cls)
    if lists is None:
        lists = _list_fields[cls] = tuple(name for name, info in cls.model_fields.items()
                                          if get_origin(info.annotation) is list)
    waiting = pending(model) is not None
    if waiting:
        with _filling:  # not while another thread fills ``model``
            waiting = pending(model) is not None
            fields = dict(_INSTANCE_DICT.__get__(model))
    else:
        fields = dict(_INSTANCE_DICT.__get__(model))
    for name in lists:
        if name in fields:
            fields[name] = list(fields[name])
    copy = _new(type(model), fields, set(_getattribute(model, "__pydantic_fields_set__")))
    if waiting:
        _setattr(copy, "_fill", lambda: {name: _fresh(getattr(model, name)) for name in type(model).deferred_fields})
    return copy
