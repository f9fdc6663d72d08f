"""People's names: a forename and surname list from the `names-dataset` package (built by
tools/build_names.py into tracker/data/), read with capitalisation and context rules.

A run of capitalised words is a name when:
- a title leads it ("Mrs Patel", "Dr Okonkwo", "MR JOHN SMITH");
- a relation or role word comes just before it ("Mother Sarah Jones", "the child, Amira");
- an age follows it ("John Smith, aged 17", "Ciarán O'Sullivan (16)");
- its words are a known forename and another known name ("Zofia Nowak");
- it is one common forename on its own ("Amara was left...").
A run that holds an organisation, place or role word ("Kent Police", "Director of Nursing",
"Leeds Teaching Hospitals NHS Trust") is not a name, nor is a place after "in", "at", "for".
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from spacy.lang.en.stop_words import STOP_WORDS  # English function words (spaCy, no model)

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_AGE = re.compile(r"^\s*(?:,\s*|\(\s*)?(?:who\s+is\s+|is\s+|aged?\s+)?\d{1,2}\b"
                  r"(?!\s*(?:%|am|pm|:|/|\.\d|"
                  r"hours|days|weeks|months|working))", re.IGNORECASE)
SINGLE_FORENAME_RANK = 400  # a lone capitalised forename counts when this common somewhere

TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "master", "prof", "professor", "pc", "dc", "ds",
          "sgt", "cllr", "rev", "sir", "dame", "lady", "lord"}
RELATIONS = {
    "mother", "mum", "mom", "mummy", "father", "dad", "daddy", "stepfather", "stepmother",
    "stepdad", "stepmum", "brother", "sister", "son", "daughter", "grandmother", "grandfather",
    "grandma", "grandad", "granddad", "nan", "nana", "uncle", "aunt", "auntie", "aunty", "niece",
    "nephew", "cousin", "partner", "ex-partner", "boyfriend", "girlfriend", "husband", "wife",
    "carer", "child", "baby", "infant", "toddler", "patient", "pupil", "student", "victim",
    "perpetrator", "suspect", "named", "called", "name", "mother's", "father's", "sibling",
    "twin", "teenager", "girl", "boy", "man", "woman", "yp", "cyp", "client", "resident",
    "tenant", "neighbour", "friend", "guardian",
}
# Street and place words that are surnames too ("Jessica Ward", "Amelia Hall"): they block a
# run only when nothing else says it is a person.
SURNAME_PLACES = {"hall", "ward", "green", "park", "hill", "lane", "court", "grove", "marsh",
                  "wood", "brook", "field", "fields", "house", "chase", "gate", "cross", "bridge",
                  "bank", "church", "moor", "dale", "mill", "mills", "wells", "rose", "close",
                  "row", "walk", "way", "view", "place", "rise"}
# Organisations whose names look like people's names (an allow list, as Presidio has).
ORGANISATIONS = {"karma nirvana", "southall black sisters", "victim support", "women's aid",
                 "barnardo's", "childline", "samaritans", "young minds", "mind"}
# Leading words dropped from a capitalised run ("The Channel panel").
FUNCTION_WORDS = {"the", "a", "an", "this", "that", "these", "those", "our", "their", "his",
                  "her", "its", "all", "any", "no", "each", "every", "both", "after", "before",
                  "on", "in", "at", "for", "from", "to", "with", "by", "as", "if", "when",
                  "while", "where", "and", "but", "or", "so", "then", "also", "please", "per",
                  "re", "see", "new", "old", "st", "saint", "thanks", "thank", "hi", "hello",
                  "dear", "regards", "cheers", "morning", "afternoon", "evening"}
# Capitalised runs with one of these are organisations, places or roles, never a person.
NOT_PEOPLE = {"st", "saint",
    # organisations and services
    "trust", "trusts", "hospital", "hospitals", "police", "constabulary", "council", "board",
    "partnership", "partnerships", "service", "services", "icb", "icbs", "ics", "nhs",
    "foundation", "university", "college", "school", "schools", "academy", "centre", "center",
    "clinic", "practice", "practices", "surgery", "unit", "ward", "team", "hub", "panel",
    "review", "reviews", "forum", "network", "committee", "group", "society", "aid", "office",
    "agency", "authority", "commission", "care", "healthcare", "health", "community",
    "safeguarding", "infirmary", "hall", "house", "home", "church", "mosque", "temple",
    "synagogue", "gurdwara", "station", "royal", "ambulance", "fire", "prison", "probation",
    "directorate", "department", "ltd", "limited", "plc", "company", "housing", "association",
    "project", "charity", "refuge", "hostel", "integrated", "county", "borough", "city",
    "metropolitan", "district", "region", "regional", "national", "england", "wales",
    "scotland", "ireland", "britain", "uk", "cqc", "ofsted", "nspcc", "barnardo's", "movement",
    "sisters", "brothers", "women's", "children's", "adults", "adult", "children", "partnership's",
    "cafcass", "mash", "marac", "lado", "steis", "lfpse", "psirf", "gp", "ed", "a&e", "camhs",
    "intelligence", "system", "systems", "institute", "court", "tribunal", "inquest",
    # roles
    "director", "deputy", "chief", "head", "lead", "leads", "nurse", "doctor", "midwife",
    "officer", "manager", "chair", "consultant", "designated", "associate", "executive",
    "senior", "specialist", "reviewer", "advocate", "guardian", "commissioner", "constable",
    "inspector", "sergeant", "worker", "practitioner", "practitioners", "registrar",
    "paediatrician", "coroner", "president", "secretary", "minister", "caldicott", "governor",
    "professional", "professionals", "medical", "quality", "nursing", "midwifery",
    # places and addresses
    "road", "street", "avenue", "lane", "close", "drive", "grove", "crescent", "way",
    "terrace", "view", "place", "gardens", "walk", "hill", "rise", "park", "square", "mews",
    "row", "green", "parade", "north", "south", "east", "west", "northern", "southern",
    "eastern", "western", "midlands", "yorkshire", "humber", "valley", "valleys", "forest",
    "upon", "tyne", "town", "village", "estate", "flat", "apartment", "bay", "room", "floor",
    # time
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "christmas", "easter", "eid", "diwali", "ramadan",
}
# Capitalised words that are common English words or meeting vocabulary as well as forenames.
COMMON_WORDS = {
    "will", "may", "june", "april", "august", "grace", "hope", "faith", "joy", "rose", "iris",
    "amber", "summer", "autumn", "dawn", "mark", "bill", "sue", "pat", "rob", "guy", "drew",
    "jack", "victoria", "florence", "chelsea", "devon", "kent", "lincoln", "chester", "preston",
    "milton", "beverley", "shelby", "dudley", "sutton", "clifton", "stafford", "warwick",
    "kingston", "salford", "barnsley", "bury", "carlisle", "harrogate", "hastings", "hull",
    "york", "derby", "luton", "reading", "bolton", "crawley", "lancaster", "sheffield",
    "leeds", "bradford", "wakefield", "blackpool", "london", "brent", "camden", "harrow",
    "ealing", "merton", "lewisham", "enfield", "barnet", "bromley", "croydon", "hackney",
    "newham", "redbridge", "havering", "hillingdon", "hounslow", "richmond", "islington",
    "southwark", "lambeth", "wandsworth", "oxford", "cambridge", "cornwall", "surrey", "sussex",
    "essex", "norfolk", "suffolk", "dorset", "somerset", "cumbria", "durham", "tees",
    "calderdale", "kirklees", "doncaster", "rotherham", "stockport", "skipton", "scarborough",
    "middlesbrough", "newcastle", "birmingham", "solihull", "coventry", "wolverhampton",
    "walsall", "sandwell", "nottingham", "leicester", "northampton", "peterborough",
    "chelmsford", "brighton", "portsmouth", "southampton", "bristol", "bath", "exeter",
    "plymouth", "truro", "torbay", "jersey", "guernsey", "man", "alder", "guy's", "thomas'",
    "george's", "st", "saint", "queen", "king", "king's", "prince", "princess", "ormond",
    "great", "new", "old", "the", "a", "an", "no", "yes", "all", "any", "our", "case", "cases",
    "action", "actions", "report", "reports", "panel", "agenda", "learning", "final",
    "independent", "serious", "terms", "recommendations", "chronology", "chronologies",
    "publication", "media", "communications", "education", "lessons", "agencies", "agency",
    "home", "rapid", "initial", "domestic", "homicide", "adults", "safe", "child", "children",
    "family", "families", "local", "sar", "dhr", "cspr", "psii", "sir", "police", "date",
    "meeting", "minutes", "notes", "note", "update", "updates", "summary", "incident",
    "incidents", "strategy", "chair", "channel", "prevent", "nurse", "doctor", "teacher",
    "school", "nursery", "mum", "dad", "mother", "father", "baby", "aunt", "uncle", "sister",
    "brother", "son", "daughter", "partner", "contact", "send", "call", "ring", "please",
    "see", "per", "re", "fao", "cc", "to", "from", "dear", "thanks", "regards", "kind",
    "best", "today", "tomorrow", "yesterday", "morning", "evening", "night", "afternoon",
    "page", "item", "section", "appendix", "annex", "version", "draft", "private", "public",
    "black", "white", "asian", "british", "irish", "polish", "romanian", "traveller",
    "gypsy", "roma", "jewish", "muslim", "sikh", "hindu", "christian", "catholic", "karma",
    "nirvana", "hamlet", "ruby", "jade", "crystal", "pearl", "holly", "ivy", "poppy", "daisy",
    "lily", "river", "sky", "storm", "star", "angel", "precious", "harmony", "melody",
    "trinity", "destiny", "justice", "major", "earl", "duke", "baron", "sterling", "hunter",
    "mason", "taylor", "carter", "cooper", "porter", "bishop", "dean", "hall", "ward",
    "marshall", "parker", "wood", "field", "brook", "lake", "bond", "stone", "young", "long",
    "short", "little", "small", "strong", "wise", "noble", "rich", "free", "gay", "frank",
    "earnest", "constance", "patience", "prudence", "temperance", "verity", "honor", "honour",
    "modesty", "clement", "felicity", "charity", "mercy", "unity", "liberty", "serenity",
}


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    end: int

    @property
    def bare(self) -> str:
        return _bare(self.text)

    @property
    def capitalised(self) -> bool:
        return self.text[0].isupper()

    @property
    def shouting(self) -> bool:
        return len(self.text) > 1 and self.text.isupper()


@lru_cache(maxsize=8192)
def _bare(text: str) -> str:
    """Without a possessive ending, in title case (as the name lists spell names)."""
    word = text[:-2] if text.endswith(("'s", "’s")) else text
    return "-".join("'".join(p[:1].upper() + p[1:].lower() for p in part.split("'"))
                    for part in word.replace("’", "'").split("-"))


@cache
def _ranks(filename: str) -> dict[str, int]:
    text = resources.files("tracker").joinpath("data", filename).read_text(encoding="utf-8")
    out: dict[str, int] = {}
    for line in text.splitlines():
        name, _, rank = line.partition("\t")
        out[sys.intern(name)] = int(rank or 0)
    return out


def forenames() -> dict[str, int]:
    return _ranks("names_first.txt")


def surnames() -> dict[str, int]:
    return _ranks("names_last.txt")


def _known(word: Word) -> bool:
    bare = word.bare
    if bare.lower() in NOT_PEOPLE - SURNAME_PLACES:
        return False
    parts = bare.split("-")
    return any(p in forenames() or p in surnames() for p in parts) or bare in surnames()


def _runs(words: list[Word], text: str) -> list[list[Word]]:
    """Runs of capitalised words, joined across 'and', 'of', '&', 'upon' between capitals."""
    runs: list[list[Word]] = []
    current: list[Word] = []
    i = 0
    while i < len(words):
        w = words[i]
        gap = text[current[-1].end:w.start] if current else ""
        if w.capitalised and (not current or _joined(gap)):
            current.append(w)
        elif (current and w.text.lower() in ("and", "of", "upon", "on", "the")
              and i + 1 < len(words) and words[i + 1].capitalised and _joined(gap)):
            current.append(w)
        else:
            if current:
                runs.append(current)
            current = [w] if w.capitalised else []
        i += 1
    if current:
        runs.append(current)
    return [[w for w in run if w.capitalised] for run in runs]


def _joined(gap: str) -> bool:
    return gap.strip() in ("", "&", ",", "'", "’") and len(gap) <= 3


def find_names(text: str) -> list[tuple[int, int, float]]:
    """Spans of likely personal names, with a confidence."""
    words = [Word(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
    found: list[tuple[int, int, float]] = []
    index = {w.start: i for i, w in enumerate(words)}
    for run in _runs(words, text):
        run = _trimmed(run)
        if not run or " ".join(w.text.lower() for w in run) in ORGANISATIONS:
            continue
        strong = [w for w in run if w.bare.lower() in NOT_PEOPLE - SURNAME_PLACES]
        if strong and not _titled(run):
            continue
        found += _in_run(run, words, index, text)
    found += _lowercase_after_relation(words)
    return found


def _trimmed(run: list[Word]) -> list[Word]:
    """Without leading function words ("The"), one-letter words, or a trailing "NHS" (as in
    "Amira Hussain NHS 911...")."""
    run = [w for w in run if len(w.text) > 1]
    while run and run[0].text.lower() in FUNCTION_WORDS - {"st", "saint"}:
        run = run[1:]
    if len(run) > 1 and run[-1].text in ("NHS", "DOB", "DoB"):
        run = run[:-1]
    return run


def _titled(run: list[Word]) -> bool:
    return len(run) > 1 and run[0].bare.lower() in TITLES


def _in_run(run: list[Word], words: list[Word], index: dict[int, int],
            text: str) -> list[tuple[int, int, float]]:
    first = index[run[0].start]
    before = words[first - 1].text.lower() if first else ""
    before2 = words[first - 2].text.lower() if first > 1 else ""
    people = run
    if run[0].bare.lower() in TITLES:
        people = [w for w in run[1:] if w.bare.lower() not in TITLES]
        if people:
            return [(people[0].start, people[-1].end, 0.9)]
        return []
    if run[0].text.lower() in RELATIONS and len(run) > 1:
        people = run[1:]
        before = run[0].text.lower()
    span = (people[0].start, people[-1].end)
    after = text[span[1]:span[1] + 20]
    named = any(_known(w) for w in people)
    if named and (before in RELATIONS or (
            before in ("the", "a", "her", "his", "their", "is", "as") and before2 in RELATIONS)):
        return [(*span, 0.85)]
    if _AGE.match(after) and (len(people) > 1 or _forename(people[0])):
        return [(*span, 0.85)]
    if before in ("in", "at", "for", "from", "near", "across", "around", "within", "of", "to",
                  "covering", "into"):
        return []
    if any(w.bare.lower() in NOT_PEOPLE for w in people[:-1]):
        return []
    if len(people) > 1:
        known = [w for w in people if _known(w)]
        has_forename = any(p in forenames() for w in people for p in w.bare.split("-"))
        if len(known) >= 2 or (has_forename and len(known) >= 1 and
                               not all(w.shouting for w in people)):
            return [(*span, 0.7)]
        return []
    word = people[0]
    rank = forenames().get(word.bare)
    if (rank is not None and rank <= SINGLE_FORENAME_RANK and not word.shouting
            and word.bare.lower() not in COMMON_WORDS and word.bare.lower() not in STOP_WORDS):
        return [(*span, 0.5)]
    return []


def _lowercase_after_relation(words: list[Word]) -> list[tuple[int, int, float]]:
    """'mother shazia begum': uncapitalised known names straight after a relation word."""
    found = []
    for i, w in enumerate(words[:-1]):
        if w.text.lower() not in RELATIONS or w.text[:1].isupper() and i:
            continue
        pair = words[i + 1:i + 3]
        if len(pair) == 2 and not any(x.capitalised for x in pair) \
                and _plain_name(pair[0], forenames()) and _plain_name(pair[1], surnames()):
            found.append((pair[0].start, pair[1].end, 0.6))
    return found


def _forename(word: Word) -> bool:
    """A capitalised forename that is not also a common word ("Case 42", "Year 6")."""
    low = word.bare.lower()
    return (forenames().get(word.bare, 10**9) <= 3000 and low not in COMMON_WORDS
            and low not in STOP_WORDS and low not in NOT_PEOPLE)


def _plain_name(word: Word, names: dict[str, int]) -> bool:
    low = word.text.lower()
    return (names.get(word.bare, 10**9) <= 3000 and low not in COMMON_WORDS
            and low not in STOP_WORDS and low not in NOT_PEOPLE and low not in RELATIONS)
