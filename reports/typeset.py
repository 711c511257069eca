"""The board pack as PDF, typeset by typst (the ``typst`` Python bindings, no system libraries).

The layout is ``board_pack.typ``; the content goes in as JSON beside it and the charts as SVG
files, so no text from the data is ever read as typst markup. The PDF is tagged, with the
document's language and its headings, and is checked against PDF/UA-1 when typst can meet it.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import typst

from reports.pack_document import BoardPack

TEMPLATE = Path(__file__).with_name("board_pack.typ")


def pack_json(pack: BoardPack, files: Sequence[str]) -> dict[str, object]:
    """The pack as the template reads it; ``files`` name the charts' SVGs in order."""
    names = iter(files)
    return {
        "title": pack.title,
        "subtitle": pack.subtitle,
        "footer": f"{pack.title}. SEND Lens, from published national data.",
        "cover": asdict(pack.cover),
        "notes": pack.notes,
        "sections": [
            {
                "title": s.title,
                "intro": s.intro,
                "verdicts": [
                    {"heading": h, "sentences": sentences}
                    for h, sentences in s.verdicts
                    if sentences
                ],
                "tables": [asdict(t) for t in s.tables],
                "charts": [
                    {
                        "title": c.title,
                        "file": next(names),
                        "table": asdict(c.table),
                        "note": c.note,
                    }
                    for c in s.charts
                ],
                "caveats": s.caveats,
            }
            for s in pack.sections
        ],
        "sources": asdict(pack.sources),
    }


def pack_pdf(pack: BoardPack, svgs: Sequence[str]) -> bytes:
    """Typeset the pack; ``svgs`` are its charts in order (``board_pack.render_charts``)."""
    with tempfile.TemporaryDirectory(prefix="send-lens-pack-") as tmp:
        root = Path(tmp)
        files = [f"chart-{i}.svg" for i in range(len(svgs))]
        for name, svg in zip(files, svgs):
            (root / name).write_text(svg, encoding="utf-8")
        (root / "data.json").write_text(json.dumps(pack_json(pack, files)), encoding="utf-8")
        main = root / "main.typ"
        main.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
        return bytes(typst.compile(str(main), root=str(root), pdf_standards="ua-1"))
