"""A uvicorn HTTP protocol that closes connections which never finish a request's headers in time.

uvicorn closes an idle keep-alive connection only after a response; a connection that says nothing, or sends
half a header and stops (slowloris), is kept for ever and thousands of them exhaust file descriptors. Here
every connection must complete its request line and headers within HEADER_TIMEOUT seconds of opening, or
of its previous response; the time is not renewed by trickling bytes.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["HEADER_TIMEOUT", "GuardedH11Protocol"]

HEADER_TIMEOUT = 10.0


class GuardedH11Protocol(H11Protocol):
    """H11Protocol with a deadline for request headers (see the module docstring)."""

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(HEADER_TIMEOUT, self._headers_overdue)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_overdue(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()  # no request under way: nothing to answer
