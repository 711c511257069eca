"""A workspace's monthly board pack template: the sections, period and comparator set the
Reports page should start from, so the same pack comes out every month.

Kept like an uploaded framework (``store.frameworks``): a dataset of kind ``report_template``
named ``monthly``, one row of JSON, so it has versions, rollback and the audit trail (who saved
which choice, when) on SQLite and PostgreSQL alike. Saving needs the WRITE right the store
checks for every save. It holds no child's data.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pandas as pd

from store.datasets import Store, VersionInfo
from store.identity import User
from uploads.public import MESSAGE as PUBLIC_MESSAGE
from uploads.public import public_mode

KIND = "report_template"
NAME = "monthly"


@dataclass(frozen=True)
class ReportTemplate:
    sections: tuple[str, ...]
    period: str | None  # None: the latest published figures each month
    comparators: str

    def as_json(self) -> str:
        return json.dumps(
            {
                "sections": list(self.sections),
                "period": self.period,
                "comparators": self.comparators,
            },
            sort_keys=True,
        )


def save_template(
    store: Store, template: ReportTemplate, *, by: User, workspace: str
) -> VersionInfo:
    """Keep the template as the workspace's next version (an unchanged one adds nothing)."""
    if public_mode():
        raise PermissionError(PUBLIC_MESSAGE)
    text = template.as_json()
    return store.save_version(
        KIND,
        NAME,
        pd.DataFrame({"template": [text]}),
        file_name="monthly board pack template",
        file_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        by=by,
        workspace=workspace,
        source_rows=1,
    )


def saved_template(store: Store, *, by: User, workspace: str) -> ReportTemplate | None:
    """The workspace's template, or None when none is saved (or it cannot be read)."""
    for info, frame in store.load_active(KIND, by=by, workspace=workspace):
        if info.name != NAME:
            continue
        try:
            data = json.loads(str(frame["template"].iloc[0]))
            return ReportTemplate(
                tuple(str(s) for s in data["sections"]),
                None if data["period"] is None else str(data["period"]),
                str(data["comparators"]),
            )
        except (KeyError, IndexError, TypeError, ValueError):
            return None
    return None
