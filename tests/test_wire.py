"""Our own outgoing JSON (teams_bot/outbound/render.py) is what botbuilder's own serializer sends
for the same message; and `case_to_dict` still matches `dataclasses.asdict` for every sample
case."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from typing import Any

from botbuilder.core import MessageFactory, serializer_helper
from botbuilder.schema import Attachment, ChannelAccount, Mention

from cards.samples import sample_cards, sample_cases
from teams_bot.outbound.connector import SendError, path
from teams_bot.outbound.render import message
from teams_bot.turns.actions.core import ActionResult
from teams_bot.turns.handler import TurnHandler
from tracker.model import PersonRef, case_to_dict


def msrest(model: Any) -> Any:
    return serializer_helper(model)


CARD = next(iter(sample_cards().values()))
DEV = PersonRef("aad-dev", "Dev Designated", "29:dev")


def test_a_card_answer_is_the_json_botbuilder_sends() -> None:
    theirs = MessageFactory.attachment(Attachment(
        content_type="application/vnd.microsoft.card.adaptive", content=CARD))
    theirs.text = "Case 4: triaged."
    assert message("Case 4: triaged.", CARD) == msrest(theirs)


def test_a_mention_is_the_json_botbuilder_sends() -> None:
    theirs = MessageFactory.text("<at>Dev Designated</at>: case 4 needs you.")
    theirs.text_format = "markdown"
    theirs.entities = [Mention(mentioned=ChannelAccount(id="29:dev", name="Dev Designated"),
                               text="<at>Dev Designated</at>", type="mention")]
    ours = message("<at>Dev Designated</at>: case 4 needs you.", mentions=[DEV])
    assert json.dumps(ours, sort_keys=True) == json.dumps(msrest(theirs), sort_keys=True)


def test_plain_text_is_the_json_botbuilder_sends_with_nhs_numbers_masked() -> None:
    theirs = MessageFactory.text("plain")
    theirs.text_format = "markdown"
    assert message("plain") == msrest(theirs)
    assert "943 476 5919" not in message("NHS 943 476 5919")["text"]


def test_an_invoke_answer_is_an_adaptive_card_invoke_response() -> None:
    for result, kind in ((ActionResult(CARD), "application/vnd.microsoft.card.adaptive"),
                         (ActionResult(None, "Done."),
                          "application/vnd.microsoft.activity.message")):
        answer = TurnHandler._answer(result)
        assert answer.status == 200
        assert answer.body == {"statusCode": 200, "type": kind,
                               "value": result.card or result.text}


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
