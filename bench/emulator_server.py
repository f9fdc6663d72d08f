"""The Teams-protocol emulator from the test suite as its own process, with a stats endpoint.

`python -m bench.emulator_server <port> [--limits]`: with `--limits` it enforces Teams' rate
limits and answers 429 past them. `GET /_stats` returns the calls answered and the 429s.
"""

from __future__ import annotations

import sys
from collections import Counter

from aiohttp import web

from tests.support.emulator import ConnectorEmulator


def app(emu: ConnectorEmulator) -> web.Application:
    async def stats(request: web.Request) -> web.Response:
        kinds = Counter(f"{c.kind}:{c.status}" for c in emu.calls)
        return web.json_response({"calls": len(emu.calls), "throttled": emu.throttled,
                                  "by_kind": dict(kinds)})

    async def reset(request: web.Request) -> web.Response:
        emu.calls.clear()  # activities stay: later updates of them must still work
        emu.throttled = 0
        return web.json_response({"ok": True})

    application = web.Application(client_max_size=16 * 1024 * 1024)
    application.router.add_get("/_stats", stats)
    application.router.add_post("/_reset", reset)
    application.router.add_route("*", "/{tail:.*}", emu._handle)
    return application


def main() -> None:
    port = int(sys.argv[1])
    emu = ConnectorEmulator()
    if "--limits" in sys.argv:
        emu.enforce_limits()
    web.run_app(app(emu), host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()
