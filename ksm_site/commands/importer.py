"""`import FILE.csv|FILE.xlsx`: spreadsheet rows -> new group files and new assessments.

One row is one assessment. Its columns are the fields: ``nama, jenis,
provinsi, kota, kecamatan, kelurahan, dibentuk, anggota, ketua, bubar``, an
optional ``id``, ``tanggal``, an optional ``penilai``, the indicators, the
assets and ``catatan``, in any order. The rows of one group become one file.

The reading happens before this module: ``sheet`` and ``workbook`` read the
file (and refuse one that is not a spreadsheet), ``sheetrows`` finds the
header row and matches columns named as people name them, ``cellvalues``
reads dates, numbers and percentages. This module owns the planning: which
group each row belongs to, what each file will hold, and the check that
every one of them passes; then the writing.

Which group a row belongs to: its ``id`` cell, or else
``<slug(kota)>/<slug(kecamatan)>/<slug(kelurahan)>/<slug(nama)>``. To add
assessments to groups whose ids are not made that way (such as
``kab-madiun/jiwan/ksm-sri-rejeki``), give the ``id`` column.

Decisions where the issue is silent:

* A new group takes its fields from its rows; they must agree wherever they
  are filled in (cells may stay empty after the first row). A group that
  exists keeps its fields: a filled group cell must match the file (import
  adds assessments only; any other change is made in the file itself).
* An existing assessment (same ``tanggal``) with the same values skips the
  row; with other values it is an error. Only what the row states is
  compared: an empty ``penilai``, ``catatan`` or asset block is "not said".
  Two rows of one group with the same ``tanggal`` are treated alike.
* New groups are written as ``ID.md`` (``--format yaml``: ``ID.yaml`` with
  the schema line), with the fields in the order of the sample files.

Appending to an existing file keeps everything in it (``appendtext``): the
new assessments are inserted as text after the last item of its
``penilaian`` list; comments, the story and CRLF line endings stay as they
were, only a byte-order mark is dropped. A non-empty list written on one
line (``[{...}]``) is not edited: the row is an error asking to rewrite it
as a block list.

Nothing is written unless every row is valid and every file to be written
passes the same validation as ``check`` (``validate_group`` on the text in
memory). A problem that validation finds on a written line is reported with
the row and column that produced the line. Files are then written
atomically, one by one (a temporary file and a rename).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

from ..content.files import (
    Document, group_files, group_id_problem, newline_of, parse_document, read_text, write_content_file,
)
from ..content.group import validate_group
from ..content.problems import Problem
from ..content.yamltext import WILAYAH_KEYS, assessment_lines, group_lines
from ..domain.model import Assessment, Group, Rubric, Site
from ..domain.slugs import slugify
from ..site.schema import schema_url
from .appendtext import appended_text, line_origins
from .cellvalues import field_readers
from .sheet import Grid
from .sheetrows import Row, read_table

GROUP_COLUMNS = ("nama", "jenis", "provinsi", "kota", "kecamatan", "kelurahan", "dibentuk", "anggota", "ketua", "bubar")
SLUG_COLUMNS = ("kota", "kecamatan", "kelurahan", "nama")


class ImportProblems(Exception):
    """Rows that cannot be imported; ``problems`` name the row (``line``) and column (``field``)."""

    def __init__(self, problems):
        self.problems = tuple(sorted(problems))
        super().__init__(f"{len(self.problems)} problem(s) in the spreadsheet")


@dataclass(frozen=True)
class Plan:
    """What an import will write, and what it found; nothing is written yet."""

    files: dict[str, tuple[bytes, bool]]
    """Path -> (bytes, replaces an existing file)."""
    created: tuple[tuple[str, str, int], ...]
    """(group id, path, number of assessments) of each new group."""
    added: tuple[tuple[str, str, dt.date, int], ...]
    """(group id, path, tanggal, row) of each assessment added to an existing group."""
    skipped: tuple[tuple[int, str, dt.date], ...]
    """(row, group id, tanggal) of each row identical to an assessment already there."""
    notes: tuple[str, ...] = ()
    """How the sheet was read: its encoding or worksheet, title rows skipped, columns matched by name."""


# --------------------------------------------------------------------------
# Rows -> groups


@dataclass
class _Group:
    id: str
    rows: list[tuple[int, dict]]
    id_column: str


def plan_import(grid: Grid, content_dir: str, rubric: Rubric, site: Site, today: dt.date,
                fmt: str = "md") -> Plan:
    """Everything the import would write; ``ImportProblems`` with every problem if any row is not right.

    ``SheetError`` (from ``sheetrows``) when the sheet has no header row at all.
    """
    table = read_table(grid, rubric)
    problems: list[Problem] = list(table.problems)

    def report(row: int, column: str, message: str, hint: str = "") -> None:
        problems.append(Problem(table.where, row, table.label(column), message, hint))

    if "tanggal" not in table.columns:
        report(table.header, "tanggal", "column is missing", "every row is one assessment, dated in a column 'tanggal'")
    if "id" not in table.columns:
        for column in SLUG_COLUMNS:
            if column not in table.columns:
                report(table.header, column, "column is missing",
                       "without an 'id' column, a group's id is made from kota, kecamatan, kelurahan and nama")

    groups: dict[str, _Group] = {}
    for row in table.rows:
        group_id, id_column = _row_id(row, table.columns, report)
        if "tanggal" in table.columns and "tanggal" not in row.given:
            report(row.number, "tanggal", "is empty", "every row is one assessment: write its date")
        if group_id is None:
            continue
        group = groups.setdefault(group_id, _Group(group_id, [], id_column))
        failed = row.failed or "tanggal" not in row.given
        group.rows.append((row.number, None if failed else row.values))

    files: dict[str, tuple[bytes, bool]] = {}
    created, added, skipped = [], [], []
    for group_id in sorted(groups):
        group = groups[group_id]
        if any(values is None for _, values in group.rows):
            continue  # its rows' problems are reported; the file is not put together
        result = _plan_group(group, content_dir, rubric, site, today, fmt, report)
        if result is None:
            continue
        path, data, replace, new_items, skipped_rows = result
        skipped += [(row, group_id, tanggal) for row, tanggal in skipped_rows]
        if data is None:
            continue
        files[path] = (data, replace)
        if replace:
            added += [(group_id, path, item["tanggal"], row) for row, item in new_items]
        else:
            created.append((group_id, path, len(new_items)))
    if problems:
        raise ImportProblems(problems)
    return Plan(files, tuple(created), tuple(added), tuple(sorted(skipped)), table.notes)


def _row_id(row: Row, columns: dict, report) -> tuple[str | None, str]:
    """The group id of a row, and the column it came from (``id``, else ``nama``)."""
    values = row.values
    if "id" in row.given:
        if "id" not in values:
            return None, "id"
        problem = group_id_problem(values["id"])
        if problem:
            report(row.number, "id", problem, "or leave the id empty to make it from kota, kecamatan, kelurahan and nama")
            return None, "id"
        return values["id"], "id"
    slugs = []
    for column in SLUG_COLUMNS:
        if column not in row.given:
            if column in columns:  # a missing column is reported once, at the header
                report(row.number, column, "is empty", "it is needed to make the group's id (or give an 'id' column)")
            return None, "nama"
        if column not in values:
            return None, "nama"  # reported when the cell was read
        slug = slugify(values[column])
        if not slug:
            report(row.number, column, f"'{values[column]}' has no letters or digits to make the group id from",
                   "write the name with letters a-z, or give an 'id' column")
            return None, "nama"
        slugs.append(slug)
    return "/".join(slugs), "nama"


def _assessment_item(values: dict, rubric: Rubric) -> dict:
    item = {"tanggal": values["tanggal"]}
    if "penilai" in values:
        item["penilai"] = values["penilai"]
    item["indikator"] = {i.key: values[i.key] for i in rubric.indicators if i.key in values}
    assets = {a.key: values[a.key] for a in rubric.assets if a.key in values}
    if assets:
        item["aset"] = assets
    if "catatan" in values:
        item["catatan"] = values["catatan"]
    return item


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _differences(item: dict, existing: Assessment) -> list[str]:
    """The columns in which a row states something else than an existing assessment."""
    columns = [key for key in existing.values if item["indikator"].get(key) != existing.values[key]]
    columns += [key for key in item["indikator"] if key not in existing.values]
    if "aset" in item:
        columns += [key for key, value in item["aset"].items()
                    if existing.assets is None or existing.assets.get(key) != value]
    if "penilai" in item and not _same_text(item["penilai"], existing.assessor):
        columns.append("penilai")
    if "catatan" in item and item["catatan"].strip() != existing.note.strip():
        columns.append("catatan")
    return columns


def _group_value(group: Group, column: str):
    if column in WILAYAH_KEYS:
        return getattr(group.wilayah, column)
    return getattr(group, column)


@dataclass(frozen=True)
class _Existing:
    """A group file that is there already, read and valid."""

    path: str
    text: str
    doc: Document
    group: Group


def _plan_group(group: _Group, content_dir: str, rubric: Rubric, site: Site, today: dt.date, fmt: str, report):
    """``(path, bytes or None, replace, new items, skipped rows)`` for one group, or None after reporting."""
    first_row = group.rows[0][0]
    existing_files = group_files(content_dir, group.id)
    if len(existing_files) > 1:
        report(first_row, group.id_column, f"group '{group.id}' is in more than one file: "
               + ", ".join(existing_files), "keep one of them (python build.py check says the same)")
        return None
    existing = None
    if existing_files:
        existing = _read_existing(existing_files[0], group.id, rubric, today)
        if existing is None:
            report(first_row, group.id_column, f"{existing_files[0]} has problems of its own, so nothing is added to it",
                   "run `python build.py check`, fix the file, then import again")
            return None
    path = existing.path if existing else os.path.join(content_dir, "groups", *group.id.split("/")) + "." + fmt
    fields, field_rows = _group_fields(group, existing, report)
    new_items, skipped = _new_assessments(group, existing, rubric, report)
    if not new_items:
        return path, None, existing is not None, [], skipped
    if existing is None:
        text, origins = _new_file(fields, field_rows, new_items, first_row, fmt, site)
        newline = "\n"
    else:
        edited = appended_text(path, existing.text, existing.doc.body_line, new_items, first_row)
        if edited is None:
            report(first_row, "tanggal", f"{path}: penilaian is not written as a list of '- tanggal:' items, "
                   "so import cannot add to it",
                   "rewrite penilaian with one '- tanggal: ...' item per assessment, then import again")
            return None
        text, origins = edited
        newline = newline_of(path)
    if not _passes_check(path, group, text, origins, rubric, today, report):
        return None
    return path, text.replace("\n", newline).encode(), existing is not None, new_items, skipped


def _read_existing(path: str, group_id: str, rubric: Rubric, today: dt.date) -> _Existing | None:
    """The file of an existing group, or None when it has problems of its own."""
    problems: list[Problem] = []
    text = read_text(path, problems)
    if text is None:
        return None
    doc = parse_document(path, group_id, text, problems)
    if problems or doc.data is None:
        return None
    group, found = validate_group(doc, rubric, today)
    return None if found else _Existing(path, text, doc, group)


def _group_fields(group: _Group, existing: _Existing | None, report) -> tuple[dict, dict[str, int]]:
    """A new group's fields from its rows (and the row each came from); for an existing group, checks only."""
    fields: dict = {}
    field_rows: dict[str, int] = {}
    for row, values in group.rows:
        for column in GROUP_COLUMNS:
            if column not in values:
                continue
            value = values[column]
            if existing is not None:
                known = _group_value(existing.group, column)
                if not _same(value, known):
                    report(row, column, f"'{value}' differs from {existing.path} ('{'' if known is None else known}')",
                           "import only adds assessments: change the group's data in its file, or leave this cell empty")
            elif column in fields:
                if not _same(value, fields[column]):
                    report(row, column, f"'{value}' differs from row {field_rows[column]} ('{fields[column]}')",
                           "the rows of one group must agree; leave the cell empty after the first row")
            else:
                fields[column], field_rows[column] = value, row
    return fields, field_rows


