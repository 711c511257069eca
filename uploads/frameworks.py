"""Outcomes frameworks as data: read and check a framework file (TOML).

A framework says what an area means by "better off": its outcomes in its own words, the
impact domain each belongs to, the scale annual reviews rate progress on, and the pupil
voice questions with their answer options. SEND Lens ships three in ``data/frameworks/``
(the national logic model's four impact domains, Middlesbrough's and Bradford's); an area can
upload its own, which is checked here exactly as a shipped one is.

The format (every text in the framework's own words; ``#`` starts a comment)::

    id = "myarea"                    # letters, digits, _ or -; not a shipped framework's id
    name = "My area's outcomes framework"
    description = "What it is, in a sentence or two."
    source = "Where it comes from: who agreed it, and when."
    agencies = ["Education", "Health", "Social care"]   # optional: who records a rating
    pathways = ["Employment", "Independence"]           # optional: pathways a child follows

    [scale]                          # optional: a voice-only framework has none
    name = "Progress towards the outcome"
    making_progress = [4, 3]         # the codes that count as making progress
    achieved = [4]                   # the codes that count as achieved or exceeded (of those)
    [scale.bands]                    # optional: the workshop view's three words
    achieved = "Achieved"
    progress = "Making progress"
    not_yet = "Not yet"
    [[scale.levels]]                 # one per level, best first
    code = 4                         # the whole number a return may record
    label = "Outcome achieved"       # or this label, matched ignoring case and punctuation
    short = "Achieved"               # optional, for chart legends

    [[outcomes]]
    id = "friends"
    statement = "I have friends"     # the framework's words
    domain = "friends, relationships and community"   # a national domain, or your own
    plain = "..."                    # optional: the words for a room of parent carers
    pathway = "Independence"         # optional: one of pathways

    [[questions]]
    id = "safe"
    text = "I feel safe."
    options = ["Yes", "No", "Most of the time"]
    positive = ["Yes", "Most of the time"]   # counted as a positive answer
    not_counted = []                 # optional: shown, but left out of the share (Don't know)
    outcome = "friends"              # optional: the outcome this question evidences

Problems are :class:`uploads.readers.Problem` rows, as for any upload: ``sheet`` is the
file name, ``row`` is empty, ``column`` is the key path (``outcomes[2].domain``, counting
from 1) and the message says in plain English what to change.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from indicators import DOMAINS
from uploads.readers import Problem, UploadError, decode_text, refuse
from uploads.schemas import norm

FRAMEWORK_DIR = Path(__file__).resolve().parent.parent / "data" / "frameworks"
MAX_BYTES = 256 * 1024
MAX_ITEMS = 200  # outcomes or questions: far more than any framework agreed with families
MAX_TEXT = 500
ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
TOP_KEYS = {
    "id",
    "name",
    "description",
    "source",
    "agencies",
    "pathways",
    "scale",
    "outcomes",
    "questions",
}
SCALE_KEYS = {"name", "making_progress", "achieved", "bands", "levels"}
DEFAULT_BANDS = {
    "achieved": "Achieved or better than expected",
    "progress": "Making progress",
    "not_yet": "Not yet making progress",
}
DOMAIN_NAMES = {norm(d): d for d in DOMAINS} | {norm(d.replace(" and ", " & ")): d for d in DOMAINS}


@dataclass(frozen=True)
class Level:
    code: int
    label: str
    short: str


@dataclass(frozen=True)
class Scale:
    name: str
    levels: tuple[Level, ...]  # best first
    making_progress: frozenset[int]
    achieved: frozenset[int]
    bands: dict[str, str]

    def label(self, code: int) -> str:
        return next(level.label for level in self.levels if level.code == code)


@dataclass(frozen=True)
class Outcome:
    id: str
    statement: str
    domain: str
    plain: str = ""
    pathway: str = ""

    @property
    def words(self) -> str:
        """The plain words when the framework gives them (for a room of parent carers)."""
        return self.plain or self.statement


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    options: tuple[str, ...]
    positive: frozenset[str]
    not_counted: frozenset[str] = frozenset()
    outcome: str = ""


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    description: str
    source: str
    scale: Scale | None
    outcomes: tuple[Outcome, ...]
    questions: tuple[Question, ...] = ()
    agencies: tuple[str, ...] = ()
    pathways: tuple[str, ...] = ()
    shipped: bool = False

    def outcome(self, outcome_id: str) -> Outcome:
        return next(o for o in self.outcomes if o.id == outcome_id)

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

    @property
    def domains(self) -> list[str]:
        """The national impact domains in the logic model's order, then any of the
        framework's own in the order its outcomes first name them."""
        named = list(dict.fromkeys(o.domain for o in self.outcomes))
        return [d for d in DOMAINS if d in named] + [d for d in named if d not in DOMAINS]


