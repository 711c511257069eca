"""Outcomes frameworks: the three shipped files say what CDC's bulletin and logic model say,
word for word; a bad framework file is refused with every problem, each with its key path;
uploaded frameworks are kept, versioned, in the store."""

from __future__ import annotations

import pytest

from indicators import DOMAINS
from store import frameworks as framework_store
from store.datasets import Store
from store.identity import local_user
from uploads.frameworks import FRAMEWORK_DIR, parse_framework, shipped_frameworks
from uploads.readers import UploadError

LOCAL = {"by": local_user(), "workspace": "local"}  # the laptop's user: admin of "local"

# CDC Data Bulletin No. 3 (2021), section 4: Middlesbrough's SEND Outcomes Framework sheet.
MIDDLESBROUGH_OUTCOMES = [
    "Making choices and decisions",
    "Develop independence skills",
    "Be relaxed and happy",
    "Take part in education and learning",
    "Develop relationships with friends",
    "Be as fit and healthy as they can be",
    "Happy with life at home",
    "Have a positive transition from school or college",
    "Have a positive transition towards adulthood",
]
MIDDLESBROUGH_SCALE = [
    "Outcome achieved much better than expected",
    "Outcome achieved a little better than expected",
    "Expected outcome achieved",
    "Working towards expected outcome. Excellent progress",
    "Working towards expected outcome. Good progress",
    "Working towards expected outcome. Little progress",
    "No progress",
    "Regressed",
]
# Section 3, "New and Improved Outcomes", and Annex A's questionnaire.
BRADFORD_OUTCOMES = [
    "I am loved and cared for by those around me and supported if and when I need it.",
    "I feel supported and safe",
    "I am confident and able to achieve my dreams",
    "I am valued and accepted in society",
    "My voice is heard and I'm able to live my life to the fullest",
    "I try to remain positive and stay healthy",
]
FOUR = ("Yes", "No", "Most of the time", "Now and then")
THREE = ("Yes", "No", "Other")
BRADFORD_QUESTIONS = [
    ("I feel supported by those around me.", FOUR),
    ("I feel safe.", FOUR),
    ("I feel my EHCP supports me in achieving my aspirations and outcomes.", THREE),
    (
        (
            "The adults in my life know what I want to be when I'm older? They are providing opportunities for me "
            "to reach my aspirations."
        ),
        THREE,
    ),
    ("I feel like I belong in the community.", THREE),
    ("I can access the places I want to go and the services I want to use.", THREE),
    ("I feel my voice is heard.", FOUR),
    ("I feel I am able to make my own choices/decisions about my life", THREE),
    ("I know and understand how to keep myself healthy.", THREE),
    ("I know who to turn to when I am not feeling 100% positive.", THREE),
]
# The logic model's "Impact of integration" statements, by domain.
NATIONAL_OUTCOMES = {
    "learning and employment": [
        "Children and young people with SEND do well at all levels of learning",
        "More children and young people are in mainstream settings",
        "More YP with SEND are in paid employment",
    ],
    "friends, relationships and community": [
        "CYP with SEND are happy and have friends",
        "CYP with SEND are included and play an active role in their local community",
    ],
    "good health": [
        (
            "CYP with SEND and their parents carers are confident in navigating the system and managing their "
            "health and care needs"
        ),
        "CYP with SEND are safe from harm",
        "CYP with SEND can access the services they need to keep them healthy",
    ],
    "independent living": ["CYP with SEND have the skills for life into adulthood"],
}

VALID = b"""
id = "myarea"
name = "My area"
source = "Agreed by the partnership board, 2025"

[scale]
making_progress = [3, 2]
achieved = [3]
[[scale.levels]]
code = 3
label = "Achieved"
[[scale.levels]]
code = 2
label = "Some progress"
[[scale.levels]]
code = 1
label = "No progress"

[[outcomes]]
id = "friends"
statement = "I have friends"
domain = "Friends, relationships & community"

[[questions]]
id = "safe"
text = "I feel safe."
options = ["Yes", "No", "Most of the time"]
positive = ["Yes", "Most of the time"]
outcome = "friends"
"""


