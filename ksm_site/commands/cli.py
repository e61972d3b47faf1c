"""Command line: parse arguments, call the pipeline, print problems, return an exit code.

Exit codes: 0 success, 1 content errors, 2 wrong usage (argparse's own) or an
output folder or search indexer that cannot do its job.

Content errors include the rows of a spreadsheet ``import`` refuses; wrong
usage includes arguments a command refuses (``new`` for a group that exists,
``diff`` of an unknown revision, ``serve`` on a port in use, a file
``import`` cannot read). Each command's work lives in its own module; the
functions here only call it and print.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from typing import Sequence, TextIO

from ..content.problems import ContentError
from ..content.read import check, read_content_partly
from ..engine.build import build, merge
from ..engine.cache import CacheError
from ..engine.place import OutputError
from ..engine.shards import ShardError
from ..site.limits import SearchIndexError
from ..content.files import GROUP_FORMATS
from . import report

COMMANDS = ("build", "check", "new", "import", "diff", "serve", "merge")
DEFAULT_CACHE = os.path.join(".cache", "ksm-site")


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date; write YYYY-MM-DD") from None


def positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a positive whole number")
    return int(value)


def port_number(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port number (0 to 65535)")
    return int(value)


def seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0
    if not 0 < number <= 3600:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of seconds (more than 0)")
    return number


def shard(value: str) -> tuple[int, int]:
    k, _, n = value.partition("/")
    if not (k.isdigit() and n.isdigit()) or not 1 <= int(k) <= int(n):
        raise argparse.ArgumentTypeError(f"'{value}' is not a shard; write K/N with 1 <= K <= N, e.g. 2/4")
    return int(k), int(n)


def add_cache_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--cache", default=DEFAULT_CACHE, metavar="DIR",
                         help=f"keep results here so a rebuild costs what changed (default: {DEFAULT_CACHE})")
    command.add_argument("--no-cache", action="store_true", help="build everything afresh and keep nothing")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build the KSM report site from content/.")
    commands = parser.add_subparsers(dest="command", metavar="command")

    build = commands.add_parser("build", help="check the content and build the site (the default)")
    build.add_argument("--content", default="content", metavar="DIR", help="folder with rubric.yaml, site.yaml and groups/ (default: content)")
    build.add_argument("--out", default="output", metavar="DIR", help="where the site goes (default: output)")
    build.add_argument("--as-of", type=iso_date, metavar="YYYY-MM-DD", help="the date warnings are judged at (default: the latest date in the content)")
    build.add_argument("--jobs", type=positive, metavar="N", help="worker processes (default: the number of CPUs)")
    add_cache_options(build)
    build.add_argument("--shard", type=shard, metavar="K/N",
                       help="render only shard K of N's group pages into a bundle in the cache folder, for merge")

    merge = commands.add_parser("merge", help="build the site from the bundles of every shard (see build --shard)")
    merge.add_argument("bundles", nargs="+", metavar="BUNDLE", help="shard-K-of-N.sqlite files, one per shard")
    merge.add_argument("--content", default="content", metavar="DIR", help="folder with rubric.yaml, site.yaml and groups/ (default: content)")
    merge.add_argument("--out", default="output", metavar="DIR", help="where the site goes (default: output)")
    merge.add_argument("--as-of", type=iso_date, metavar="YYYY-MM-DD", help="as given to every shard")
    merge.add_argument("--jobs", type=positive, metavar="N", help="worker processes (default: the number of CPUs)")
    add_cache_options(merge)

    check = commands.add_parser("check", help="check the content and report every problem; writes nothing")
    check.add_argument("--content", default="content", metavar="DIR", help="folder with rubric.yaml, site.yaml and groups/ (default: content)")
    check.add_argument("--format", choices=("text", "github"), default="text", help="text for people, github for workflow annotations")

    new = commands.add_parser("new", help="write a new group file that passes check, every field explained")
    new.add_argument("id", metavar="ID", help="the group's id, e.g. kab-madiun/jiwan/ksm-maju")
    new.add_argument("--jenis", required=True, help="the group's jenis, one of the rubric's")
    new.add_argument("--content", default="content", metavar="DIR", help="folder with rubric.yaml, site.yaml and groups/ (default: content)")
    new.add_argument("--format", choices=GROUP_FORMATS, default="md", help="md (default): ID.md with room for the story; yaml: ID.yaml, data only, with the schema line")
    for key in ("nama", "provinsi", "kota", "kecamatan", "kelurahan"):
        new.add_argument(f"--{key}", metavar="NAME", help=f"the group's {key} (default: from the id and the groups next to it)")

    imp = commands.add_parser("import", help="add spreadsheet rows (one per assessment) to group files")
    imp.add_argument("file", metavar="FILE", help="a .csv (UTF-8, comma or semicolon) or .xlsx file")
    imp.add_argument("--content", default="content", metavar="DIR", help="folder with rubric.yaml, site.yaml and groups/ (default: content)")
    imp.add_argument("--format", choices=GROUP_FORMATS, default="md", help="file type of new groups: md (default) or yaml")
    imp.add_argument("--sheet", metavar="NAME", help="the worksheet of an .xlsx workbook to read (default: the first)")

    diff = commands.add_parser("diff", help="stage changes between two git revisions, as Markdown for a pull request")
    diff.add_argument("rev_a", metavar="REV_A", help="the revision before, e.g. origin/main")
    diff.add_argument("rev_b", metavar="REV_B", nargs="?", help="the revision after (default: the working tree)")
    diff.add_argument("--content", default="content", metavar="DIR", help="where content lives, relative to the repository root (default: content)")

    serve = commands.add_parser("serve", help="preview the site on 127.0.0.1, rebuilding when content or templates change")
    serve.add_argument("--content", default="content", metavar="DIR", help="folder with rubric.yaml, site.yaml and groups/ (default: content)")
    serve.add_argument("--out", default="output", metavar="DIR", help="where the site goes (default: output)")
    serve.add_argument("--port", type=port_number, default=8000, metavar="N", help="port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    serve.add_argument("--interval", type=seconds, default=1.0, metavar="SECONDS", help="how often to look for changes (default: 1)")
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
        return run_check(args, today, stdout, stderr)
    if args.command == "new":
        return run_new(args, today, stderr)
    if args.command == "import":
        return run_import(args, today, stdout, stderr)
    if args.command == "diff":
        return run_diff(args, today, stdout, stderr)
    if args.command == "serve":
        return run_serve(args, stderr)

    cache = None if args.no_cache else args.cache
    if args.command == "build" and args.shard and cache is None:
        print("error: --shard writes its bundle into the cache folder; leave out --no-cache", file=stderr)
        return 2
    try:
        if args.command == "merge":
            checked, stats = merge(args.bundles, args.content, args.out, today, args.as_of, args.jobs, cache)
        else:
            checked, stats = build(args.content, args.out, today, args.as_of, args.jobs, cache, args.shard)
    except ContentError as exc:
        stderr.write(report.text_report(exc.problems, wants_colour(stderr)))
        print(f"Nothing was built; {args.out}/ is unchanged.", file=stderr)
        return 1
    except (OutputError, SearchIndexError, CacheError, ShardError) as exc:
        print(f"error: {exc}", file=stderr)
        print(f"Nothing was published; {args.out}/ is unchanged.", file=stderr)
        return 2
    work = (f"{checked.parsed} group files parsed, {checked.rendered} groups and {checked.pages} other pages "
            f"rendered; the rest came from the cache")
    if stats is None:
        print(f"Shard {args.shard[0]}/{args.shard[1]}: {work}. Bundle: {checked.bundle}", file=stderr)
        return 0
    print(f"Built {len(checked.groups)} groups into {args.out}/: "
          f"{stats.written} files written, {stats.unchanged} unchanged ({work}).", file=stderr)
    return 0


def run_check(args: argparse.Namespace, today: dt.date, stdout: TextIO, stderr: TextIO) -> int:
    problems = check(args.content, today)
    if args.format == "github":
        root = report.find_repo_root(args.content) or os.getcwd()
        stdout.write(report.github_annotations(problems, root))
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with open(summary, "a", encoding="utf-8") as f:
                f.write(report.summary_markdown(problems, root))
    else:
        stderr.write(report.text_report(problems, wants_colour(stderr)))
    if not problems:
        print("No problems found.", file=stderr)
    return 1 if problems else 0


def run_new(args: argparse.Namespace, today: dt.date, stderr: TextIO) -> int:
    from . import new as scaffold  # each command imports what only it uses: a build does not pay for them

    partial = read_content_partly(args.content, today)
    if partial.rubric is None or partial.site is None:
        stderr.write(report.text_report(partial.problems, wants_colour(stderr)))
        print("The rubric or the site settings have problems; fix them first.", file=stderr)
        return 1
    given = {key: getattr(args, key) for key in ("nama", "provinsi", "kota", "kecamatan", "kelurahan")}
    try:
        path, text = scaffold.make_scaffold(args.content, args.id, args.jenis, args.format, partial.rubric,
                                            partial.site, partial.groups, given, today)
        scaffold.write_scaffold(path, text)
    except scaffold.ScaffoldError as exc:
        print(f"error: {exc}", file=stderr)
        return 2
    except FileExistsError:
        print(f"error: {args.id} appeared while writing it; it is never overwritten", file=stderr)
        return 2
    print(f"Wrote {path}: fill it in, then run `python build.py check`.", file=stderr)
    return 0


def run_import(args: argparse.Namespace, today: dt.date, stdout: TextIO, stderr: TextIO) -> int:
    from . import importer, sheet

    partial = read_content_partly(args.content, today)
    if partial.rubric is None or partial.site is None:
        stderr.write(report.text_report(partial.problems, wants_colour(stderr)))
        print("The rubric or the site settings have problems; fix them first.", file=stderr)
        return 1
    try:
        rows = sheet.read_sheet(args.file, args.sheet)
        plan = importer.plan_import(rows, args.content, partial.rubric, partial.site, today, args.format)
    except sheet.SheetError as exc:
        print(f"error: {exc}", file=stderr)
        return 2
    except importer.ImportProblems as exc:
        stderr.write(report.sheet_report(exc.problems, wants_colour(stderr)))
        print("Nothing was written.", file=stderr)
        return 1
    importer.write_plan(plan)
    for note in plan.notes:
        print(note, file=stdout)
    for group_id, path, count in plan.created:
        print(f"created {path} ({group_id}): {count} assessment(s)", file=stdout)
    for group_id, path, tanggal, row in plan.added:
        print(f"added {tanggal.isoformat()} to {path} ({group_id}), from row {row}", file=stdout)
    for row, group_id, tanggal in plan.skipped:
        print(f"skipped row {row}: {group_id} already has this {tanggal.isoformat()} assessment", file=stdout)
    print(f"{len(plan.created)} group(s) created, {len(plan.added)} assessment(s) added to existing groups, "
          f"{len(plan.skipped)} row(s) skipped.", file=stdout)
    return 0


def wants_colour(stream: TextIO) -> bool:
    """Colour only for a terminal, and never when ``NO_COLOR`` is set (no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


def run_diff(args: argparse.Namespace, today: dt.date, stdout: TextIO, stderr: TextIO) -> int:
    from . import diff

    try:
        stdout.write(diff.diff_markdown(args.rev_a, args.rev_b, args.content, today))
    except diff.DiffError as exc:
        print(f"error: {exc}", file=stderr)
        return 2
    return 0


def run_serve(args: argparse.Namespace, stderr: TextIO) -> int:
    from . import serve

    try:
        preview = serve.Preview(args.content, args.out, args.port, args.interval, stderr,
                                colour=wants_colour(stderr))
    except OSError as exc:
        print(f"error: cannot serve on port {args.port}: {exc.strerror}", file=stderr)
        return 2
    try:
        preview.run()
    except KeyboardInterrupt:
        print("Stopped.", file=stderr)
    return 0
