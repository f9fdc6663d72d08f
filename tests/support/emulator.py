"""A local stand-in for Microsoft's Bot Connector (v3 REST), used by the test suite.

The bot under test gets `emu.url` as its serviceUrl. Every call is recorded as a `Call`; faults,
slowness and Teams' rate limits can be switched on to test delivery and retries.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar
from urllib.parse import unquote

from aiohttp import web

from tests.support.teams import BotAccount, Channel, Team, User, make_team, personal_conversation_id

Json = dict[str, Any]
Kind = Literal[
    "create",
    "send",
    "reply",
    "update",
    "get_member",
    "get_members",
    "paged_members",
    "team",
    "unknown",
]
T = TypeVar("T")

WRITE_KINDS: frozenset[str] = frozenset({"create", "send", "reply", "update"})
MESSAGE_KINDS: frozenset[str] = frozenset({"create", "send", "reply"})
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
ERROR_CODES = {
    400: "BadArgument",
    403: "BotNotInConversationRoster",
    404: "ConversationNotFound",
    412: "PreconditionFailed",
    429: "Throttled",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


@dataclass
class Call:
    """One request the emulator answered."""

    method: str
    path: str
    kind: Kind
    conversation_id: str | None
    activity_id: str | None  # the new id for create/send/reply, the target for update
    body: Any
    status: int
    at: float
    authorization: str | None = None
    query: dict[str, str] = field(default_factory=dict)
    reply_to_id: str | None = None  # for "reply": the activity replied to

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def activity(self) -> Json:
        """The activity sent: `body.activity` for create, else the body itself."""
        if self.kind == "create":
            return (self.body or {}).get("activity") or {}
        return self.body if isinstance(self.body, dict) else {}

    @property
    def thread(self) -> str | None:
        """The conversation without `;messageid=` (what Teams rate-limits on)."""
        return thread_of(self.conversation_id) if self.conversation_id else None

    def __str__(self) -> str:
        text = self.activity.get("text") if self.kind in WRITE_KINDS else None
        extra = f" text={text!r}" if text else ""
        return (
            f"{self.at:10.3f} {self.method} {self.path} kind={self.kind} status={self.status}"
            f" conv={self.conversation_id} act={self.activity_id}{extra}"
        )


@dataclass
class Fault:
    status: int
    times: int
    retry_after: float | None
    kinds: frozenset[str] | None
    body: Json | None

    def matches(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


@dataclass
class Limits:
    per_second: int
    per_2s: int
    per_30s: int
    per_hour: int
    tenant_per_second: int


class _Reject(Exception):  # noqa: N818 (internal control flow, not an error)
    def __init__(self, status: int, body: Json, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def thread_of(conversation_id: str) -> str:
    return conversation_id.split(";messageid=")[0]


def error_body(status: int, code: str | None = None) -> Json:
    code = code or ERROR_CODES.get(status, "Error")
    return {"error": {"code": code, "message": f"Emulated {status} {code}"}}


def mentioned_ids(activity: Any) -> set[str]:
    """`mentioned.id` of every mention entity, in the activity and in Adaptive Card msteams."""
    if not isinstance(activity, dict):
        return set()
    if "activity" in activity and "type" not in activity:  # ConversationParameters
        activity = activity["activity"] or {}
    entities = list(activity.get("entities") or [])
    for attachment in activity.get("attachments") or []:
        content = attachment.get("content")
        if attachment.get("contentType") == ADAPTIVE_CARD and isinstance(content, dict):
            entities.extend((content.get("msteams") or {}).get("entities") or [])
    return {
        e["mentioned"]["id"]
        for e in entities
        if e.get("type") == "mention" and (e.get("mentioned") or {}).get("id")
    }


def adaptive_card(activity: Json) -> Json | None:
    """The first Adaptive Card attachment's content, if any."""
    for attachment in activity.get("attachments") or []:
        if attachment.get("contentType") == ADAPTIVE_CARD:
            return attachment.get("content")
    return None


# (method, regex on the path after an optional single prefix segment, kind)
_ROUTES: list[tuple[str, re.Pattern[str], Kind]] = [
    ("POST", re.compile(r"^/v3/conversations$"), "create"),
    ("POST", re.compile(r"^/v3/conversations/(?P<cid>[^/]+)/activities$"), "send"),
    ("POST", re.compile(r"^/v3/conversations/(?P<cid>[^/]+)/activities/(?P<aid>[^/]+)$"), "reply"),
    ("PUT", re.compile(r"^/v3/conversations/(?P<cid>[^/]+)/activities/(?P<aid>[^/]+)$"), "update"),
    ("GET", re.compile(r"^/v3/conversations/(?P<cid>[^/]+)/members/(?P<uid>[^/]+)$"), "get_member"),
    ("GET", re.compile(r"^/v3/conversations/(?P<cid>[^/]+)/members$"), "get_members"),
    ("GET", re.compile(r"^/v3/conversations/(?P<cid>[^/]+)/pagedmembers$"), "paged_members"),
    ("GET", re.compile(r"^/v3/teams/(?P<tid>[^/]+)(?P<sub>/conversations)?$"), "team"),
]


