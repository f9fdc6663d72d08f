"""A last line of defence for logs: mask NHS numbers, bearer tokens, JWTs and our secrets.

The code never logs case free text or secrets in the first place (tests/test_privacy_logs.py
checks a whole journey); this filter catches what a library or an exception message might add.
"""

from __future__ import annotations

import logging
import re
import threading

from teams_bot.settings import Settings
from tracker.privacy import mask_nhs_numbers

_inside = threading.local()
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")


def mask(text: str, secrets: tuple[str, ...] = ()) -> str:
    text = _BEARER.sub(r"\1 ****", text)
    text = _JWT.sub("****", text)
    text = _URL_PASSWORD.sub(r"\1****@", text)
    for secret in secrets:
        text = text.replace(secret, "****")
    return mask_nhs_numbers(text)


class MaskingFilter(logging.Filter):
    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if len(s) >= 4)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(_inside, "masking", False):  # the detector itself logging: no loop
            return True
        _inside.masking = True
        try:
            return self._mask(record)
        finally:
            _inside.masking = False

    def _mask(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to logging to report
            return True
        masked = mask(message, self.secrets)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text, self.secrets)
        return True


def install(settings: Settings, logger: logging.Logger | None = None) -> MaskingFilter:
    """Put the filter on every handler of `logger` (the root logger by default)."""
    guard = MaskingFilter((settings.intake_api_key, settings.app_password))
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(guard)
    return guard