def parse_framework(data: bytes, filename: str, reserved_ids: tuple[str, ...] = ()) -> Framework:
    """The framework in a TOML file's bytes, or :class:`UploadError` listing every problem.

    ``reserved_ids`` are ids an upload may not take (the shipped frameworks').
    """
    if len(data) > MAX_BYTES:
        raise refuse(
            f"The file is {len(data) // 1024} KB; a framework file is at most "
            f"{MAX_BYTES // 1024} KB.",
            filename,
        )
    if b"\x00" in data[:4096]:
        raise refuse("This file is not text. A framework file is a TOML text file.", filename)
    try:
        raw = tomllib.loads(decode_text(data))
    except tomllib.TOMLDecodeError as exc:
        # tomllib says where ("at line 3, column 7") and never quotes more than a character.
        raise refuse(
            f"This is not a valid framework file (TOML): {exc}. Compare it with a "
            "shipped framework file.",
            filename,
        ) from None
    check = _Checker(filename)
    framework = check.framework(raw, reserved_ids)
    if check.problems:
        raise UploadError(check.problems)
    assert framework is not None
    return framework


@lru_cache(maxsize=1)
def shipped_frameworks() -> dict[str, Framework]:
    """The frameworks SEND Lens ships, by id, in a fixed order (national first)."""
    out: dict[str, Framework] = {}
    for path in sorted(FRAMEWORK_DIR.glob("*.toml"), key=lambda p: (p.stem != "national", p.stem)):
        fw = parse_framework(path.read_bytes(), path.name)
        out[fw.id] = replace(fw, shipped=True)
    return out


