"""The kinds of local upload and their columns: the single description that the reader, the
validator, the template and the Data page all work from.

A column has a canonical name (the template heading), a type, whether it is required, the
allowed values of a coded column, the other headings councils use for it (aliases), other
spellings of its values (value aliases) and plain-English help for the template.

Types: ``text`` (free text, kept), ``code`` (an identifier or code: always a string, never a
number, so leading zeros and URNs survive), ``date``, ``int``, ``number`` and ``choice`` (one
of ``allowed``). A ``choice`` of exactly ("yes", "no") comes back as a boolean. A ``period``
is text put into DESIGN.md's canonical form by :func:`canonical_period`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from data_loaders.national.sen2 import PRIMARY_NEEDS
from indicators import DOMAINS

ColumnType = Literal["text", "code", "date", "int", "number", "choice"]
DATE_DTYPE = "datetime64[us]"  # pandas 3's own resolution for parsed dates; time is dropped

# Patterns avoid \s and \d: pandas runs those through Python's re, row by row, rather than
# pyarrow's RE2, which is 10 to 50 times slower on a 100,000-row column.
WHITESPACE = " \t\n\r\f\v\xa0"
SPACES = f"[{WHITESPACE}]+"
SPACES_AND_HYPHENS = f"[{WHITESPACE}-]+"
NUMBER_NOISE = f"[,{WHITESPACE}£%]"
GSS_WARD = r"E05[0-9]{6}"
URN = r"[0-9]{6}"
UPN_SHAPE = r"[A-Z][0-9]{11}[0-9A-Z]"
AREA_PATTERNS: dict[str, str] = {
    "national": r"E92000001",
    "region": r"E12[0-9]{6}",
    "la": r"E0[6-9][0-9]{6}|E10[0-9]{6}",
    "ward": GSS_WARD,
    "sub_icb": r"E38[0-9]{6}",
    "school": URN,
    "locality": r".+",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    allowed: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    help: str = ""
    example: str | int | float = ""
    value_aliases: tuple[tuple[str, str], ...] = ()  # (accepted spelling, canonical value)
    pattern: str = ""  # a code must match this in full
    pattern_hint: str = ""  # said when it does not
    identifier: Literal["", "upn", "uln", "nhs", "any"] = ""  # replaced by a keyed hash
    minimum: float | None = None
    maximum: float | None = None
    default: bool | None = None  # a blank yes/no cell; None keeps it missing

    @property
    def is_flag(self) -> bool:
        return self.type == "choice" and self.allowed == ("yes", "no")

    @property
    def is_date_of_birth(self) -> bool:
        return self.name == "date_of_birth"

    def value_map(self) -> dict[str, str]:
        """Every accepted spelling (normalised) to its canonical value."""
        out = {norm(v): v for v in self.allowed}
        out.update({norm(k): v for k, v in self.value_aliases})
        return out


@dataclass(frozen=True)
class Schema:
    kind: str
    title: str
    description: str
    columns: tuple[Column, ...]
    example_columns: tuple[str, ...]  # a row whose value here starts "EXAMPLE" is skipped

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def heading_lookup(self) -> dict[str, str]:
        """Normalised heading (name or alias) to canonical column name."""
        out: dict[str, str] = {}
        for col in self.columns:
            for heading in (col.name, *col.aliases):
                out.setdefault(norm(heading), col.name)
        return out


def norm(text: object) -> str:
    """Compare headings and coded values loosely: case, spacing, punctuation and anything in
    brackets ("Request date (dd/mm/yyyy)") do not matter."""
    s = re.sub(r"\(.*?\)", " ", str(text).lower())
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}


def canonical_period(text: str) -> str | None:
    """2024, 2024/25 and 2025-03 as DESIGN.md spells them, from what councils write. "2024-25"
    is an academic year, but "2011-12" is December 2011 (a month wins when the second part
    could be one): write 2011/12 for that academic year."""
    raw, s = str(text).strip(), norm(text)
    if re.fullmatch(r"[0-9]{4}", s):
        return s
    if m := re.fullmatch(r"([0-9]{4}) ([0-9]{2}|[0-9]{4})", s):
        start, second = int(m.group(1)), m.group(2)
        end = int(second[-2:])
        if len(second) == 4:
            return f"{start}/{end:02d}" if int(second) == start + 1 else None
        if "/" not in raw and 1 <= end <= 12:
            return f"{start}-{end:02d}"
        return f"{start}/{end:02d}" if (start + 1) % 100 == end else None
    if m := re.fullmatch(
        r"([0-9]{4}) ([0-9]{1,2}) [0-9]{1,2}|[0-9]{1,2} ([0-9]{1,2}) ([0-9]{4})", s
    ):
        year, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return f"{year}-{int(month):02d}" if 1 <= int(month) <= 12 else None  # a date: its month
    if (m := re.fullmatch(r"([a-z]{3})[a-z]* ([0-9]{4}|[0-9]{2})", s)) and m.group(1) in MONTHS:
        return (
            f"{m.group(2) if len(m.group(2)) == 4 else '20' + m.group(2)}-{MONTHS[m.group(1)]:02d}"
        )
    return None


YES_NO = ("yes", "no")
YES_NO_ALIASES = tuple((k, "yes") for k in ("y", "true", "1", "t")) + tuple(
    (k, "no") for k in ("n", "false", "0", "f")
)
NEED_NAMES = {code.upper(): name for code, name in PRIMARY_NEEDS.items() if code != "unknown"}
NEED_NAMES["NSA"] = "SEN support but no specialist assessment of type of need"
NEED_CODES = tuple(sorted(NEED_NAMES))
NEED_ALIASES = (
    tuple((name, code) for code, name in NEED_NAMES.items())
    + tuple((f"{code} - {name}", code) for code, name in NEED_NAMES.items())
    + (
        ("autism", "ASD"),
        ("autism spectrum disorder", "ASD"),
        ("autistic spectrum condition", "ASD"),
        ("asc", "ASD"),
        ("speech language and communication", "SLCN"),
        ("other", "OTH"),
        ("social emotional and mental health needs", "SEMH"),
        ("no specialist assessment", "NSA"),
    )
)


def _flag(name: str, help_: str, aliases: tuple[str, ...] = ()) -> Column:
    return Column(
        name,
        "choice",
        allowed=YES_NO,
        value_aliases=YES_NO_ALIASES,
        aliases=aliases,
        help=f"{help_} yes or no; leave blank if this agency does not record it.",
        example="no",
    )


PRIMARY_NEED = Column(
    "primary_need",
    "choice",
    allowed=NEED_CODES,
    value_aliases=NEED_ALIASES,
    aliases=(
        "primary need",
        "primary sen need",
        "primary type of need",
        "sen primary need",
        "main need",
        "need type",
        "primary sen type",
    ),
    help="The child's primary need as in SEN2: a code (ASD, SEMH, ...) or its full name.",
    example="ASD",
)
DATE_OF_BIRTH = Column(
    "date_of_birth",
    "date",
    aliases=("dob", "birth date", "d o b", "date of birth"),
    example="15/03/2015",
    help="Used only to work out age and school year on arrival; the date itself is not kept.",
)
SCHOOL_URN = Column(
    "school_urn",
    "code",
    pattern=URN,
    pattern_hint="a school URN has 6 digits, e.g. 100000",
    aliases=("urn", "school urn", "establishment urn", "setting urn", "school urn number"),
    help="The DfE unique reference number (6 digits) of the school or setting.",
    example="100000",
)
WARD_CODE = Column(
    "ward_code",
    "code",
    pattern=GSS_WARD,
    pattern_hint="a ward code is E05 followed by 6 digits, e.g. E05001234",
    aliases=("ward", "ward code", "ward gss code", "ward cd", *(f"wd{y}cd" for y in range(11, 30))),
    help="The ONS (GSS) code of the child's home ward, E05 and 6 digits. Not the postcode.",
    example="E05001234",
)
AREA_LEVEL = Column(
    "area_level",
    "choice",
    required=True,
    allowed=("ward", "locality", "school", "la", "sub_icb", "region", "national"),
    value_aliases=(
        ("local authority", "la"),
        ("council", "la"),
        ("ccg", "sub_icb"),
        ("sub icb", "sub_icb"),
        ("sub icb location", "sub_icb"),
        ("family hub", "locality"),
        ("country", "national"),
        ("england", "national"),
    ),
    aliases=("level", "area type", "geography", "area level"),
    help="What kind of area area_code is: ward, locality, school, la, sub_icb, region, national.",
    example="la",
)
AREA_CODE = Column(
    "area_code",
    "code",
    required=True,
    aliases=("area", "area code", "code", "gss code"),
    help="GSS code (E05... ward, E06/E08/E09/E10... LA, E38... sub-ICB), school URN or locality name.",
    example="E08000032",
)
PERIOD = Column(
    "period",
    "text",
    required=True,
    example="2025-03",
    aliases=("time period", "month", "year", "reporting period", "date period"),
    help="2024 (a year), 2024/25 (academic or financial year) or 2025-03 (a month). "
    "March 2025 and 2024-25 are understood too.",
)

KINDS: dict[str, Schema] = {}


def _add(schema: Schema) -> None:
    KINDS[schema.kind] = schema


_add(
    Schema(
        "kpi_return",
        "Local KPI return",
        "Local measures by period and area (ward, locality, school or the whole LA), with "
        "targets and commentary, e.g. a monthly performance return.",
        (
            Column(
                "indicator",
                "text",
                required=True,
                aliases=("measure", "kpi", "indicator id", "metric"),
                help="The measure's id or short name, the same every month.",
                example="EXAMPLE-ehc_20wk_pct",
            ),
            PERIOD,
            AREA_CODE,
            AREA_LEVEL,
            Column(
                "numerator",
                "number",
                minimum=0,
                aliases=("num", "count"),
                help="The count the value is made of, if it is a rate or percentage.",
                example=45,
            ),
            Column(
                "denominator",
                "number",
                minimum=0,
                aliases=("denom", "den", "total", "base"),
                help="What the numerator is out of.",
                example=60,
            ),
            Column(
                "value",
                "number",
                aliases=("result", "actual", "figure", "performance"),
                help="The value: required unless numerator and denominator are given.",
                example=75,
            ),
            Column(
                "target",
                "number",
                aliases=("goal", "target value"),
                help="The target, if any.",
                example=80,
            ),
            Column(
                "commentary",
                "text",
                aliases=("comment", "comments", "narrative", "notes", "note"),
                help="Plain-English commentary. Never name or describe a child.",
                example="Improving",
            ),
        ),
        ("indicator",),
    )
)

_add(
    Schema(
        "ehc_tracker",
        "EHC needs assessment tracker",
        "One row per EHC needs assessment request: when it was requested, decided and the plan "
        "issued, whether a 20-week exception applies, and the child's need, school and ward.",
        (
            Column(
                "child_id",
                "code",
                required=True,
                identifier="any",
                aliases=(
                    "child id",
                    "upn",
                    "unique pupil number",
                    "person id",
                    "child ref",
                    "child reference",
                    "pupil id",
                    "local id",
                    "id",
                    "nhs number",
                ),
                help="The child's UPN, NHS number or your system's id. Replaced by a "
                "pseudonym on arrival; never a name.",
                example="EXAMPLE-1",
            ),
            Column(
                "request_date",
                "date",
                required=True,
                aliases=(
                    "date of request",
                    "request received",
                    "date request received",
                    "request received date",
                    "date received",
                    "referral date",
                ),
                help="When the request for an EHC needs assessment was received.",
                example="02/09/2024",
            ),
            Column(
                "decision_date",
                "date",
                aliases=(
                    "date of decision",
                    "decision to assess date",
                    "assessment decision date",
                    "date decision made",
                    "decision made",
                ),
                help="When the decision to assess or not was made.",
                example="10/10/2024",
            ),
            Column(
                "decision",
                "choice",
                allowed=("assess", "not assess"),
                value_aliases=(
                    ("yes", "assess"),
                    ("agreed", "assess"),
                    ("agreed to assess", "assess"),
                    ("proceed", "assess"),
                    ("proceed to assessment", "assess"),
                    ("decision to assess", "assess"),
                    ("no", "not assess"),
                    ("refused", "not assess"),
                    ("declined", "not assess"),
                    ("not to assess", "not assess"),
                    ("nta", "not assess"),
                    ("decision not to assess", "not assess"),
                    ("not agreed", "not assess"),
                ),
                aliases=(
                    "decision to assess",
                    "assessment decision",
                    "outcome of request",
                    "request outcome",
                ),
                help="assess or not assess; blank while undecided.",
                example="assess",
            ),
            Column(
                "issue_date",
                "date",
                aliases=(
                    "plan issue date",
                    "date plan issued",
                    "ehcp issue date",
                    "date of issue",
                    "final plan issued",
                    "final ehcp issue date",
                    "date issued",
                    "issued",
                ),
                help="When the final EHC plan was issued; blank if not (yet) issued.",
                example="13/01/2025",
            ),
            Column(
                "exception",
                "choice",
                allowed=YES_NO,
                value_aliases=YES_NO_ALIASES,
                default=False,
                aliases=("exceptions", "exception applies", "20 week exception", "exemption"),
                help="yes if a 20-week exception applies (SEND Regulations 2014, reg. 13(3)); blank means no.",
                example="no",
            ),
            PRIMARY_NEED,
            DATE_OF_BIRTH,
            SCHOOL_URN,
            WARD_CODE,
        ),
        ("child_id",),
    )
)

_ID_HELP = "Replaced by a pseudonym on arrival, the same for every agency."
_add(
    Schema(
        "cohort",
        "Agency cohort extract",
        "One row per child in one agency's extract (education, social care, youth justice or "
        "health), with at least one id, SEN status, need, school, ward and the agency's flags.",
        (
            Column(
                "agency",
                "choice",
                required=True,
                allowed=("education", "social care", "youth justice", "health"),
                value_aliases=(
                    ("childrens social care", "social care"),
                    ("csc", "social care"),
                    ("yos", "youth justice"),
                    ("yjs", "youth justice"),
                    ("nhs", "health"),
                    ("youth offending", "youth justice"),
                    ("send", "education"),
                ),
                aliases=("source", "agency name", "service"),
                help="Whose extract this row is from.",
                example="education",
            ),
            Column(
                "upn",
                "code",
                identifier="upn",
                aliases=("unique pupil number", "pupil number"),
                help=f"Unique pupil number (13 characters). {_ID_HELP}",
            ),
            Column(
                "uln",
                "code",
                identifier="uln",
                aliases=("unique learner number", "learner number"),
                help=f"Unique learner number (10 digits). {_ID_HELP}",
            ),
            Column(
                "nhs_number",
                "code",
                identifier="nhs",
                aliases=("nhs number", "nhs no", "nhs"),
                help=f"NHS number (10 digits). {_ID_HELP}",
            ),
            Column(
                "local_id",
                "code",
                identifier="any",
                aliases=("local id", "person id", "child id", "system id", "mosaic id", "lcs id"),
                help=f"This agency's own id for the child. {_ID_HELP}",
                example="EXAMPLE-1",
            ),
            Column(
                "extract_date",
                "date",
                aliases=("date of extract", "snapshot date", "as at"),
                help="The date the extract was taken; ages are worked out on it (else today).",
                example="31/03/2025",
            ),
            DATE_OF_BIRTH,
            Column(
                "sen_status",
                "choice",
                allowed=("EHC plan", "SEN support", "none"),
                value_aliases=(
                    ("e", "EHC plan"),
                    ("ehcp", "EHC plan"),
                    ("ehc", "EHC plan"),
                    ("statement", "EHC plan"),
                    ("k", "SEN support"),
                    ("sen k", "SEN support"),
                    ("n", "none"),
                    ("no sen", "none"),
                ),
                aliases=("sen status", "sen provision", "sen", "sen stage"),
                help="EHC plan, SEN support (K) or none.",
                example="EHC plan",
            ),
            PRIMARY_NEED,
            SCHOOL_URN,
            WARD_CODE,
            _flag("child_in_need", "Child in need (section 17):", ("cin", "child in need")),
            _flag("child_protection_plan", "On a child protection plan:", ("cpp", "cp plan")),
            _flag("looked_after", "Looked after (in care):", ("cla", "lac", "looked after child")),
            _flag("known_to_yos", "Known to the youth justice service:", ("yos", "known to yjs")),
            _flag("elective_home_education", "Electively home educated:", ("ehe", "home educated")),
            _flag("missing_education", "Child missing education:", ("cme",)),
            _flag(
                "neet",
                "Not in education, employment or training:",
                ("not in education employment or training",),
            ),
            Column(
                "sex",
                "choice",
                allowed=("female", "male"),
                value_aliases=(("f", "female"), ("m", "male"), ("girl", "female"), ("boy", "male")),
                aliases=("gender", "legal sex"),
                help="female or male; used with the school year only to spot two children "
                "given the same id when extracts are linked.",
                example="female",
            ),
            _flag("permanently_excluded", "Permanently excluded this year:", ("pex",)),
            _flag(
                "persistently_absent",
                "Persistently absent (10% or more of sessions missed):",
                ("pa", "persistent absence"),
            ),
        ),
        ("upn", "uln", "nhs_number", "local_id"),
    )
)

_add(
    Schema(
        "outcomes_return",
        "Annual review outcomes",
        "Outcomes recorded at EHC plan annual reviews (progress on each outcome, by impact "
        "domain) and pupil voice answers.",
        (
            Column(
                "child_id",
                "code",
                required=True,
                identifier="any",
                aliases=("child id", "upn", "person id", "local id", "id"),
                help=f"The child's UPN or your system's id. {_ID_HELP}",
                example="EXAMPLE-1",
            ),
            Column(
                "review_date",
                "date",
                required=True,
                aliases=("date of review", "annual review date", "review held"),
                help="The date of the annual review.",
                example="14/11/2024",
            ),
            DATE_OF_BIRTH,
            Column(
                "outcome",
                "text",
                aliases=("outcome description", "outcome label", "outcome area"),
                help="A short label for the outcome. No names or details that identify a child.",
                example="Travel to college independently",
            ),
            Column(
                "domain",
                "choice",
                allowed=DOMAINS,
                value_aliases=(
                    ("learning", "learning and employment"),
                    ("employment", "learning and employment"),
                    ("education", "learning and employment"),
                    ("community", "friends, relationships and community"),
                    ("friends", "friends, relationships and community"),
                    ("health", "good health"),
                    ("independence", "independent living"),
                ),
                aliases=("impact domain", "outcome domain", "pfa domain"),
                help="The impact domain: " + "; ".join(DOMAINS) + ".",
                example="independent living",
            ),
            Column(
                "progress_rating",
                "int",
                minimum=1,
                maximum=5,
                aliases=("progress", "rating", "progress score", "score"),
                help="1 no progress, 2 a little, 3 some, 4 good progress, 5 outcome achieved.",
                example=3,
            ),
            Column(
                "voice_question",
                "text",
                aliases=("question", "pupil voice question"),
                help="The pupil voice question asked, if this row is a pupil voice answer.",
                example="Do you feel listened to?",
            ),
            Column(
                "voice_answer",
                "choice",
                allowed=("yes", "sometimes", "no", "don't know"),
                value_aliases=(
                    ("y", "yes"),
                    ("n", "no"),
                    ("dont know", "don't know"),
                    ("not sure", "don't know"),
                ),
                aliases=("answer", "pupil voice answer", "response"),
                help="yes, sometimes, no or don't know (free text is not accepted: it can identify a child).",
                example="yes",
            ),
        ),
        ("child_id",),
    )
)

_add(
    Schema(
        "survey",
        "Survey results",
        "Aggregate survey results: how many people gave each answer to each question, e.g. a "
        "parent carer confidence survey or a local offer rating.",
        (
            Column(
                "survey",
                "text",
                required=True,
                aliases=("survey name", "questionnaire"),
                help="The survey's name, the same each time it runs.",
                example="EXAMPLE parent carer survey",
            ),
            PERIOD,
            Column(
                "question",
                "text",
                required=True,
                aliases=("question text", "item"),
                help="The question as asked.",
                example="I am confident my child's needs are met",
            ),
            Column(
                "answer",
                "text",
                required=True,
                aliases=("response", "answer option", "option"),
                help="One answer option.",
                example="Agree",
            ),
            Column(
                "count",
                "int",
                required=True,
                minimum=0,
                aliases=("number", "responses", "n", "respondents", "frequency"),
                help="How many people gave this answer (a whole number).",
                example=42,
            ),
            Column(
                "area_code",
                "code",
                aliases=("area", "area code"),
                help="The area the results are for; blank means the whole local area.",
                example="",
            ),
            Column(
                "area_level",
                "choice",
                allowed=AREA_LEVEL.allowed,
                value_aliases=AREA_LEVEL.value_aliases,
                aliases=AREA_LEVEL.aliases,
                help=AREA_LEVEL.help,
                example="",
            ),
        ),
        ("survey",),
    )
)

_add(
    Schema(
        "locality_lookup",
        "Ward to locality lookup",
        "Which locality (family hub area, sub-ICB location or your own) each ward belongs to.",
        (
            Column(
                "ward_code",
                "code",
                required=True,
                pattern=GSS_WARD,
                pattern_hint=WARD_CODE.pattern_hint,
                aliases=WARD_CODE.aliases,
                help="The ward's ONS (GSS) code, E05 and 6 digits.",
                example="EXAMPLE-E05001234",
            ),
            Column(
                "ward_name",
                "text",
                aliases=("ward name", "wd24nm", "wd23nm", "name"),
                help="The ward's name (optional, for reading).",
                example="City",
            ),
            Column(
                "locality",
                "text",
                required=True,
                aliases=("locality name", "hub", "family hub", "area name"),
                help="The locality's name.",
                example="North",
            ),
            Column(
                "locality_code",
                "code",
                aliases=("locality id", "hub code"),
                help="A short code for the locality, if you use one.",
                example="N",
            ),
            Column(
                "locality_type",
                "choice",
                allowed=("family hub", "sub_icb", "other"),
                value_aliases=(("ccg", "sub_icb"), ("sub icb", "sub_icb"), ("hub", "family hub")),
                aliases=("type",),
                help="family hub, sub_icb (CCG) or other.",
                example="family hub",
            ),
        ),
        ("ward_code",),
    )
)