def _same(value, known) -> bool:
    if isinstance(value, str) and isinstance(known, str):
        return _same_text(value, known)
    return value == known


def _new_assessments(group: _Group, existing: _Existing | None, rubric: Rubric,
                     report) -> tuple[list[tuple[int, dict]], list[tuple[int, dt.date]]]:
    """The rows' assessments to write (sorted by date), and the rows skipped as already there."""
    by_date: dict[dt.date, tuple[int, dict]] = {}
    new_items: list[tuple[int, dict]] = []
    skipped: list[tuple[int, dt.date]] = []
    known_dates = {a.date: a for a in existing.group.assessments} if existing else {}
    for row, values in group.rows:
        if "tanggal" not in values:
            continue
        item = _assessment_item(values, rubric)
        tanggal = item["tanggal"]
        if tanggal in known_dates:
            different = _differences(item, known_dates[tanggal])
            if different:
                report(row, different[0], f"{tanggal.isoformat()} is already assessed in {existing.path} "
                       f"with other values (in {', '.join(different)})",
                       "import never changes an assessment: edit the file, or remove this row")
            else:
                skipped.append((row, tanggal))
        elif tanggal in by_date:
            earlier_row, earlier = by_date[tanggal]
            if earlier != item:
                report(row, "tanggal", f"{tanggal.isoformat()} is also on row {earlier_row} with other values",
                       "one assessment per group and date; remove one of the rows or fix a date")
            else:
                skipped.append((row, tanggal))
        else:
            by_date[tanggal] = (row, item)
            new_items.append((row, item))
    new_items.sort(key=lambda pair: pair[1]["tanggal"])
    return new_items, skipped


