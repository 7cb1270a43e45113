"""Who is who: a report's rows grouped into people, and people matched to registrants.

Names are compared without accents, capitals, punctuation or word order (Hungarian
writes the family name first), and without what platforms and people add in
brackets: Zoom's "New name (Original name)", Teams' "(Guest)", "(External)",
"(Unverified)", or an organisation. A name matches a registrant only when exactly
one registrant has it; anything less certain is a suggestion for the organiser, never
a decision.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from webapp.attendance.importing.report import (
    ROLE_ATTENDEE,
    ROLE_COHOST,
    ROLE_HOST,
    ROLE_PANELIST,
    ParticipantRow,
)

_SPECIAL_LETTERS = str.maketrans(
    {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"}
)
_BRACKETED = re.compile(r"[(\[]([^)\]]*)[)\]]")
# "Anna Kovács | PANNON EGTC", "Anna Kovács - Unioncamere": what follows is not a name.
_TRAILER = re.compile(r"\s+[|–—/-]\s+.*$")
_ROLE_ORDER = {ROLE_HOST: 3, ROLE_COHOST: 2, ROLE_PANELIST: 1, ROLE_ATTENDEE: 0}


def normalise_name(name: str) -> str:
    """A name reduced for matching: no accents, case or punctuation, words sorted.

    Sorting the words makes "Kovács Anna" (Hungarian order) match "Anna Kovacs".
    """
    folded = unicodedata.normalize("NFKD", name.translate(_SPECIAL_LETTERS))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold()
    words = re.findall(r"[^\W_]+", folded)
    return " ".join(sorted(words))


def name_keys(name: str) -> list[str]:
    """Keys a report name may match, most likely first.

    "Anna K (Anna Kovács)" → the shown name, then the original name in brackets;
    "Marco Rossi (Guest)" → "marco rossi" first, the bracket ignored.
    """
    keys: list[str] = []
    outer = _BRACKETED.sub(" ", name)
    inner = _BRACKETED.findall(name)
    for candidate in (outer, _TRAILER.sub("", outer), *inner, name):
        key = normalise_name(candidate)
        if key and key not in keys:
            keys.append(key)
    return keys


class Person(Protocol):
    """A registrant or a user as matching sees them."""

    id: int
    name: str
    email: str


@dataclass
class FilePerson:
    """Everyone the report lists under one address, or under one name without one."""

    key: str
    name: str
    email: str
    rows: list[ParticipantRow] = field(default_factory=list)
    role: str = ROLE_ATTENDEE

    def add(self, row: ParticipantRow) -> None:
        self.rows.append(row)
        if _ROLE_ORDER.get(row.role, 0) > _ROLE_ORDER.get(self.role, 0):
            self.role = row.role
        if not self.email and row.email:
            self.email = row.email


def person_key(row: ParticipantRow) -> str:
    if row.email:
        return "e:" + row.email.casefold()
    keys = name_keys(row.name)
    return "n:" + (keys[0] if keys else row.name.casefold())


def group_people(rows: Iterable[ParticipantRow]) -> list[FilePerson]:
    """The report's rows grouped per person, in the order they first appear.

    Rows with an address are one person per address. A row without one joins the
    person of the same address-less name, or the one person with an address who has
    exactly that name (the same participant on a phone that did not sign in).
    """
    people: dict[str, FilePerson] = {}
    nameless: list[ParticipantRow] = []
    for row in rows:
        if not row.email:
            nameless.append(row)
            continue
        key = person_key(row)
        people.setdefault(key, FilePerson(key, row.name, row.email)).add(row)
    by_name: dict[str, list[FilePerson]] = defaultdict(list)
    for person in people.values():
        for key in name_keys(person.name)[:1]:
            by_name[key].append(person)
    for row in nameless:
        key = person_key(row)
        same = by_name.get(key[2:], [])
        if key not in people and len(same) == 1:
            same[0].add(row)
            continue
        people.setdefault(key, FilePerson(key, row.name, "")).add(row)
    return list(people.values())


@dataclass
class Match:
    """``kind``: ``email``, ``name`` (one registrant has the name), ``ambiguous``
    (several have it: ``candidates``) or ``unmatched``; ``suggestions`` are
    registrants with a similar name, for the organiser to choose from."""

    kind: str
    candidates: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)

    @property
    def registrant(self):
        return self.candidates[0] if self.kind in ("email", "name") else None


class Directory:
    """The registrants of an event, indexed for matching by address and by name."""

    def __init__(self, registrants: Sequence[Person]) -> None:
        self.registrants = list(registrants)
        self.by_email: dict[str, Person] = {}
        self.by_name: dict[str, list[Person]] = defaultdict(list)
        self.by_word: dict[str, list[Person]] = defaultdict(list)
        self.keys: dict[int, str] = {}
        for person in self.registrants:
            self.by_email.setdefault(person.email.strip().casefold(), person)
            key = normalise_name(person.name)
            self.keys[person.id] = key
            if key and person not in self.by_name[key]:
                self.by_name[key].append(person)
            for word in set(key.split()):
                if len(word) >= 3:
                    self.by_word[word[:3]].append(person)

    def match(self, person: FilePerson) -> Match:
        if person.email and person.email.casefold() in self.by_email:
            return Match("email", [self.by_email[person.email.casefold()]])
        for key in name_keys(person.name):
            found = self.by_name.get(key, [])
            if len(found) == 1:
                return Match("name", list(found))
            if len(found) > 1:
                return Match("ambiguous", list(found), list(found))
        return Match("unmatched", suggestions=self.similar(person.name))

    def similar(self, name: str, limit: int = 5) -> list[Person]:
        """Registrants whose name may be ``name`` (initials, a missing middle name,
        a typo), most similar first; never certain enough to match on their own."""
        scored: dict[int, tuple[float, Person]] = {}
        for key in name_keys(name):
            words = key.split()
            pool = {id(p): p for w in words if len(w) >= 3 for p in self.by_word.get(w[:3], [])}
            for candidate in pool.values():
                other = self.keys[candidate.id]
                score = _similarity(words, other.split(), key, other)
                if score and score > scored.get(candidate.id, (0.0, None))[0]:
                    scored[candidate.id] = (score, candidate)
        ranked = sorted(scored.values(), key=lambda item: (-item[0], item[1].name))
        return [person for _, person in ranked[:limit]]


def _similarity(a: list[str], b: list[str], a_key: str, b_key: str) -> float:
    if _initials_match(a, b) or _initials_match(b, a):
        return 0.95
    ratio = difflib.SequenceMatcher(None, a_key, b_key).ratio()
    return ratio if ratio >= 0.8 else 0.0


def _initials_match(short: list[str], long: list[str]) -> bool:
    """Every word of ``short`` is a word or an initial of a distinct word of ``long``,
    and at least one full word is shared ("anna k" ~ "anna kovacs")."""
    if not short or len(short) > len(long) or short == long:
        return False
    remaining = list(long)
    full = 0
    for word in short:
        hit = next((w for w in remaining if w == word), None)
        if hit is not None:
            full += len(word) >= 2
        else:
            hit = next((w for w in remaining if len(word) == 1 and w.startswith(word)), None)
        if hit is None:
            return False
        remaining.remove(hit)
    return full >= 1
