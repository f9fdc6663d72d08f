"""`to_wire` sends exactly the JSON msrest would, for every kind of activity the bot sends; and
`case_to_dict` still matches `dataclasses.asdict` for every sample case."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from botbuilder.core import InvokeResponse, MessageFactory, serializer_helper
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    Mention,
)

from cards.samples import sample_cards, sample_cases
from teams_bot.bot import InvokeBody
from teams_bot.wire import SendError, path, to_wire
from tracker.model import case_to_dict


def msrest(model: Any) -> Any:
    return serializer_helper(model)


def card_reply() -> Activity:
    card = next(iter(sample_cards().values()))
    act = MessageFactory.attachment(Attachment(
        content_type="application/vnd.microsoft.card.adaptive", content=card))
    act.text = "Case 4: triaged."
    act.reply_to_id = "1700000000001"
    act.conversation = ConversationAccount(id="19:abc@thread.tacv2;messageid=17", is_group=True)
    act.from_property = ChannelAccount(id="28:bot", name="Safeguarding Tracker")
    act.recipient = ChannelAccount(id="29:user", name="Lena Lead", aad_object_id="aad-1")
    act.timestamp = datetime(2026, 11, 24, 10, 0, 1, 250000, tzinfo=UTC)
    act.channel_data = {"tenant": {"id": "t"}, "notification": {"alert": True}, "x": None}
    return act


def mention_reply() -> Activity:
    act = MessageFactory.text("<at>Dev Designated</at>: case 4 needs you.")
    act.text_format = "markdown"
    act.entities = [Mention(mentioned=ChannelAccount(id="29:dev", name="Dev Designated"),
                            text="<at>Dev Designated</at>", type="mention")]
    return act


@pytest.mark.parametrize("model", [
    card_reply(),
    mention_reply(),
    Activity(type=ActivityTypes.message, text="plain", input_hint="acceptingInput"),
    ConversationParameters(is_group=True, bot=ChannelAccount(id="28:bot"),
                           channel_data={"channel": {"id": "19:c"}, "tenant": {"id": "t"}},
                           activity=mention_reply(), tenant_id="t"),
    ConversationParameters(is_group=False, bot=ChannelAccount(id="28:bot"),
                           members=[ChannelAccount(id="29:u")], tenant_id="t"),
    InvokeBody(status_code=200, type="application/vnd.microsoft.card.adaptive",
               value=next(iter(sample_cards().values()))),
    InvokeBody(status_code=200, type="application/vnd.microsoft.activity.message", value="Done."),
], ids=["card reply", "mention", "plain text", "new thread", "new 1:1", "invoke card",
        "invoke message"])
def test_the_same_json_as_msrest(model: Any) -> None:
    assert to_wire(model) == msrest(model)
    assert json.dumps(to_wire(model), sort_keys=True) == json.dumps(msrest(model), sort_keys=True)


def test_plain_values_and_invoke_responses() -> None:
    assert to_wire(None) is None and to_wire({"a": [1, None]}) == {"a": [1, None]}
    assert to_wire(InvokeResponse(status=200).body) is None
    assert to_wire(date(2026, 11, 24)) == date(2026, 11, 24)  # as msrest: left to json


def test_paths_quote_teams_ids() -> None:
    assert path("19:abc@thread.tacv2;messageid=17", "17") == \
        "v3/conversations/19%3Aabc%40thread.tacv2%3Bmessageid%3D17/activities/17"
    assert path("a:1on1-29:x") == "v3/conversations/a%3A1on1-29%3Ax/activities"


def test_errors_say_whether_to_retry() -> None:
    assert not SendError(429, "slow down", 2.0).permanent
    assert not SendError(0, "network").permanent
    assert SendError(403, "blocked").permanent and SendError(404, "gone").permanent


def test_case_to_dict_matches_asdict() -> None:
    def old(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: old(v) for k, v in value.items()}
        if isinstance(value, list):
            return [old(v) for v in value]
        if isinstance(value, datetime | date):
            return value.isoformat()
        return value

    for case in sample_cases().values():
        assert case_to_dict(case) == old(dataclasses.asdict(case))
