"""Time the board pack of one LA to PDF against rendering the same charts alone (the floor:
the pack cannot be faster than drawing its charts), in interleaved rounds within one process.

Each round times (a) the whole pack, ``board_pack.board_pack_pdf``: every comparison and
trend, the charts' data and specs, rendering the charts to SVG and typesetting; (b) only
``board_pack.render_charts`` on the same pack's specs (the strict floor: SVG only); and (c) the
same charts from the table: their data, Altair specs and SVGs (``section_chart`` and ``svg``),
what drawing these charts costs anywhere. The national table is loaded and
vl-convert warmed up first, so neither side pays a one-off start. The order within a round
alternates, and the ratios are taken round by round, so a busy neighbour on the machine slows both.

Run: ``python -m benchmarks.board_pack [--area E06000051] [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

from data_loaders.build import load_tidy
from reports import board_pack as bp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--area", default="E06000051")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    table = load_tidy()
    print(f"national table loaded in {time.perf_counter() - start:.1f} s")
    choice = bp.PackChoice(args.area)
    pack = bp.build_pack(table, choice)
    bp.render_charts(pack)  # vl-convert's first call starts its JavaScript engine
    charts = sum(len(s.charts) for s in pack.sections)

    def whole() -> float:
        t = time.perf_counter()
        bp.board_pack_pdf(table, choice)
        return time.perf_counter() - t

    def floor() -> float:
        t = time.perf_counter()
        bp.render_charts(pack)
        return time.perf_counter() - t

    def from_data() -> float:
        t = time.perf_counter()
        for key in choice.sections:
            for kind, ind_id, title in bp.SECTION_CHARTS[key]:
                chart = bp.section_chart(table, kind, ind_id, args.area, title)
                if chart is not None:
                    bp.svg(chart.spec)
        return time.perf_counter() - t

    packs, floors, drawn, ratios, ratios_drawn = [], [], [], [], []
    for i in range(args.rounds):
        runs = [whole, floor, from_data]
        order = runs if i % 2 == 0 else runs[::-1]
        timed = {run: run() for run in order}
        w, f, d = timed[whole], timed[floor], timed[from_data]
        packs.append(w)
        floors.append(f)
        drawn.append(d)
        ratios.append(w / f)
        ratios_drawn.append(w / d)
        print(
            f"round {i + 1}: pack {w:.2f} s; {charts} charts: SVG only {f:.2f} s (ratio "
            f"{w / f:.2f}), from the table {d:.2f} s (ratio {w / d:.2f})"
        )

    def said(xs: list[float], unit: str = " s") -> str:
        return f"median {statistics.median(xs):.2f}{unit} (range {min(xs):.2f}-{max(xs):.2f})"

    print(f"pack to PDF: {said(packs)}")
    print(f"charts, SVG only: {said(floors)}; ratio {said(ratios, '')}")
    print(f"charts from the table: {said(drawn)}; ratio {said(ratios_drawn, '')}")


if __name__ == "__main__":
    main()
