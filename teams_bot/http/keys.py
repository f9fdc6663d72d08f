"""Typed keys for what the app factory hangs off the aiohttp application."""

from __future__ import annotations

from typing import Any

from aiohttp import web

SETTINGS: web.AppKey[Any] = web.AppKey("settings")
CLOCK: web.AppKey[Any] = web.AppKey("clock")
OPTIONS: web.AppKey[dict[str, Any]] = web.AppKey("options")
SERVICES: web.AppKey[Any] = web.AppKey("services")
EDGE: web.AppKey[Any] = web.AppKey("edge")
BOT: web.AppKey[Any] = web.AppKey("bot")
GATEWAY: web.AppKey[Any] = web.AppKey("gateway")
DELIVERY: web.AppKey[Any] = web.AppKey("delivery")
EXTRA_WORKERS: web.AppKey[list[Any]] = web.AppKey("extra_workers")
