"""Who an escalation addresses, and the outbox notices that carry it (pure: no I/O).

A media-interest escalation addresses the four directors of the case's locality, the
communications lead once media attention is confirmed, and the specialist commissioned
communications lead for a specialist commissioned patient. A regional escalation addresses the
regional safeguarding lead; a national one also the national contact, when one is configured.
Role holders come from the people directory; a role nobody holds is named as missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .errors import NotFound
from .model import Case, Escalation, PersonRef, Recipient
from .ports import Notice, NoticeKind, RoleHolder
from .reference import Reference

MEDIA, REGIONAL, NATIONAL = "media", "regional", "national"
KIND_TITLES = {MEDIA: "Media interest", REGIONAL: "Regional escalation",
               NATIONAL: "National escalation"}
COMMS, SPECIALIST_COMMS = "comms_lead", "specialist_comms_lead"
REGIONAL_LEAD, NATIONAL_CONTACT = "regional_safeguarding_lead", "national_contact"
SAFEGUARDING_LEAD = "safeguarding_lead"
# Roles the process needs in every locality; `roles` lists the ones nobody holds.
PROCESS_ROLES = ("safeguarding_lead", "designated_lead")


def describe(esc: Escalation) -> str:
    """How messages name it: "media interest escalation", "regional escalation"."""
    title = KIND_TITLES.get(esc.kind, "Escalation").lower()
    return title if title.endswith("escalation") else f"{title} escalation"


def media_roles(ref: Reference, case: Case) -> list[str]:
    """The roles a media-interest escalation on `case` addresses, in order."""
    roles = list(ref.directors)
    if case.media_confirmed:
        roles.append(COMMS)
    if case.specialist_commissioned:
        roles.append(SPECIALIST_COMMS)
    return roles


def level_roles(kind: str) -> tuple[list[str], list[str]]:
    """(required roles, optional roles) for a regional or national escalation."""
    if kind == NATIONAL:
        return [REGIONAL_LEAD], [NATIONAL_CONTACT]
    return [REGIONAL_LEAD], []


def needed_roles(ref: Reference) -> list[str]:
    """Every role a locality should have someone in (for the `roles` gap list)."""
    return [*PROCESS_ROLES, *ref.directors, COMMS, SPECIALIST_COMMS, REGIONAL_LEAD]


def holders_for(case: Case, holders: Iterable[RoleHolder], role: str) -> list[RoleHolder]:
    return [h for h in holders if h.role == role and h.scope.covers(case, case.team_id)]


def address(case: Case, holders: Sequence[RoleHolder], roles: Iterable[str],
            optional: Iterable[str] = (), skip: Iterable[str] = ()
            ) -> tuple[list[Recipient], list[str]]:
    """One row per person holding each role for the case (a person once), and missing roles.

    People whose AAD id is in `skip` are already addressed and are left out.
    """
    seen = set(skip)
    rows: list[Recipient] = []
    missing: list[str] = []
    optional = list(optional)
    for role in [*roles, *optional]:
        found = holders_for(case, holders, role)
        if not found and role not in optional:
            missing.append(role)
        for h in found:
            if h.person.aad_id in seen:
                continue
            seen.add(h.person.aad_id)
            rows.append(Recipient(role=role, aad_id=h.person.aad_id, teams_id=h.person.teams_id,
                                  name=h.person.name or h.person.upn or "colleague"))
    return rows, missing


def addressed_roles(case: Case, kind: str) -> set[str]:
    """Roles that earlier escalations of `kind` reached someone in."""
    return {r.role for e in case.escalations if e.kind == kind for r in e.recipients}


def find(case: Case, number: int) -> Escalation:
    esc = next((e for e in case.escalations if e.number == number), None)
    if esc is None:
        raise NotFound(None, f"escalation {number} on case {case.number}")
    return esc


def person(r: Recipient) -> PersonRef:
    return PersonRef(aad_id=r.aad_id, name=r.name, teams_id=r.teams_id)


# --- keys: the thread card and each person's 1:1 card are updated in place later ----------
def thread_key(case: Case, esc: Escalation) -> str:
    return f"esc:{case.number}:{esc.number}"


def direct_key(case: Case, esc: Escalation, aad_id: str) -> str:
    return f"ack:{case.number}:{esc.number}:{aad_id}"


def reminder_kind(esc: Escalation) -> str:
    return f"ack:{esc.number}"


def posted(case: Case, esc: Escalation, recipients: Iterable[Recipient]) -> list[Notice]:
    """The escalation card in the thread, and a 1:1 acknowledgement card to each recipient."""
    out = [Notice(NoticeKind.THREAD_REPLY, case.number, card=f"escalation:{esc.number}",
                  key=thread_key(case, esc))]
    out += [direct(case, esc, r) for r in recipients]
    return out


def direct(case: Case, esc: Escalation, r: Recipient) -> Notice:
    return Notice(NoticeKind.DIRECT, case.number, card=f"ack:{esc.number}", to=person(r),
                  key=direct_key(case, esc, r.aad_id))


def refreshed(case: Case, esc: Escalation, people: Iterable[Recipient] = ()) -> list[Notice]:
    """Re-render the thread card (and the 1:1 cards of `people`) where they are."""
    out = [Notice(NoticeKind.THREAD_UPDATE, case.number, card=f"escalation:{esc.number}",
                  target=thread_key(case, esc))]
    out += [Notice(NoticeKind.DIRECT_UPDATE, case.number, card=f"ack:{esc.number}",
                   to=person(r), target=direct_key(case, esc, r.aad_id)) for r in people]
    return out


def gap_notice(ref: Reference, case: Case, esc: Escalation,
               leads: Sequence[PersonRef]) -> Notice:
    """Tell the safeguarding lead which roles nobody holds, so nobody was told in them."""
    loc = ref.localities[case.locality].name if case.locality in ref.localities \
        else case.locality
    roles = ", ".join(ref.role_label(r).lower() for r in esc.missing_roles)
    first = ref.role_label(esc.missing_roles[0]).lower()
    names = " ".join(f"<at>{p.name}</at>" for p in leads)
    who = f"{names}: " if names else "Safeguarding lead: "
    text = (f"{who}nobody holds {roles} for {loc}, so nobody in that role was told about "
            f"case {case.number}'s {KIND_TITLES.get(esc.kind, 'escalation').lower()}. "
            f"Please assign someone, e.g. `role {first} @name for {loc}`, and tell them "
            "directly in the meantime.")
    return Notice(NoticeKind.THREAD_REPLY, case.number, text=text, mentions=tuple(leads),
                  key=f"esc-gap:{case.number}:{esc.number}")
