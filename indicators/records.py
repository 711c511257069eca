"""What an indicator is: the record every catalogue entry becomes, and the values its fields
may take (the TOML reader rejects anything else)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# Days, weeks and minutes are the waits and durations of the local KPI returns.
UNITS = ("count", "%", "rate per 100", "rate per 10,000", "score", "£", "days", "weeks", "minutes")
POLARITIES = ("high", "low", "none")
LENSES = ("profile", "governance", "outcomes")
RBA_QUESTIONS = ("how much", "how well", "better off")
PERIOD_TYPES = ("academic", "calendar", "financial")
DOMAINS = (
    "learning and employment",
    "friends, relationships and community",
    "good health",
    "independent living",
)
LOCAL_PREFIX = "local:"


def default_range(unit: str) -> tuple[float, float]:
    """The valid range a unit implies when an entry does not give its own: a share is 0-100,
    a score (such as Progress 8) may be negative, everything else cannot be."""
    if unit == "%":
        return 0.0, 100.0
    if unit == "score":
        return -math.inf, math.inf
    return 0.0, math.inf


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    definition: str
    unit: str
    polarity: str
    lens: str
    rba: str
    source: str  # a key of the data register, data/sources.toml
    numerator: str = ""
    denominator: str = ""
    domain: str = ""
    period_type: str = "academic"
    caveats: str = ""
    lait_code: str = ""  # measure code in DfE's LAIT table, for indicators read from it
    topic: str = ""
    breakdowns: tuple[str, ...] = field(default_factory=tuple)
    # Older releases the series also reads (register keys), e.g. SEN2's 2022 release.
    earlier_sources: tuple[str, ...] = field(default_factory=tuple)
    valid_min: float = 0.0
    valid_max: float = math.inf
    plain: str = ""  # one sentence a parent would understand
    headline: bool = False
    headline_order: int = 0
    short_title: str = ""  # the label that fits a Home tile
    governance_group: str = ""
    governance_order: int = 0
    school: bool = False  # measured per school (the map's school level)
    # First periods of a new, not strictly comparable, series (trend tests stop at a break).
    series_breaks: tuple[str, ...] = field(default_factory=tuple)
    national_equivalent: str = ""  # for a local KPI: the national indicator it mirrors
    # The workshop story (analysis.story): the question families ask that this figure answers,
    # what it does not tell them, its place in the default story, and the breakdown it shows
    # (such as one NHS service) when not the total.
    question: str = ""
    not_told: str = ""
    story_order: int = 0
    story_breakdown: str = ""

    @property
    def is_proportion(self) -> bool:
        return self.unit == "%"

    @property
    def is_local(self) -> bool:
        return self.id.startswith(LOCAL_PREFIX)

    def in_range(self, value: float) -> bool:
        return self.valid_min <= value <= self.valid_max