class _Checker:
    """Collects every problem in one pass, so the user fixes the file once."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []

    def add(self, path: str, value: object, message: str) -> None:
        shown = "" if value is None else str(value)[:80]
        self.problems.append(Problem(self.filename, None, path, shown, message))

    def text(self, table: dict[str, Any], key: str, path: str, required: bool = True) -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.add(f"{path}{key}", None, f"'{key}' is missing; it is required.")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.add(f"{path}{key}", value, f"'{key}' must be some text in quotes.")
            return ""
        if len(value) > MAX_TEXT and key not in ("description", "source"):
            self.add(f"{path}{key}", value, f"'{key}' is longer than {MAX_TEXT} characters.")
        return " ".join(value.split())

    def texts(self, table: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(
                f"{path}{key}",
                value,
                f'\'{key}\' must be a list of texts in quotes, e.g. ["Yes", "No"].',
            )
            return ()
        out = tuple(" ".join(v.split()) for v in value)
        self.unique(
            [norm(v) for v in out],
            f"{path}{key}",
            out,
            "appears twice (ignoring case and punctuation)",
        )
        return out

    def unique(
        self, keys: list[str], path: str, shown: tuple[str, ...] | list[str], why: str
    ) -> None:
        seen: set[str] = set()
        for key, value in zip(keys, shown):
            if key in seen:
                self.add(path, value, f"'{value}' {why}.")
            seen.add(key)

    def unknown(self, table: dict[str, Any], allowed: set[str], path: str) -> None:
        for key in sorted(set(table) - allowed):
            self.add(
                f"{path}{key}",
                None,
                f"'{key}' is not a key SEND Lens knows here (a typing slip?). "
                f"Known keys: {', '.join(sorted(allowed))}.",
            )

    def items(self, raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.add(key, None, f"'{key}' must be a list of [[{key}]] tables.")
            return []
        if len(value) > MAX_ITEMS:
            self.add(key, len(value), f"A framework has at most {MAX_ITEMS} {key}.")
            return value[:MAX_ITEMS]
        return value

    def framework(self, raw: dict[str, Any], reserved_ids: tuple[str, ...]) -> Framework | None:
        self.unknown(raw, TOP_KEYS, "")
        fw_id = self.text(raw, "id", "")
        if fw_id and not ID.fullmatch(fw_id):
            self.add(
                "id",
                fw_id,
                'The id must be 1 to 40 lower-case letters, digits, _ or -, e.g. "myarea".',
            )
        elif fw_id in reserved_ids:
            self.add(
                "id",
                fw_id,
                f"'{fw_id}' is the id of a framework SEND Lens ships. Give yours another id.",
            )
        name, description = (
            self.text(raw, "name", ""),
            self.text(raw, "description", "", required=False),
        )
        source = self.text(raw, "source", "")
        agencies, pathways = self.texts(raw, "agencies", ""), self.texts(raw, "pathways", "")
        scale = self.scale(raw["scale"]) if "scale" in raw else None
        outcomes = [
            self.outcome(o, i, pathways) for i, o in enumerate(self.items(raw, "outcomes"), start=1)
        ]
        ids = [o.id for o in outcomes]
        self.unique(ids, "outcomes", ids, "is the id of two outcomes")
        # A return may name an outcome or question by its words, so the words must differ too.
        self.unique(
            [norm(o.statement) for o in outcomes],
            "outcomes",
            [o.statement for o in outcomes],
            "is the statement of two outcomes (ignoring case and punctuation)",
        )
        questions = [
            self.question(q, i, set(ids))
            for i, q in enumerate(self.items(raw, "questions"), start=1)
        ]
        self.unique(
            [q.id for q in questions],
            "questions",
            [q.id for q in questions],
            "is the id of two questions",
        )
        self.unique(
            [norm(q.text) for q in questions],
            "questions",
            [q.text for q in questions],
            "is the text of two questions (ignoring case and punctuation)",
        )
        if not outcomes:
            self.add(
                "outcomes",
                None,
                "The framework has no outcomes: add at least one [[outcomes]] table.",
            )
        if scale is None and not questions:
            self.add(
                "scale",
                None,
                "The framework has neither a progress [scale] nor any [[questions]], "
                "so a return could record nothing against it.",
            )
        if self.problems:
            return None
        return Framework(
            fw_id,
            name,
            description,
            source,
            scale,
            tuple(outcomes),
            tuple(questions),
            agencies,
            pathways,
        )

    def scale(self, raw: object) -> Scale | None:
        if not isinstance(raw, dict):
            self.add("scale", None, "[scale] must be a table.")
            return None
        self.unknown(raw, SCALE_KEYS, "scale.")
        levels: list[Level] = []
        items = raw.get("levels", [])
        if not isinstance(items, list) or len(items) < 2 or len(items) > 20:
            self.add("scale.levels", None, "The scale needs 2 to 20 [[scale.levels]], best first.")
            items = items if isinstance(items, list) else []
        for i, level in enumerate(items, start=1):
            path = f"scale.levels[{i}]."
            if not isinstance(level, dict):
                self.add(path[:-1], None, "Each level must be a [[scale.levels]] table.")
                continue
            self.unknown(level, {"code", "label", "short"}, path)
            code = level.get("code")
            if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code <= 99:
                self.add(
                    f"{path}code",
                    code,
                    "The code must be a whole number from 0 to 99, without quotes.",
                )
                code = -i
            label = self.text(level, "label", path)
            levels.append(
                Level(code, label, self.text(level, "short", path, required=False) or label)
            )
        codes = [lv.code for lv in levels]
        self.unique(
            [str(c) for c in codes],
            "scale.levels",
            [str(c) for c in codes],
            "is the code of two levels",
        )
        names = [lv.label for lv in levels]
        self.unique(
            [norm(n) for n in names],
            "scale.levels",
            names,
            "is the label of two levels (ignoring case and punctuation)",
        )
        shorts = [lv.short for lv in levels]
        self.unique(
            [norm(n) for n in shorts], "scale.levels", shorts, "is the short label of two levels"
        )
        self.unique(
            [norm(str(c)) for c in codes] + [norm(n) for n in names],
            "scale.levels",
            [str(c) for c in codes] + names,
            "is both a level's code and another level's label",
        )
        progress = self.codes(raw, "making_progress", set(codes))
        achieved = self.codes(raw, "achieved", set(codes))
        if not achieved <= progress:
            self.add(
                "scale.achieved",
                sorted(achieved - progress),
                "Every code in 'achieved' must also be in 'making_progress': achieving an outcome "
                "counts as progress.",
            )
        bands = raw.get("bands", {})
        if not isinstance(bands, dict):
            self.add("scale.bands", None, "[scale.bands] must be a table.")
            bands = {}
        self.unknown(bands, set(DEFAULT_BANDS), "scale.bands.")
        words = {
            k: self.text(bands, k, "scale.bands.", required=False) or v
            for k, v in DEFAULT_BANDS.items()
        }
        return Scale(
            self.text(raw, "name", "scale.", required=False) or "Progress",
            tuple(levels),
            frozenset(progress),
            frozenset(achieved),
            words,
        )

    def codes(self, raw: dict[str, Any], key: str, known: set[int]) -> set[int]:
        value = raw.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, int) for v in value):
            self.add(
                f"scale.{key}", value, f"'{key}' must list the level codes it counts, e.g. [4, 3]."
            )
            return set()
        for code in sorted(set(value) - known):
            self.add(
                f"scale.{key}", code, f"{code} is not the code of any level in [[scale.levels]]."
            )
        return set(value)

    def outcome(self, raw: dict[str, Any], i: int, pathways: tuple[str, ...]) -> Outcome:
        path = f"outcomes[{i}]."
        self.unknown(raw, {"id", "statement", "domain", "plain", "pathway"}, path)
        out_id = self.text(raw, "id", path)
        if out_id and not ID.fullmatch(out_id):
            self.add(
                f"{path}id",
                out_id,
                "An outcome id must be 1 to 40 lower-case letters, digits, _ or -.",
            )
        domain = self.text(raw, "domain", path)
        pathway = self.text(raw, "pathway", path, required=False)
        if pathway and norm(pathway) not in {norm(p) for p in pathways}:
            self.add(
                f"{path}pathway", pathway, "This pathway is not in the framework's 'pathways' list."
            )
        return Outcome(
            out_id,
            self.text(raw, "statement", path),
            DOMAIN_NAMES.get(norm(domain), domain),
            self.text(raw, "plain", path, required=False),
            pathway,
        )

    def question(self, raw: dict[str, Any], i: int, outcome_ids: set[str]) -> Question:
        path = f"questions[{i}]."
        self.unknown(raw, {"id", "text", "options", "positive", "not_counted", "outcome"}, path)
        q_id = self.text(raw, "id", path)
        if q_id and not ID.fullmatch(q_id):
            self.add(
                f"{path}id",
                q_id,
                "A question id must be 1 to 40 lower-case letters, digits, _ or -.",
            )
        options = self.texts(raw, "options", path)
        if not 2 <= len(options) <= 20:
            self.add(f"{path}options", len(options), "A question needs 2 to 20 answer options.")
        by_norm = {norm(o): o for o in options}
        chosen: dict[str, frozenset[str]] = {}
        for key in ("positive", "not_counted"):
            listed = self.texts(raw, key, path)
            for answer in listed:
                if norm(answer) not in by_norm:
                    self.add(
                        f"{path}{key}",
                        answer,
                        f"'{answer}' is not one of this question's options ({', '.join(options)}).",
                    )
            chosen[key] = frozenset(by_norm[norm(a)] for a in listed if norm(a) in by_norm)
        if not chosen["positive"]:
            self.add(
                f"{path}positive",
                None,
                'Say which answers count as positive, e.g. positive = ["Yes"].',
            )
        if chosen["positive"] & chosen["not_counted"]:
            self.add(
                f"{path}not_counted",
                sorted(chosen["positive"] & chosen["not_counted"]),
                "An answer cannot be both positive and not counted.",
            )
        outcome = self.text(raw, "outcome", path, required=False)
        if outcome and outcome not in outcome_ids:
            self.add(f"{path}outcome", outcome, "There is no outcome with this id in [[outcomes]].")
        return Question(
            q_id,
            self.text(raw, "text", path),
            options,
            chosen["positive"],
            chosen["not_counted"],
            outcome,
        )
