"""The Presidio analyzer, built from the recognisers we need and nothing that loads a model.

- NLP: Presidio's `NoOpNlpEngine` (no spaCy model, nothing downloaded). Context rules live in
  the recognisers themselves, so the engine needs no tokens or lemmas.
- NHS numbers: Presidio's `NhsRecognizer` with more groupings (3-3-4, 4-3-3, 5-5, separators
  ' ', '-', '.', '/', ' - '), each candidate's check digit computed by the `nhs-number` package.
- E-mail: Presidio's `EmailRecognizer`, its domain check done with a `tldextract` extractor
  that uses the suffix list shipped inside the package (the default one fetches it online).
- Phone: Presidio's `PhoneRecognizer` (python-phonenumbers) for GB at the POSSIBLE leniency, so
  that Ofcom's drama numbers (07700 900xxx) count as well.
- Postcodes: Presidio's `UkPostcodeRecognizer`. Dates: Presidio's `DateRecognizer` plus
  written-out dates ("3 March 2011"); a date counts as a date of birth only beside birth words.
- Street addresses and names: our own recognisers, in Presidio's form.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import nhs_number
import tldextract
from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.nlp_engine.no_op_nlp_engine import NoOpNlpEngine
from presidio_analyzer.predefined_recognizers import (
    DateRecognizer,
    EmailRecognizer,
    NhsRecognizer,
    PhoneRecognizer,
    UkPostcodeRecognizer,
)

from .names import find_names

_SEP = r"(?:[ \t]{0,2}[-./][ \t]{0,2}|[ \t]{1,2})?"
_D = r"(?<![\d])"
_NOT_D = r"(?![\d])"
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_STREET = (r"(?:road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|grove|crescent|cres|way|"
           r"terrace|court|view|place|gardens|walk|hill|rise|park|square|mews|row|green|parade|"
           r"vale|heights|fold|croft|meadows?|wynd|chase|gate|boulevard|embankment)")

# Presidio logs at INFO while building, and our log filter (teams_bot/logguard.py) calls back
# into this module: keep its chatter out of the logs, and out of a loop.
logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)
_OFFLINE_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail recogniser, checking the domain against the bundled suffix list. Its
    own pattern backtracks for seconds on hostile text ('a.a.a.…' without an '@'), so the
    local part is bounded here (64 characters, as RFC 5321 allows)."""

    PATTERNS = [Pattern("Email (bounded)", r"(?<![\w.!#$%&'*+/=?^`{|}~-])"
                        r"[\w!#$%&'*+/=?^`{|}~-][\w.!#$%&'*+/=?^`{|}~-]{0,63}"
                        r"@\w[\w-]{0,62}(?:\.\w[\w-]{0,62}){1,8}\b", 0.5)]

    def __init__(self) -> None:
        super().__init__(patterns=self.PATTERNS)

    def validate_result(self, pattern_text: str) -> bool:
        return _OFFLINE_TLD(pattern_text.rpartition("@")[2]).fqdn != ""


class NhsNumberRecognizer(NhsRecognizer):
    PATTERNS = [
        Pattern("NHS 3-3-4", _D + rf"\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{4}}" + _NOT_D, 0.6),
        Pattern("NHS 4-3-3", _D + rf"\d{{4}}{_SEP}\d{{3}}{_SEP}\d{{3}}" + _NOT_D, 0.6),
        Pattern("NHS 3-4-3", _D + rf"\d{{3}}{_SEP}\d{{4}}{_SEP}\d{{3}}" + _NOT_D, 0.6),
        Pattern("NHS 5-5", _D + rf"\d{{5}}{_SEP}\d{{5}}" + _NOT_D, 0.6),
    ]

    def __init__(self) -> None:
        super().__init__(patterns=self.PATTERNS, supported_entity="NHS_NUMBER")

    def validate_result(self, pattern_text: str) -> bool:
        digits = "".join(c for c in pattern_text if c.isdigit())
        # The check digit alone decides: nhs_number.is_valid also wants a Scottish CHI number
        # to start with a real date, but a mistyped or test number must not slip through.
        return len(digits) == 10 and nhs_number.calculate_checksum(digits[:9]) == int(digits[9])


class WrittenDateRecognizer(PatternRecognizer):
    """Dates with the month in words: '3 March 2011', '12th Jan 2009', 'the 4th of April'."""

    PATTERNS = [
        Pattern("day month year",
                rf"\b\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}\.?,?\s+\d{{2,4}}\b", 0.6),
        Pattern("month day year", rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b",
                0.6),
        Pattern("born in a year", r"(?<=born )(?:in )?(?:19|20)\d{2}\b", 0.6),
    ]

    def __init__(self) -> None:
        super().__init__(supported_entity="DATE_TIME", patterns=self.PATTERNS,
                         name="WrittenDateRecognizer")


