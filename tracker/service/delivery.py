"""What the delivery side needs from the domain: where to post, and telling the lead of failures."""

from __future__ import annotations

from ..model import SYSTEM
from ..ports import ChannelRef, Notice, NoticeKind
from .writer import Writer

_WHAT = {
    "new_thread": "the case thread", "card_update": "an update of the case card",
    "thread_reply": "a message in the case thread", "direct": "a 1:1 message",
    "direct_update": "an update of a 1:1 card", "channel_post": "a channel post",
    "thread_update": "an update of a card in the case thread",
}


class Delivery:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    async def all_channels(self) -> list[ChannelRef]:
        async with self.w.unit() as uow:
            return await uow.directory.channels()

    async def report_delivery_failure(
        self, case_number: int | None, kind: str, row_id: int, status: int,
        in_thread: bool | None = None,
    ) -> None:
        """Record the failure and tell the safeguarding lead, in the thread or the channel
        (`in_thread`: the case thread exists and was not what failed)."""
        why = {403: "the bot was blocked or removed", 404: "the conversation no longer exists"}
        reason = why.get(status, f"Teams answered HTTP {status}")
        what = _WHAT.get(kind, "a message")
        async with self.w.unit() as uow:
            case = await uow.cases.get(case_number) if case_number else None
            leads = [h.person.ref for h in await uow.directory.holders("safeguarding_lead")
                     if case is None or h.scope.covers(case, case.team_id)]
            names = " ".join(f"<at>{p.name}</at>" for p in leads) or "Safeguarding lead"
            about = f" for case {case_number}" if case_number else ""
            text = (f"{names}: I could not deliver {what}{about}: {reason}. Please check that "
                    "the bot is still installed, and follow up by other means.")
            await self.w.record(uow, SYSTEM, case_number, "delivery_failed", {
                "what": "delivery failed", "kind": kind, "outbox_id": row_id, "status": status})
            key = f"delivery-failed:{row_id}"
            if in_thread is None:
                in_thread = kind != "new_thread"
            if case is not None and in_thread:
                await uow.outbox.enqueue(Notice(NoticeKind.THREAD_REPLY, case.number, text=text,
                                                mentions=tuple(leads), key=key))
            else:
                channel = await uow.directory.channel_for(case.locality if case else "")
                if channel is not None:
                    await uow.outbox.enqueue(Notice(NoticeKind.CHANNEL_POST, case_number,
                                                    text=text, mentions=tuple(leads),
                                                    channel=channel, key=key))
            await uow.commit()
