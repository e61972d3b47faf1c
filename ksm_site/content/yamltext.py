"""Group data -> YAML text in the house style of the sample files, for `new` and `import`.

Pure functions. Values are typed as validation returns them: ``str``,
``int``, ``datetime.date``, and ``Decimal`` for a percentage (written
``72%``). Text is written plain when YAML reads it back as the same text,
quoted otherwise (``'1945'``, ``'Yes'``, ``'a: b'``); text with line breaks
becomes a double-quoted scalar with ``\\n`` escapes, so it fits on one line
at any indentation.

Each line comes with the key it holds (``Line.key``): ``import`` uses it to
name the spreadsheet column behind a problem that ``check`` finds on that
line.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

import yaml

WILAYAH_KEYS = ("provinsi", "kota", "kecamatan", "kelurahan")


@dataclass(frozen=True)
class Line:
    text: str
    key: str = ""
    """The field this line writes (``kehadiran``, ``tanggal``, ``kota``...), '' for none."""


def percent_text(value: Decimal) -> str:
    """72 -> '72%', 72.50 -> '72.5%'."""
    return format(value.normalize(), "f") + "%"


def scalar(value) -> str:
    """One YAML scalar that reads back as ``value``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return percent_text(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    dumped = yaml.safe_dump(str(value), allow_unicode=True, width=2 ** 31 - 1)
    dumped = dumped.removesuffix("\n...\n").removesuffix("\n")
    if "\n" in dumped:
        return json.dumps(str(value), ensure_ascii=False)
    return dumped


def flow_mapping(values: dict) -> str:
    return "{" + ", ".join(f"{k}: {scalar(v)}" for k, v in values.items()) + "}"


def assessment_lines(item: dict, dash: int = 2, step: int = 2, gap: int = 2,
                     comments: dict | None = None) -> list[Line]:
    """One ``penilaian`` list item: ``- tanggal: ...`` with the dash in column ``dash``.

    The item's keys stand ``gap`` columns right of the dash, the indicators
    ``step`` columns deeper than their ``indikator`` key: ``import`` passes
    the indentation of the items already in a file.

    ``item`` holds ``tanggal``, and optionally ``penilai``, ``indikator``
    (key -> level or percentage, in rubric order), ``aset`` (written as one
    flow mapping) and ``catatan``; a key that is there is written, a None
    value as an empty one. ``comments`` adds a comment after the line of
    any key.
    """
    comments = comments or {}
    inner = " " * (dash + gap)

    def line(indent: str, key: str, value: str) -> Line:
        text = f"{indent}{key}:" + (f" {value}" if value else "")
        if key in comments:
            text += f"  # {comments[key]}"
        return Line(text, key)

    lines = [line(" " * dash + "-" + " " * (gap - 1), "tanggal", scalar(item["tanggal"]))]
    if "penilai" in item:
        lines.append(line(inner, "penilai", scalar(item["penilai"])))
    if "indikator" in item:
        lines.append(line(inner, "indikator", ""))
        deeper = inner + " " * step
        lines += [line(deeper, key, scalar(value)) for key, value in item["indikator"].items()]
    if "aset" in item:
        lines.append(line(inner, "aset", flow_mapping(item["aset"])))
    if "catatan" in item:
        lines.append(line(inner, "catatan", scalar(item["catatan"])))
    return lines


def group_lines(fields: dict, with_assessments: bool) -> list[Line]:
    """A group's YAML up to its ``penilaian:`` line: identity, ``wilayah`` as a block, dates.

    ``fields`` holds the group's keys (``nama``, ``jenis``, the four
    ``wilayah`` keys at the top level, ``dibentuk``, ``anggota``, ``ketua``,
    ``bubar``); a key that is missing is left out, for ``check`` to report.
    The items of ``penilaian`` (``assessment_lines``) follow when
    ``with_assessments``; otherwise it is ``penilaian: []``.
    """
    lines = [Line(f"{key}: {scalar(fields[key])}", key) for key in ("nama", "jenis") if key in fields]
    lines.append(Line("wilayah:", "wilayah"))
    lines += [Line(f"  {key}: {scalar(fields[key])}", key) for key in WILAYAH_KEYS if key in fields]
    lines += [Line(f"{key}: {scalar(fields[key])}", key) for key in ("dibentuk", "anggota", "ketua", "bubar")
              if key in fields]
    lines.append(Line("penilaian:" if with_assessments else "penilaian: []", "penilaian"))
    return lines
