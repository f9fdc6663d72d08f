"""Case card controls for Path 1: awaiting the panel, Rapid Review, review in progress, and the
read-only record of a closed case review. Registered per state in `cards.case_card`."""

from __future__ import annotations

from microsoft_teams.cards import Action

from tracker.model import ReviewType
from tracker.views import CaseView

from .actions import CardVerb
from .components import execute
from .controls import Controls
from .path1_forms import (
    actions_form,
    briefing_form,
    close_form,
    notes_form,
    panel_form,
    published_form,
    update_form,
)
from .review_record import review_record

ALL_DECISIONS = tuple(ReviewType)
AFTER_RAPID_REVIEW = (ReviewType.CSPR, ReviewType.SAR, ReviewType.DHR, ReviewType.DHR_CHILD,
                      ReviewType.NO_REVIEW)


def _refresh(view: CaseView) -> Action:
    return execute("Refresh", CardVerb.REFRESH, view.case.number, view.case.version)


def panel_controls(view: CaseView) -> Controls:
    """Awaiting the panel: its decision, and the record so far."""
    return Controls(body=review_record(view), actions=[
        panel_form(view, ALL_DECISIONS), update_form(view), notes_form(view), _refresh(view)])


def rapid_review_controls(view: CaseView) -> Controls:
    """A Rapid Review under way: the panel may convert it to a full review, or decide none."""
    return Controls(body=review_record(view), actions=[
        panel_form(view, AFTER_RAPID_REVIEW), update_form(view), actions_form(view),
        notes_form(view), _refresh(view)])


def review_controls(view: CaseView) -> Controls:
    """A CSPR, SAR or DHR in progress: the record, pre-publication, and closing. (No Refresh:
    the thread's card updates in place, and five buttons is what fits on a phone.)"""
    return Controls(body=review_record(view), actions=[
        update_form(view), actions_form(view), notes_form(view), briefing_form(view),
        close_form(view)])


def closed_review_controls(view: CaseView) -> Controls:
    """A closed case review: the record, read-only (no inputs, no buttons)."""
    return Controls(body=review_record(view))


def embargoed_controls(view: CaseView) -> Controls:
    """An embargoed review: the record, read-only, and one form to record the publication
    when the embargo ends (the reminder the day after points here)."""
    return Controls(body=review_record(view), actions=[published_form(view)])