def _passes_check(path: str, group: _Group, text: str, origins: dict[int, tuple[int, str]], rubric: Rubric,
                  today: dt.date, report) -> bool:
    """Validate the would-be file as ``check`` reads it; report problems at the row and column behind each line."""
    found: list[Problem] = []
    doc = parse_document(path, group.id, text, found)
    if doc.data is not None:
        found += validate_group(doc, rubric, today)[1]
    columns = set(field_readers(rubric))
    first_row = group.rows[0][0]
    for p in found:
        row, column = origins.get(p.line, (first_row, ""))
        key = re.sub(r"\[\d+\]$", "", p.field.rsplit(".", 1)[-1])
        column = key if key in columns else column or group.id_column
        message = p.message if p.line in origins else f"{path}:{p.line}: {p.field}: {p.message}"
        report(row, column, message, p.hint)
    return not found


def _new_file(fields: dict, field_rows: dict, items: list[tuple[int, dict]], first_row: int, fmt: str,
              site: Site) -> tuple[str, dict]:
    """A new group's text and, for each line number, the (row, column) that wrote it."""
    lines = [f"# yaml-language-server: $schema={schema_url(site)}"] if fmt == "yaml" else ["---"]
    origins: dict[int, tuple[int, str]] = {}
    for line in group_lines(fields, with_assessments=True):
        lines.append(line.text)
        origins[len(lines)] = (field_rows.get(line.key, first_row), line.key)
    for row, item in items:
        rendered = assessment_lines(item)
        origins.update(line_origins(rendered, len(lines) + 1, row))
        lines += [line.text for line in rendered]
    if fmt == "md":
        lines.append("---")
    return "\n".join(lines) + "\n", origins


def write_plan(plan: Plan) -> None:
    """Write every file of the plan atomically, new ones without ever overwriting."""
    for path in sorted(plan.files):
        data, replace = plan.files[path]
        write_content_file(path, data, replace)
