"""Command line: parse arguments, call the pipeline, print problems, return an exit code.

Exit codes: 0 success, 1 content errors, 2 wrong usage (argparse's own) or an
output folder or search indexer that cannot do its job.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from typing import Sequence, TextIO

from . import pipeline
from .errors import ContentError, Problem
from .search import SearchIndexError
from .write import OutputError

COMMANDS = ("build", "check")


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date; write YYYY-MM-DD") from None


def positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a positive whole number")
    return int(value)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build the KSM report site from content/.")
    commands = parser.add_subparsers(dest="command", metavar="command")

    build = commands.add_parser("build", help="check the content and build the site (the default)")
    build.add_argument("--content", default="content", metavar="DIR", help="folder with rubric.yaml, site.yaml and groups/ (default: content)")
    build.add_argument("--out", default="output", metavar="DIR", help="where the site goes (default: output)")
    build.add_argument("--as-of", type=iso_date, metavar="YYYY-MM-DD", help="the date warnings are judged at (default: the latest date in the content)")
    build.add_argument("--jobs", type=positive, metavar="N", help="worker processes (default: the number of CPUs)")

    check = commands.add_parser("check", help="check the content and report every problem; writes nothing")
    check.add_argument("--content", default="content", metavar="DIR", help="folder with rubric.yaml, site.yaml and groups/ (default: content)")
    check.add_argument("--format", choices=("text", "github"), default="text", help="text for people, github for workflow annotations")
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")
    args = make_parser().parse_args(argv)
    today = dt.date.today()  # only decides which dates are "in the future"; never reaches the output

    if args.command == "check":
        problems = pipeline.check(args.content, today)
        print_problems(problems, args.format, stdout if args.format == "github" else stderr)
        if not problems:
            print("No problems found.", file=stderr)
        return 1 if problems else 0

    try:
        checked, stats = pipeline.build(args.content, args.out, today, args.as_of, args.jobs)
    except ContentError as exc:
        print_problems(exc.problems, "text", stderr)
        print(f"Nothing was built; {args.out}/ is unchanged.", file=stderr)
        return 1
    except (OutputError, SearchIndexError) as exc:
        print(f"error: {exc}", file=stderr)
        print(f"Nothing was published; {args.out}/ is unchanged.", file=stderr)
        return 2
    print(f"Built {len(checked.groups)} groups into {args.out}/: "
          f"{stats.written} files written, {stats.unchanged} unchanged.", file=stderr)
    return 0


def print_problems(problems: Sequence[Problem], fmt: str, out: TextIO) -> None:
    if fmt == "github":
        for p in problems:
            out.write(github_annotation(p) + "\n")
        return
    for p in problems:
        out.write(f"{p}\n")
        if p.hint:
            out.write(f"    hint: {p.hint}\n")
    if problems:
        files = len({p.path for p in problems})
        out.write(f"{len(problems)} problem(s) in {files} file(s).\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(p: Problem) -> str:
    """A GitHub Actions ``::error`` workflow command for one problem."""
    path = os.path.relpath(p.path) if os.path.isabs(p.path) else os.path.normpath(p.path)
    props = [f"file={_escape_property(path)}"]
    if p.line:
        props.append(f"line={p.line}")
    props.append(f"title={_escape_property(p.field)}")
    message = p.message + (f" (hint: {p.hint})" if p.hint else "")
    return f"::error {','.join(props)}::{_escape_data(message)}"