def _match(method: str, raw_path: str) -> tuple[Kind, dict[str, str]]:
    path = raw_path.split("?")[0]
    candidates = [path]
    prefix = re.match(r"^/[^/]+(?=/v3/)", path)
    if prefix:
        candidates.append(path[prefix.end() :])
    for candidate in candidates:
        for route_method, pattern, kind in _ROUTES:
            found = pattern.match(candidate)
            if found and route_method == method:
                groups = {k: unquote(v) for k, v in found.groupdict().items() if v is not None}
                return kind, groups
    return "unknown", {}


class ConnectorEmulator:
    """Bot Connector v3 on 127.0.0.1:<free port>. Use `async with ConnectorEmulator() as emu:`."""

    def __init__(self, *, app_id: str | None = None, tenant_id: str | None = None) -> None:
        self.team: Team = make_team(app_id=app_id, tenant_id=tenant_id)
        self.users: list[User] = []
        self.calls: list[Call] = []
        self.activities: dict[str, Json] = {}  # activity id -> latest activity body
        self.activity_conversation: dict[str, str] = {}  # activity id -> conversation id
        self.throttled = 0
        self.delay = 0.0
        self._faults: list[Fault] = []
        self._slow: deque[float] = deque()
        self._late: list[Fault] = []
        self._limits: Limits | None = None
        self._windows: dict[str, deque[float]] = {}
        self._last_id = 0
        self._runner: web.AppRunner | None = None
        self._port = 0

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> ConnectorEmulator:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> ConnectorEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}/"

    @property
    def bot(self) -> BotAccount:
        return self.team.bot

    @property
    def tenant_id(self) -> str:
        return self.team.tenant_id

    # ---- directory -------------------------------------------------------------------------

    def add_user(self, name: str, aad_object_id: str | None = None, upn: str | None = None) -> User:
        """Add a tenant user that `get_member` and `pagedmembers` will return."""
        login = upn or f"{'.'.join(name.lower().split()) or 'user'}@example.nhs.uk"
        user = User(
            name=name,
            aad_object_id=aad_object_id or str(uuid.uuid4()),
            upn=login,
            email=login,
        )
        self.users.append(user)
        return user

    def find_user(self, any_id: str) -> User | None:
        """By 29: id, AAD object id or UPN (Teams' get-member accepts all three)."""
        for user in self.users:
            if any_id in (user.id, user.aad_object_id) or any_id.lower() == user.upn.lower():
                return user
        return None

    def member_json(self, user: User) -> Json:
        given, _, surname = user.name.partition(" ")
        return {
            "id": user.id,
            "name": user.name,
            "aadObjectId": user.aad_object_id,
            "userPrincipalName": user.upn,
            "email": user.email,
            "givenName": given,
            "surname": surname,
            "tenantId": self.team.tenant_id,
            "userRole": "user",
        }

    # ---- fault injection -------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        times: int = 1,
        retry_after: float | None = None,
        kinds: Iterable[str] | None = None,
        body: Json | None = None,
    ) -> None:
        """Answer the next `times` calls (of `kinds`, or any kind when None) with `status`."""
        kind_set = frozenset(kinds) if kinds is not None else None
        self._faults.append(Fault(status, times, retry_after, kind_set, body))

    def slow_next(self, seconds: float, times: int = 1) -> None:
        """Delay the next `times` calls by `seconds` (on top of `delay`)."""
        self._slow.extend([seconds] * times)

    def answer_late(
        self, seconds: float, times: int = 1, kinds: Iterable[str] | None = None
    ) -> None:
        """Carry out the next `times` calls (of `kinds`) at once, but hold the answer back for
        `seconds`: Teams did it, and the bot may give up waiting before it hears so."""
        self._late.append(Fault(0, times, seconds, frozenset(kinds) if kinds else None, None))

    def enforce_limits(
        self,
        per_second: int = 7,
        per_30s: int = 60,
        per_hour: int = 1800,
        tenant_per_second: int = 50,
        per_2s: int = 8,
    ) -> None:
        """Return 429 (Retry-After: 1) past Teams' per-thread and per-tenant write limits."""
        self._limits = Limits(per_second, per_2s, per_30s, per_hour, tenant_per_second)

    def disable_limits(self) -> None:
        self._limits = None

    # ---- queries ---------------------------------------------------------------------------

    def messages(self, conversation_prefix: str | None = None) -> list[Call]:
        """Successful create/send/reply calls that posted an activity, in order (by prefix)."""
        return [
            c
            for c in self.calls
            if c.ok
            and c.kind in MESSAGE_KINDS
            and c.activity_id is not None
            and (
                conversation_prefix is None
                or (c.conversation_id or "").startswith(conversation_prefix)
            )
        ]

    def updates(self, activity_id: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.ok and c.kind == "update" and activity_id in (None, c.activity_id)
        ]

    def threads(self) -> list[Call]:
        """Successful creates of channel threads."""
        return [
            c
            for c in self.calls
            if c.ok and c.kind == "create" and ";messageid=" in (c.conversation_id or "")
        ]

    def activity(self, activity_id: str) -> Json:
        """The current content of a posted activity (after updates)."""
        return self.activities[activity_id]

    def last_card(self, activity_id: str) -> Json | None:
        """The current Adaptive Card content of a posted activity (after updates)."""
        return adaptive_card(self.activities[activity_id])

    def dump(self, last: int = 30) -> str:
        return "\n".join(str(c) for c in self.calls[-last:]) or "(no calls)"

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,  # noqa: ASYNC109 (the suite's documented API)
        message: str = "",
    ) -> T:
        """Poll `predicate` every 20 ms until truthy; return its value or fail with a call dump."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {message or predicate!r}\n"
                    f"recent emulator calls:\n{self.dump()}"
                )
            await asyncio.sleep(0.02)

    async def wait_for_calls(
        self,
        n: int,
        kind: str | Iterable[str] | None = None,
        *,
        ok: bool | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Call]:
        """Wait until at least `n` calls of `kind` (and status ok/failed if `ok` is set)."""
        kinds = {kind} if isinstance(kind, str) else (set(kind) if kind is not None else None)

        def matching() -> list[Call]:
            return [
                c
                for c in self.calls
                if (kinds is None or c.kind in kinds) and (ok is None or c.ok == ok)
            ]

        await self.wait_for(
            lambda: len(matching()) >= n, timeout, message=f"{n} calls of kind={kind} ok={ok}"
        )
        return matching()

    # ---- request handling ------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        kind, params = _match(request.method, request.raw_path)
        body = await self._read_json(request)
        await self._maybe_sleep()
        call = Call(
            method=request.method,
            path=request.raw_path,
            kind=kind,
            conversation_id=params.get("cid"),
            activity_id=params.get("aid"),
            body=body,
            status=200,
            at=time.monotonic(),
            authorization=request.headers.get("Authorization"),
            query=dict(request.query),
        )
        try:
            self._inject_fault(kind)
            self._check_limits(call)
            result = self._dispatch(call, params, request)
            response = web.json_response(result, status=201 if kind in MESSAGE_KINDS else 200)
        except _Reject as reject:
            response = web.json_response(reject.body, status=reject.status, headers=reject.headers)
        call.status = response.status
        self.calls.append(call)
        late = next((f for f in self._late if f.matches(kind)), None)
        if late is not None:
            late.times -= 1
            if late.times <= 0:
                self._late.remove(late)
            await asyncio.sleep(late.retry_after or 0.0)
        return response

    @staticmethod
    async def _read_json(request: web.Request) -> Any:
        raw = await request.read()
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode("utf-8", "replace")

    async def _maybe_sleep(self) -> None:
        seconds = self.delay + (self._slow.popleft() if self._slow else 0.0)
        if seconds > 0:
            await asyncio.sleep(seconds)

    def _inject_fault(self, kind: str) -> None:
        fault = next((f for f in self._faults if f.matches(kind)), None)
        if fault is None:
            return
        fault.times -= 1
        if fault.times <= 0:
            self._faults.remove(fault)
        headers = {} if fault.retry_after is None else {"Retry-After": _seconds(fault.retry_after)}
        raise _Reject(fault.status, fault.body or error_body(fault.status), headers)

    def _check_limits(self, call: Call) -> None:
        limits = self._limits
        if limits is None or call.kind not in WRITE_KINDS:
            return
        thread = self._limit_key(call)
        now = time.monotonic()
        checks = [
            (f"t:{thread}", 1.0, limits.per_second),
            (f"t:{thread}", 2.0, limits.per_2s),
            (f"t:{thread}", 30.0, limits.per_30s),
            (f"t:{thread}", 3600.0, limits.per_hour),
            ("tenant", 1.0, limits.tenant_per_second),
        ]
        for key, window, limit in checks:
            if self._count_since(key, now - window) >= limit:
                self.throttled += 1
                raise _Reject(429, error_body(429), {"Retry-After": "1"})
        for key in (f"t:{thread}", "tenant"):
            self._windows.setdefault(key, deque()).append(now)

    def _limit_key(self, call: Call) -> str:
        if call.kind == "create":
            params = call.body if isinstance(call.body, dict) else {}
            channel = (params.get("channelData") or {}).get("channel") or {}
            members = params.get("members") or [{}]
            return channel.get("id") or f"1on1:{members[0].get('id')}"
        return thread_of(call.conversation_id or "")

    def _count_since(self, key: str, since: float) -> int:
        window = self._windows.get(key)
        if not window:
            return 0
        while window and window[0] <= since - 3600.0:  # older than the longest window
            window.popleft()
        return sum(1 for t in window if t > since)

    def _dispatch(self, call: Call, params: dict[str, str], request: web.Request) -> Any:
        handlers: dict[str, Callable[[], Any]] = {
            "create": lambda: self._create(call),
            "send": lambda: self._post(call),
            "reply": lambda: self._post(call),
            "update": lambda: self._update(call),
            "get_member": lambda: self._get_member(params["uid"]),
            "get_members": lambda: [self.member_json(u) for u in self.users],
            "paged_members": lambda: self._paged_members(request),
            "team": lambda: self._team(params["tid"], bool(params.get("sub"))),
        }
        handler = handlers.get(call.kind)
        if handler is None:
            raise _Reject(404, error_body(404, "NotFound"))
        return handler()

    def _new_activity_id(self) -> str:
        self._last_id = max(self._last_id + 1, int(time.time() * 1000))
        return str(self._last_id)

    def _record(self, conversation_id: str, activity: Json) -> str:
        activity_id = self._new_activity_id()
        self.activities[activity_id] = {**activity, "id": activity_id}
        self.activity_conversation[activity_id] = conversation_id
        return activity_id

    def _create(self, call: Call) -> Json:
        params = call.body if isinstance(call.body, dict) else {}
        channel_id = ((params.get("channelData") or {}).get("channel") or {}).get("id")
        activity = params.get("activity")
        if channel_id:
            activity_id = self._new_activity_id()
            conv_id = f"{channel_id};messageid={activity_id}"
            self.activities[activity_id] = {**(activity or {}), "id": activity_id}
            self.activity_conversation[activity_id] = conv_id
            call.conversation_id, call.activity_id = conv_id, activity_id
            return {"id": conv_id, "activityId": activity_id}
        conv_id = self._one_on_one_id(params.get("members") or [])
        call.conversation_id = conv_id
        if not activity:
            return {"id": conv_id}
        call.activity_id = self._record(conv_id, activity)
        return {"id": conv_id, "activityId": call.activity_id}

    def _one_on_one_id(self, members: list[Json]) -> str:
        if len(members) != 1:
            raise _Reject(400, error_body(400, "BadArgument"))
        member_id = members[0].get("id") or members[0].get("aadObjectId") or ""
        user = self.find_user(member_id)
        return personal_conversation_id(user) if user else f"a:1on1-{member_id}"

    def _post(self, call: Call) -> Json:
        if not isinstance(call.body, dict):
            raise _Reject(400, error_body(400, "BadArgument"))
        if call.kind == "reply":
            call.reply_to_id = call.activity_id
        call.activity_id = self._record(call.conversation_id or "", call.body)
        return {"id": call.activity_id}

    def _update(self, call: Call) -> Json:
        activity_id = call.activity_id or ""
        if activity_id not in self.activities:
            raise _Reject(404, error_body(404, "ActivityNotFoundInConversation"))
        if not isinstance(call.body, dict):
            raise _Reject(400, error_body(400, "BadArgument"))
        self.activities[activity_id] = {**call.body, "id": activity_id}
        return {"id": activity_id}

    def _get_member(self, member_id: str) -> Json:
        user = self.find_user(member_id)
        if user is None:
            raise _Reject(404, error_body(404, "MemberNotFoundInConversation"))
        return self.member_json(user)

    def _paged_members(self, request: web.Request) -> Json:
        size = max(1, int(request.query.get("pageSize") or 100))
        start = int(request.query.get("continuationToken") or 0)
        page = self.users[start : start + size]
        more = start + size < len(self.users)
        return {
            "members": [self.member_json(u) for u in page],
            "continuationToken": str(start + size) if more else None,
        }

    def _team(self, team_id: str, channels: bool) -> Json:
        if team_id != self.team.id:
            raise _Reject(404, error_body(404, "TeamNotFound"))
        if channels:
            return {"conversations": [_channel_json(c) for c in self.team.channels]}
        return {
            "id": self.team.id,
            "name": self.team.name,
            "aadGroupId": self.team.aad_group_id,
            "channelCount": len(self.team.channels),
            "memberCount": len(self.users),
            "type": "standard",
        }


def _channel_json(channel: Channel) -> Json:
    return {"id": channel.id, "name": channel.name}


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


__all__ = [
    "ADAPTIVE_CARD",
    "Call",
    "ConnectorEmulator",
    "adaptive_card",
    "error_body",
    "mentioned_ids",
    "thread_of",
    "User",
    "Team",
    "BotAccount",
]