def test_three_frameworks_ship_national_first():
    found = shipped_frameworks()
    assert list(found) == ["national", "bradford", "middlesbrough"]
    assert all(fw.shipped and fw.source for fw in found.values())
    assert sorted(p.name for p in FRAMEWORK_DIR.glob("*.toml")) == [
        "bradford.toml",
        "middlesbrough.toml",
        "national.toml",
    ]


def test_national_framework_is_the_logic_models_four_domains():
    fw = shipped_frameworks()["national"]
    assert fw.domains == list(DOMAINS)
    for domain, statements in NATIONAL_OUTCOMES.items():
        assert [o.statement for o in fw.outcomes if o.domain == domain] == statements
    # The generic outcomes_return's 1-5 scale and answers, so such uploads read with it.
    assert [lv.code for lv in fw.scale.levels] == [5, 4, 3, 2, 1]
    assert fw.scale.making_progress == {5, 4, 3} and fw.scale.achieved == {5}
    assert {q.options for q in fw.questions} == {("Yes", "Sometimes", "No", "Don't know")}
    assert all(q.not_counted == {"Don't know"} for q in fw.questions)
    assert fw.outcome("paid_employment").words == "More young people with SEND are in paid work"


def test_middlesbrough_has_its_nine_outcomes_eight_progress_options_and_pathways():
    fw = shipped_frameworks()["middlesbrough"]
    assert [o.statement for o in fw.outcomes] == MIDDLESBROUGH_OUTCOMES
    assert [
        lv.label for lv in fw.scale.levels
    ] == MIDDLESBROUGH_SCALE  # best first, as on the sheet
    labels = {lv.code: lv.label for lv in fw.scale.levels}
    assert sorted(labels[c] for c in fw.scale.achieved) == sorted(MIDDLESBROUGH_SCALE[:3])
    assert sorted(labels[c] for c in fw.scale.making_progress) == sorted(MIDDLESBROUGH_SCALE[:5])
    assert fw.agencies == ("Education", "Health", "Social care")
    assert fw.pathways == (
        "Employment",
        "Independence",
        "Community Participation and Inclusion",
        "Health & Wellbeing",
    )
    assert fw.questions == ()


def test_bradford_has_six_i_statements_and_the_annex_a_questionnaire():
    fw = shipped_frameworks()["bradford"]
    assert fw.scale is None  # the bulletin gives Bradford no progress scale
    assert [o.statement for o in fw.outcomes] == BRADFORD_OUTCOMES
    assert [(q.text, q.options) for q in fw.questions] == BRADFORD_QUESTIONS
    assert {q.id: q.positive for q in fw.questions}["feel_safe"] == {"Yes", "Most of the time"}
    assert {q.id: q.positive for q in fw.questions}["ehcp_supports"] == {"Yes"}
    # The bulletin's own example: 'Do you feel safe' and 'my EHCP supports me' measure this one.
    assert {q.id for q in fw.questions if q.outcome == "supported_safe"} == {
        "feel_safe",
        "ehcp_supports",
    }
    assert {q.outcome for q in fw.questions} == {o.id for o in fw.outcomes}


def test_a_valid_upload_reads_and_takes_national_domain_spellings():
    fw = parse_framework(VALID, "mine.toml")
    assert fw.outcome("friends").domain == "friends, relationships and community"
    assert fw.scale.label(2) == "Some progress"
    assert fw.question("safe").positive == {"Yes", "Most of the time"}


def _problems(text: bytes, reserved: tuple[str, ...] = ()) -> list:
    with pytest.raises(UploadError) as err:
        parse_framework(text, "mine.toml", reserved)
    assert all(p.sheet == "mine.toml" and p.row is None for p in err.value.problems)
    return err.value.problems