class StreetAddressRecognizer(PatternRecognizer):
    """A house number (and flat) before a street name ending in a street word."""

    PATTERNS = [
        Pattern("house number and street",
                r"\b(?:(?:flat|apartment|apt|unit)\s+\d+[a-z]?,?\s+)?(?:no\.?\s*)?\d{1,4}[a-z]?,?"
                rf"\s+(?:[A-Z][\w'’-]+\s+){{1,3}}{_STREET}\b", 0.6),
        Pattern("house number and one-word street",
                r"\b\d{1,4}[a-z]?\s+[A-Z][a-z]+(?:way|gate|field|fields|side|bank)\b", 0.5),
        Pattern("flat in a named building",
                r"\b(?:flat|apartment|apt)\s+\d+[a-z]?,\s+[A-Z][\w'’-]+\s+(?:court|house|"
                r"lodge|tower|mansions|buildings)\b", 0.6),
    ]

    def __init__(self) -> None:
        super().__init__(supported_entity="STREET_ADDRESS", patterns=self.PATTERNS,
                         name="StreetAddressRecognizer")


class NameRecognizer(EntityRecognizer):
    """Personal names from the names-dataset lists with capitalisation and context rules."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], name="NameRecognizer")

    def load(self) -> None:
        return None

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        return [RecognizerResult("PERSON", start, end, score)
                for start, end, score in find_names(text)]


class UkPhoneRecognizer(PhoneRecognizer):
    """python-phonenumbers for GB, leniently (drama numbers count), but only whole numbers:
    10 or more digits, written from 0 or +44 (not '2026/12345' or a year)."""

    def __init__(self) -> None:
        super().__init__(supported_regions=("GB",), leniency=0)

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        out = []
        for r in super().analyze(text, entities, nlp_artifacts):  # type: ignore[arg-type]
            raw = text[r.start:r.end]
            digits = sum(c.isdigit() for c in raw)
            if digits >= 10 and raw.lstrip("(").startswith(("0", "+44", "44")):
                out.append(r)
        return out


class OwnContext(ContextAwareEnhancer):
    """Context is read by the recognisers themselves (birth words, relation words, ages): the
    engine's lemma-based enhancer has no lemmas without a model, and only copies results."""

    def __init__(self) -> None:
        super().__init__(0.0, 0.0, 0, 0)

    def enhance_using_context(self, text: str, raw_results: list[RecognizerResult],
                              nlp_artifacts: NlpArtifacts, recognizers: list[EntityRecognizer],
                              context: list[str] | None = None) -> list[RecognizerResult]:
        return raw_results


def _recognisers() -> list[Any]:
    return [NhsNumberRecognizer(), OfflineEmailRecognizer(), UkPhoneRecognizer(),
            UkPostcodeRecognizer(), DateRecognizer(), WrittenDateRecognizer(),
            StreetAddressRecognizer(), NameRecognizer()]


ENTITIES = ["NHS_NUMBER", "EMAIL_ADDRESS", "PHONE_NUMBER", "UK_POSTCODE", "DATE_TIME",
            "STREET_ADDRESS", "PERSON"]
_lock = threading.Lock()
_engine: AnalyzerEngine | None = None


def engine() -> AnalyzerEngine:
    """The analyzer, built once (the name lists load on first use, about 0.3 s)."""
    global _engine
    with _lock:
        if _engine is None:
            registry = RecognizerRegistry(recognizers=_recognisers(), supported_languages=["en"])
            nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
            nlp.load()
            _engine = AnalyzerEngine(registry=registry, nlp_engine=nlp,
                                     supported_languages=["en"],
                                     context_aware_enhancer=OwnContext())
            _engine.analyze(text="Warm Up a@b.org", language="en", entities=ENTITIES)
        return _engine


_nhs = NhsNumberRecognizer()


def nhs_spans(text: str) -> list[tuple[int, int, float]]:
    """NHS numbers alone, without the whole engine (for logs and whole-message refusals)."""
    results = EntityRecognizer.remove_duplicates(_nhs.analyze(text, ["NHS_NUMBER"]))
    return [(r.start, r.end, r.score) for r in results]


def analyse(text: str) -> list[RecognizerResult]:
    return engine().analyze(text=text, language="en", entities=ENTITIES,
                            score_threshold=0.0)
