"""``send-lens``: the board pack and the data book from the command line, for scheduled
monthly packs. The same code as the Reports page (``reports.board_pack``, ``reports.databook``).

    send-lens report --area E06000051 --out pack.pdf
    send-lens report --area E06000051 --out pack.html --html --sections profile,governance
    send-lens report --area E06000051 --period 2023/24 --out pack-2023-24.pdf
    send-lens databook --area E06000051 --out book.xlsx [--years 5]

A bad area code, period, section, comparator set or number of years ends it with one line on
stderr and exit status 2; nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from reports import board_pack
from reports.board_pack import PackChoice, PackError

BAD_REQUEST = 2


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="send-lens", description="SEND Lens documents from published national data."
    )
    commands = top.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="the board pack, as PDF (or HTML with --html)")
    report.add_argument("--area", required=True, help="the LA's code, such as E06000051")
    report.add_argument("--out", required=True, type=Path, help="the file to write")
    report.add_argument("--html", action="store_true", help="write a standalone HTML page")
    report.add_argument(
        "--sections",
        default=",".join(board_pack.SECTIONS),
        help=f"comma-separated, in order, from {','.join(board_pack.SECTIONS)} (default: all)",
    )
    report.add_argument(
        "--period", help="the academic year the figures run to, such as 2023/24 (default: latest)"
    )
    report.add_argument(
        "--comparators",
        default=board_pack.DEFAULT_COMPARATORS,
        help=f"the comparator set, as Benchmarking names it (default: {board_pack.DEFAULT_COMPARATORS!r})",
    )
    book = commands.add_parser("databook", help="the data book, as XLSX")
    book.add_argument("--area", required=True, help="the LA's code, such as E06000051")
    book.add_argument("--out", required=True, type=Path, help="the file to write")
    book.add_argument(
        "--comparators",
        default=board_pack.DEFAULT_COMPARATORS,
        help=f"the comparator set, as Benchmarking names it (default: {board_pack.DEFAULT_COMPARATORS!r})",
    )
    book.add_argument("--years", type=int, help="only the newest N years (default: all)")
    return top


def report(args: argparse.Namespace) -> None:
    from data_loaders.build import load_tidy

    sections = tuple(s.strip() for s in args.sections.split(",") if s.strip())
    code = board_pack.area_code(args.area)
    choice = PackChoice(code, sections, args.period, comparator_label(code, args.comparators))
    table = load_tidy()  # after the area is checked: a typo should not wait for the data
    make = board_pack.board_pack_html if args.html else board_pack.board_pack_pdf
    document = make(table, choice)
    args.out.write_bytes(document)
    print(f"wrote {args.out} ({len(document):,} bytes)")


def comparator_label(area: str, name: str) -> str:
    """The Benchmarking page's name of the set ``name`` means (case and spacing ignored)."""
    from reports.databook import named_comparators

    try:
        return named_comparators(area, name)[0]
    except ValueError as exc:
        raise PackError(str(exc)) from None


def databook(args: argparse.Namespace) -> None:
    from analysis.neighbours import comparator_sets
    from data_loaders.build import load_tidy
    from reports.databook import databook_xlsx, recent_periods

    code = board_pack.area_code(args.area)
    label = comparator_label(code, args.comparators)
    if args.years is not None and args.years < 1:
        raise PackError(f"--years must be at least 1, not {args.years}")
    table = load_tidy()
    periods = recent_periods(table, args.years) if args.years else None
    try:
        book = databook_xlsx(code, table, comparator_sets(code)[label], label, periods)
    except ValueError as exc:  # the book's own checks (area, periods): said in one line
        raise PackError(str(exc)) from None
    args.out.write_bytes(book)
    print(f"wrote {args.out} ({len(book):,} bytes)")


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        {"report": report, "databook": databook}[args.command](args)
    except PackError as exc:
        print(f"send-lens: {exc}", file=sys.stderr)
        return BAD_REQUEST
    except OSError as exc:
        print(f"send-lens: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