@pytest.mark.parametrize(
    "old, new, where, says",
    [
        (b'id = "myarea"', b"", "id", "'id' is missing"),
        (b'id = "myarea"', b'id = "My Area!"', "id", "lower-case letters"),
        (
            b"achieved = [3]",
            b"achieved = [1]",
            "scale.achieved",
            "must also be in 'making_progress'",
        ),
        (
            b"making_progress = [3, 2]",
            b"making_progress = [3, 9]",
            "scale.making_progress",
            "9 is not the code",
        ),
        (b"code = 2", b'code = "two"', "scale.levels[2].code", "whole number"),
        (b'label = "No progress"', b'label = "achieved."', "scale.levels", "label of two levels"),
        (
            b'label = "No progress"',
            b'label = "Some progress!"',
            "scale.levels",
            "label of two levels",
        ),
        (
            b'positive = ["Yes", "Most of the time"]',
            b'positive = ["Always"]',
            "questions[1].positive",
            "'Always' is not one of this question's options",
        ),
        (
            b'outcome = "friends"',
            b'outcome = "enemies"',
            "questions[1].outcome",
            "no outcome with this id",
        ),
        (
            b"making_progress",
            b"makingprogress",
            "scale.makingprogress",
            "not a key SEND Lens knows",
        ),
        (
            b'domain = "Friends, relationships & community"',
            b"",
            "outcomes[1].domain",
            "'domain' is missing",
        ),
        (
            b'options = ["Yes", "No", "Most of the time"]',
            b'options = ["Yes", "yes", "No"]',
            "questions[1].options",
            "appears twice",
        ),
    ],
)
def test_bad_framework_files_say_where_and_what(old, new, where, says):
    assert old in VALID
    problems = _problems(VALID.replace(old, new))
    assert any(p.column == where and says in p.message for p in problems), problems


def test_every_problem_is_listed_at_once():
    text = (
        VALID.replace(b'id = "myarea"', b"")
        .replace(b"achieved = [3]", b"achieved = [1]")
        .replace(b'outcome = "friends"', b'outcome = "enemies"')
    )
    assert {p.column for p in _problems(text)} == {"id", "scale.achieved", "questions[1].outcome"}


def test_syntax_errors_not_text_and_empty_frameworks_are_refused():
    broken = _problems(VALID.replace(b'name = "My area"', b"name = My area"))
    assert len(broken) == 1 and "line 3" in broken[0].message
    assert "not text" in _problems(b"PK\x03\x04\x00\x00binary")[0].message
    bare = _problems(b'id = "x"\nname = "X"\nsource = "Y"\n')
    assert {p.column for p in bare} == {"outcomes", "scale"}


def test_an_upload_may_not_take_a_shipped_id():
    problems = _problems(
        VALID.replace(b'id = "myarea"', b'id = "bradford"'), reserved=("bradford",)
    )
    assert [p.column for p in problems] == ["id"] and "ships" in problems[0].message


def test_uploaded_frameworks_are_kept_and_versioned_in_the_store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'f.db'}")
    fw, info = framework_store.save_framework(store, VALID, "mine.toml", **LOCAL)
    assert (fw.id, info.version, info.kind) == ("myarea", 1, "outcomes_framework")
    again = framework_store.save_framework(store, VALID, "mine.toml", **LOCAL)[1]
    assert again.duplicate and again.version == 1  # the same file adds nothing
    changed = VALID.replace(b'name = "My area"', b'name = "My area, revised"')
    assert framework_store.save_framework(store, changed, "mine.toml", **LOCAL)[1].version == 2
    found, problems = framework_store.all_frameworks(store, **LOCAL)
    assert list(found) == ["national", "bradford", "middlesbrough", "myarea"] and not problems
    assert found["myarea"].name == "My area, revised" and not found["myarea"].shipped
    with pytest.raises(UploadError):
        framework_store.save_framework(
            store, VALID.replace(b'"myarea"', b'"national"'), "n.toml", **LOCAL
        )
    assert len(store.list_datasets(**LOCAL)) == 1
