"""Every way a group file can be wrong ends in a precise message, never in a traceback.

``tests/bad/`` holds one broken file per case, as its real bytes (see
``.gitattributes``: no line-ending conversion), and ``EXPECTED`` below says,
for each, every problem ``check`` must report: the line, the field and a
fragment of the message (and of the hint where the hint is the point). A
case is installed alone into a fresh content folder as
``groups/kota-madiun/<file name>``, or under the path ``INSTALL_AS`` gives
(the cases whose file name is what is wrong); a folder case is installed
as ``groups/kota-madiun/`` itself. Cases that git cannot hold well (a file
over 1 MiB, symbolic links) are made by ``GENERATED``.

Each case runs twice, in this process: through ``check`` (exact problems), and
through the command line's ``main`` (exit code 1, every problem as
``path:line: field: message``, nothing on stderr that is not a problem, a
hint or the count). A few run as the real command, in a subprocess, to show
the exit code and output of ``python build.py check`` itself, with no
traceback.
``tests/good/`` holds files that look wrong but are not (a byte-order mark,
CRLF or CR line ends): they pass and build the same site as the plain file.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from ksm_site.commands.cli import main
from ksm_site.content.read import check
from ksm_site.engine.build import build

from conftest import ROOT, TODAY, VALID_GROUP, write_content

BAD = Path(__file__).parent / "bad"
GOOD = Path(__file__).parent / "good"
FOLDER = "groups/kota-madiun"


@dataclass(frozen=True)
class E:
    """One expected problem: its line, field, a fragment of its message and of its hint."""

    line: int
    field: str
    message: str
    hint: str = ""
    path: str = ""
    """Relative to the content folder; empty means the case's installed file."""


def _alias_bomb() -> tuple[E, ...]:
    """The billion-laughs file: nine anchors, eight alias names, each refused once, nothing expanded."""
    anchors = tuple(E(n + 1, "(yaml)", f"anchor '&{chr(97 + n)}' is not allowed") for n in range(9))
    aliases = tuple(E(n + 2, "(yaml)", f"alias '*{chr(97 + n)}' is not allowed") for n in range(8))
    return anchors + aliases


def _path_problem(path: str, name: str, rename: str) -> tuple[E, ...]:
    return (E(0, "(berkas)", f"'{name}' is not allowed in a group's path", f"rename it to '{rename}'", path=path),)


TYPE_HINT = "write the text after the key"
"""The hint of a list or mapping where text belongs."""

EXPECTED: dict[str, tuple[E, ...]] = {
    # YAML syntax
    "yaml-unclosed-flow-list.md": (E(12, "(yaml)", "did not find expected ',' or ']'", "'[' opened here is never closed"),),
    "yaml-unclosed-quote.md": (E(2, "(yaml)", "while scanning a quoted scalar", "quote opened here is never closed"),),
    "yaml-colon-in-value.md": (E(11, "(yaml)", "mapping values are not allowed", "put the whole value in quotes"),),
    "yaml-bad-indentation.md": (E(7, "(yaml)", "did not find expected key", "keys of one mapping start in the same column"),),
    "yaml-tab-indentation.md": (E(6, "(yaml)", "tab character", "never with tabs"),),
    "yaml-value-starts-with-at.md": (E(11, "(yaml)", "found character '@'", 'ketua: "@siti_aminah"'),),
    "yaml-value-starts-with-percent.md": (E(20, "(yaml)", "found character '%'", 'kehadiran: "%72"'),),
    "yaml-missing-colon.md": (E(12, "(yaml)", "could not find expected ':'", "missing ':'"),),
    "yaml-two-documents.yaml": (E(30, "(yaml)", "a second YAML document", "one group per file"),),
    # duplicate keys, at every level, named by their full field
    "duplicate-key-top.md": (E(11, "anggota", "duplicate key", "already set on line 10"),),
    "duplicate-key-wilayah.md": (E(7, "wilayah.kota", "duplicate key", "already set on line 6"),),
    "duplicate-key-indikator.md": (E(22, "penilaian[1].indikator.agenda_pertemuan", "duplicate key", "already set on line 21"),),
    "duplicate-key-flow-mapping.md": (E(14, "mitra[1].nama", "duplicate key", "already set on line 14"),),
    # YAML 1.1 reads these as something other than what was meant
    "yaml11-jenis-yes.md": (E(3, "jenis", "'yes' is read by YAML as yes/no", "pinjaman-bergulir, infrastruktur, sosial"),),
    "yaml11-jenis-no.md": (E(3, "jenis", "'no' is read by YAML as yes/no"),),
    "yaml11-jenis-on.md": (E(3, "jenis", "'on' is read by YAML as yes/no"),),
    "yaml11-kelurahan-off.md": (E(8, "wilayah.kelurahan", "must be text, not a yes/no value", 'write "Off" in quotes'),),
    "yaml11-base-60-nama.md": (E(2, "nama", "must be text, not a number", "base-60 number (750)"),),
    "yaml11-base-60-jenis.md": (E(3, "jenis", "'12:30' is not an allowed value", "base-60 number (750)"),),
    "yaml11-base-60-level.md": (E(21, "penilaian[1].indikator.agenda_pertemuan", "'1:2' is not a whole number", "base-60"),),
    "yaml11-octal-anggota.md": (E(10, "anggota", "'010' is not a whole number in plain digits", "reads 010 as 8"),),
    "yaml11-hex-level.md": (E(21, "penilaian[1].indikator.agenda_pertemuan", "'0x2' is not a whole number", "plain digits"),),
    "yaml11-number-as-ketua.md": (E(11, "ketua", "must be text, not a number", 'write "1945" in quotes'),),
    "yaml11-null-nama.md": (E(2, "nama", "is empty"),),
    "yaml11-date-as-kelurahan.md": (E(8, "wilayah.kelurahan", "must be text, not a date", 'write "2020-01-01" in quotes'),),
    # dates: impossible, malformed, in the future, out of order
    "date-impossible-day.md": (E(16, "penilaian[1].tanggal", "'2024-02-30' is not a date in the calendar"),),
    "date-impossible-month.md": (E(9, "dibentuk", "'2024-13-01' is not a date in the calendar"),),
    "date-quoted-not-leap-year.md": (E(9, "dibentuk", "'2023-02-29' is not a date in the calendar"),),
    "date-day-first.md": (E(9, "dibentuk", "'12-03-2017' is not a date", "YYYY-MM-DD"),),
    "date-with-time.md": (E(9, "dibentuk", "has a time"),),
    "date-as-number.md": (E(9, "dibentuk", "'2017' is not a date"),),
    "date-future-dibentuk.md": (E(9, "dibentuk", "2999-03-12 is in the future"),),
    "date-future-penilaian.md": (E(16, "penilaian[1].tanggal", "2999-09-30 is in the future"),),
    "date-future-bubar.md": (E(11, "bubar", "2999-01-01 is in the future"),),
    "date-future-mitra.md": (E(14, "mitra[1].sejak", "2999-02-01 is in the future"),),
    "date-penilaian-before-dibentuk.md": (E(16, "penilaian[1].tanggal", "2016-09-30 is before dibentuk (2017-03-12)"),),
    "date-penilaian-after-bubar.md": (E(17, "penilaian[1].tanggal", "2018-09-30 is after bubar (2018-01-01)"),),
    "date-bubar-before-dibentuk.md": (
        E(11, "bubar", "is before dibentuk", "formed on 2017-03-12"),
        E(17, "penilaian[1].tanggal", "is after bubar (2016-01-01)"),
    ),
    "date-penilaian-twice.md": (E(31, "penilaian[2].tanggal", "2018-09-30 is assessed twice", "on line 16"),),
    # the shape of the file
    "top-level-list.md": (E(2, "(berkas)", "must be a set of 'key: value' lines, not a list", "nama, jenis, wilayah"),),
    "top-level-text.md": (E(2, "(berkas)", "must be a set of 'key: value' lines, not text"),),
    "top-level-number.yaml": (E(1, "(berkas)", "must be a set of 'key: value' lines, not a number"),),
    "empty-file.md": (E(1, "(berkas)", "no front matter"),),
    "empty-file.yaml": (E(1, "(berkas)", "the file holds no data", "python build.py new"),),
    "empty-front-matter.md": (E(2, "(berkas)", "the file holds no data"),),
    "comments-only.yaml": (E(1, "(berkas)", "the file holds no data"),),
    "front-matter-unclosed.md": (E(1, "(berkas)", "front matter opened on line 1 is never closed", "add a line '---'"),),
    "front-matter-missing.md": (E(1, "(berkas)", "no front matter: the file must start with a line '---'"),),
    "front-matter-not-first-line.md": (E(1, "(berkas)", "no front matter: the file must start with a line '---'"),),
    "nesting-too-deep.md": (E(12, "(yaml)", "nested deeper than 12 levels"),),
    "nesting-unclosed-brackets.md": (E(12, "(yaml)", "exceeded maximum nesting depth", "brackets opened and never closed"),),
    "key-not-text.md": (E(11, "(yaml)", "a key must be plain text"),),
    # unknown keys at every level, with a suggestion
    "unknown-key-top.md": (E(11, "ketuaa", "unknown key 'ketuaa'", "did you mean 'ketua'?"),),
    "unknown-key-top-no-suggestion.md": (E(12, "warna", "unknown key 'warna'", "allowed: nama, jenis, wilayah"),),
    "unknown-key-case.md": (E(11, "Ketua", "unknown key 'Ketua'", "did you mean 'ketua'?"),),
    "unknown-key-wilayah.md": (
        E(4, "wilayah.kelurahan", "is missing"),
        E(8, "wilayah.kelurahn", "unknown key 'kelurahn'", "did you mean 'kelurahan'?"),
    ),
    "unknown-key-mitra.md": (E(14, "mitra[1].sejakk", "unknown key 'sejakk'", "did you mean 'sejak'?"),),
    "unknown-key-penilaian.md": (E(17, "penilaian[1].penilaii", "unknown key 'penilaii'", "did you mean 'penilai'?"),),
    "unknown-key-indikator.md": (
        E(18, "penilaian[1].indikator.agenda_pertemuan", "is missing"),
        E(21, "penilaian[1].indikator.agenda", "unknown key 'agenda'", "did you mean 'agenda_pertemuan'?"),
    ),
    "unknown-key-aset.md": (
        E(29, "penilaian[1].aset.sosial", "is missing"),
        E(29, "penilaian[1].aset.sosil", "unknown key 'sosil'", "did you mean 'sosial'?"),
    ),
    "unknown-key-escape-sequence.md": (E(11, "\\x1b[2J\\x1b[31mketua", "unknown key '\\x1b[2J\\x1b[31mketua'"),),
    # wrong types and values out of range, field by field
    "type-nama-list.md": (E(2, "nama", "must be text, not a list", TYPE_HINT),),
    "type-nama-two-lines.md": (E(2, "nama", "must be one line of text"),),
    "type-nama-empty.md": (E(2, "nama", "is empty"),),
    "type-required-missing.md": (E(2, "jenis", "is missing", "pinjaman-bergulir, infrastruktur, sosial"),),
    "type-jenis-unknown.md": (E(3, "jenis", "'pinjaman' is not an allowed value", "did you mean 'pinjaman-bergulir'?"),),
    "type-jenis-list.md": (E(3, "jenis", "a list is not an allowed value"),),
    "type-wilayah-text.md": (E(4, "wilayah", "must be a set of 'key: value' lines, not text", "provinsi, kota, kecamatan, kelurahan"),),
    "type-wilayah-kota-number.md": (E(6, "wilayah.kota", "must be text, not a number", 'write "63" in quotes'),),
    "type-wilayah-missing-part.md": (E(4, "wilayah.kelurahan", "is missing"),),
    "type-anggota-zero.md": (E(10, "anggota", "0 is out of range", "at least 1"),),
    "type-anggota-negative.md": (E(10, "anggota", "-3 is out of range"),),
    "type-anggota-decimal.md": (E(10, "anggota", "'10.5' is not a whole number"),),
    "type-anggota-words.md": (E(10, "anggota", "'sepuluh' is not a whole number"),),
    "type-anggota-yes.md": (E(10, "anggota", "'yes' is not a whole number", "yes/no"),),
    "type-ketua-mapping.md": (E(11, "ketua", "must be text, not a set of 'key: value' lines", TYPE_HINT),),
    "type-usaha-text.md": (E(12, "usaha", "must be a list, not text", "[a, b, c]"),),
    "type-usaha-item-mapping.md": (E(12, "usaha", "item 2: must be text", TYPE_HINT),),
    "type-mitra-mapping.md": (E(14, "mitra", "must be a list"),),
    "type-mitra-item-text.md": (E(14, "mitra[1]", "must be a set of 'key: value' lines, not text", "nama, bentuk, sejak"),),
    "type-mitra-bentuk-unknown.md": (E(14, "mitra[1].bentuk", "'modall' is not an allowed value", "did you mean 'modal'?"),),
    "type-mitra-nama-missing.md": (E(14, "mitra[1].nama", "is missing"),),
    "type-mitra-sejak-text.md": (E(14, "mitra[1].sejak", "'lama' is not a date"),),
    "type-bubar-text.md": (E(11, "bubar", "'ya' is not a date"),),
    "type-penilaian-mapping.md": (E(16, "penilaian", "must be a list"),),
    "type-penilaian-item-text.md": (E(16, "penilaian[1]", "must be a set of 'key: value' lines, not a date"),),
    "type-tanggal-missing.md": (E(16, "penilaian[1].tanggal", "is missing"),),
    "type-penilai-number.md": (E(17, "penilaian[1].penilai", "must be text, not a number"),),
    "type-indikator-list.md": (E(18, "penilaian[1].indikator", "must be a set of 'key: value' lines, not a list"),),
    "type-indikator-empty.md": (E(18, "penilaian[1].indikator", "is empty"),),
    "type-level-too-high.md": (E(21, "penilaian[1].indikator.agenda_pertemuan", "4 is out of range", "from 0 to 3"),),
    "type-level-negative.md": (E(21, "penilaian[1].indikator.agenda_pertemuan", "-1 is out of range"),),
    "type-level-quoted.md": (E(21, "penilaian[1].indikator.agenda_pertemuan", "'1' is not a whole number", "remove the quotes"),),
    "type-level-decimal.md": (E(21, "penilaian[1].indikator.agenda_pertemuan", "'1.5' is not a whole number"),),
    "type-level-yes.md": (E(21, "penilaian[1].indikator.agenda_pertemuan", "'true' is not a whole number", "yes/no"),),
    "type-level-empty.md": (E(21, "penilaian[1].indikator.agenda_pertemuan", "is empty", "a level from 0 to 3"),),
    "type-level-percentage.md": (E(21, "penilaian[1].indikator.agenda_pertemuan", "'50%' is not a whole number"),),
    "type-aset-text.md": (E(29, "penilaian[1].aset", "must be a set of 'key: value' lines, not text", "manusia, ekonomi"),),
    "type-aset-too-high.md": (E(29, "penilaian[1].aset.manusia", "6 is out of range", "from 0 to 5"),),
    "type-aset-negative.md": (E(29, "penilaian[1].aset.alam", "-1 is out of range"),),
    "type-aset-missing.md": (E(29, "penilaian[1].aset.alam", "is missing", "all five assets"),),
    "type-catatan-list.md": (E(30, "penilaian[1].catatan", "must be text, not a list", TYPE_HINT),),
    # percentages
    "percent-without-sign.md": (E(20, "penilaian[1].indikator.kehadiran", "'72' has no percent sign", "72%"),),
    "percent-fraction.md": (E(20, "penilaian[1].indikator.kehadiran", "'0.72' has no percent sign", "72% if 0.72 is a fraction"),),
    "percent-over-100.md": (E(24, "penilaian[1].indikator.pengembalian_pinjaman", "120% is over 100%"),),
    "percent-just-over-100.md": (E(20, "penilaian[1].indikator.kehadiran", "100,5% is over 100%"),),
    "percent-negative.md": (E(20, "penilaian[1].indikator.kehadiran", "'-5%' is not a percentage"),),
    "percent-words.md": (E(20, "penilaian[1].indikator.kehadiran", "'tinggi' is not a percentage"),),
    # indicators against the group's jenis
    "indicator-missing.md": (E(18, "penilaian[1].indikator.rekening_aman", "is missing", "a level from 0 to 3"),),
    "indicator-not-applicable.md": (
        E(24, "penilaian[1].indikator.pengembalian_pinjaman", "does not apply to jenis infrastruktur", "only for pinjaman-bergulir"),),
    "indicator-missing-and-not-applicable.md": (
        E(18, "penilaian[1].indikator.aturan_main", "is missing"),
        E(23, "penilaian[1].indikator.pengembalian_pinjaman", "does not apply to jenis sosial"),
    ),
    # invisible and direction-changing characters
    "invisible-zero-width-space-nama.md": (E(2, "nama", "invisible character U+200B (ZERO WIDTH SPACE)"),),
    "invisible-rtl-override-ketua.md": (E(11, "ketua", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),),
    "invisible-rtl-isolate-kelurahan.md": (E(8, "wilayah.kelurahan", "U+2067 (RIGHT-TO-LEFT ISOLATE)"),),
    "invisible-zero-width-joiner-mitra.md": (E(14, "mitra[1].nama", "U+200D (ZERO WIDTH JOINER)"),),
    "invisible-bom-penilai.md": (E(17, "penilaian[1].penilai", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),),
    "invisible-soft-hyphen-usaha.md": (E(12, "usaha", "item 2: contains the invisible character U+00AD (SOFT HYPHEN)"),),
    "invisible-escape-in-value.md": (E(11, "ketua", "invisible character U+001B"),),
    "invisible-in-key.md": (E(11, "ket\\u200bua", "unknown key 'ket\\u200bua'", "did you mean 'ketua'?"),),
    # bytes that are not UTF-8 text, and characters no group file needs
    "encoding-latin-1.md": (E(11, "(berkas)", "not UTF-8 text (byte 0xc9)", "save the file with UTF-8"),),
    "encoding-utf-16.md": (E(1, "(berkas)", "not UTF-8 text (byte 0xff)"),),
    "encoding-truncated-character.md": (E(11, "(berkas)", "not UTF-8 text (byte 0xc3)"),),
    "encoding-encoded-surrogate.md": (E(11, "(berkas)", "not UTF-8 text (byte 0xed)"),),
    "encoding-nul-byte.md": (E(11, "(berkas)", "control character U+0000 in column 12"),),
    "encoding-form-feed.md": (E(30, "(berkas)", "control character U+000C in column 14"),),
    "encoding-line-separator.md": (E(7, "(berkas)", "control character U+2028 (LINE SEPARATOR) in column 19"),),
    "encoding-next-line-c1.md": (E(11, "(berkas)", "control character U+0085 in column 12"),),
    # anchors, aliases and tags: refused, never expanded or constructed
    "anchor.md": (E(10, "(yaml)", "anchor '&jumlah' is not allowed"),),
    "alias.md": (E(8, "(yaml)", "anchor '&desa' is not allowed"), E(11, "(yaml)", "alias '*desa' is not allowed")),
    "alias-merge-key.md": (E(8, "(yaml)", "alias '*lain' is not allowed"),),
    "alias-bomb.yaml": _alias_bomb(),
    "tag-binary.md": (E(11, "(yaml)", "explicit tag 'tag:yaml.org,2002:binary' is not allowed"),),
    "tag-set.md": (E(12, "(yaml)", "explicit tag 'tag:yaml.org,2002:set' is not allowed"),),
    "tag-python-apply.md": (E(11, "(yaml)", "explicit tag 'tag:yaml.org,2002:python/object/apply:os.system'"),),
    "tag-local.md": (E(10, "(yaml)", "explicit tag '!int' is not allowed"),),
    "tag-directive.yaml": (E(12, "(yaml)", "explicit tag 'tag:yaml.org,2002:python/object/apply:os.system'"),),
    # paths: each file below is a valid group installed under a bad name (INSTALL_AS)
    "path-uppercase-folder.md": _path_problem("groups/Kota-Madiun", "Kota-Madiun", "kota-madiun"),
    "path-uppercase-file.md": _path_problem(f"{FOLDER}/KSM-Uji.md", "KSM-Uji", "ksm-uji"),
    "path-underscore.md": _path_problem(f"{FOLDER}/ksm_uji.md", "ksm_uji", "ksm-uji"),
    "path-space.md": _path_problem("groups/kota madiun", "kota madiun", "kota-madiun"),
    "path-double-hyphen.md": _path_problem(f"{FOLDER}/ksm--uji.md", "ksm--uji", "ksm-uji"),
    "path-trailing-hyphen.md": _path_problem(f"{FOLDER}/ksm-uji-.md", "ksm-uji-", "ksm-uji"),
    "path-accented-letter.md": _path_problem(f"{FOLDER}/ksm-uji-\u00e9.md", "ksm-uji-\u00e9", "ksm-uji-e"),
    "path-zero-width-space.md": _path_problem(f"{FOLDER}/ksm\\u200b-uji.md", "ksm\\u200b-uji", "ksm-uji"),
    "path-dot-in-name.md": _path_problem(f"{FOLDER}/ksm.uji.md", "ksm.uji", "ksm-uji"),
    "path-uppercase-suffix.md": (E(0, "(berkas)", "not a group file", ".md, .yaml or .yml (lowercase)", path=f"{FOLDER}/ksm-uji.MD"),),
    "path-other-suffix.md": (E(0, "(berkas)", "not a group file", path=f"{FOLDER}/ksm-uji.txt"),),
    # two files, one group id (folder cases)
    "same-id-md-and-yaml": (
        E(0, "(berkas)", "two files have the group id 'kota-madiun/ksm-uji'", path=f"{FOLDER}/ksm-uji.md"),
        E(0, "(berkas)", "two files have the group id 'kota-madiun/ksm-uji'", path=f"{FOLDER}/ksm-uji.yaml"),
    ),
    "same-id-yaml-and-yml": (
        E(0, "(berkas)", "two files have the group id 'kota-madiun/ksm-uji'", path=f"{FOLDER}/ksm-uji.yaml"),
        E(0, "(berkas)", "two files have the group id 'kota-madiun/ksm-uji'", path=f"{FOLDER}/ksm-uji.yml"),
    ),
}

INSTALL_AS = {
    "path-uppercase-folder.md": "groups/Kota-Madiun/ksm-uji.md",
    "path-uppercase-file.md": f"{FOLDER}/KSM-Uji.md",
    "path-underscore.md": f"{FOLDER}/ksm_uji.md",
    "path-space.md": "groups/kota madiun/ksm-uji.md",
    "path-double-hyphen.md": f"{FOLDER}/ksm--uji.md",
    "path-trailing-hyphen.md": f"{FOLDER}/ksm-uji-.md",
    "path-accented-letter.md": f"{FOLDER}/ksm-uji-\u00e9.md",
    "path-zero-width-space.md": f"{FOLDER}/ksm\u200b-uji.md",
    "path-dot-in-name.md": f"{FOLDER}/ksm.uji.md",
    "path-uppercase-suffix.md": f"{FOLDER}/ksm-uji.MD",
    "path-other-suffix.md": f"{FOLDER}/ksm-uji.txt",
}


# --------------------------------------------------------------------------
# Cases git cannot hold well: made here, in the content folder.

ONE_MIB = 1024 * 1024


def _padded(size: int) -> bytes:
    """A valid group file of exactly ``size`` bytes: the story is padded with Markdown text."""
    head = VALID_GROUP.encode()
    line = b"Cerita kelompok yang panjang sekali.\n"
    body = line * ((size - len(head)) // len(line))
    return head + body + b"x" * (size - len(head) - len(body))


def _make_oversized(content: Path) -> None:
    (content / FOLDER).mkdir(parents=True, exist_ok=True)
    (content / FOLDER / "file-over-1-mib.md").write_bytes(_padded(ONE_MIB + 1))


def _link(content: Path, link: str, target: Path) -> None:
    path = content / link
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    os.symlink(target, path)


def _outside(content: Path, name: str, data: str = VALID_GROUP) -> Path:
    """A file next to (not inside) the content folder, as a link target."""
    target = content.parent / "outside" / name
    target.parent.mkdir(exist_ok=True)
    target.write_text(data)
    return target


LINK_HINT = "instead of linking to it"
GENERATED = {
    "file-over-1-mib": (_make_oversized, (E(0, "(berkas)", "1,048,577 bytes; the limit is 1 MiB", path=f"{FOLDER}/file-over-1-mib.md"),)),
    "link-file-outside": (
        lambda c: _link(c, f"{FOLDER}/ksm-a.md", _outside(c, "ksm-a.md")),
        (E(0, "(berkas)", "symbolic link points outside the content folder", LINK_HINT, path=f"{FOLDER}/ksm-a.md"),)),
    "link-to-system-file": (
        lambda c: _link(c, f"{FOLDER}/ksm-a.yaml", Path("/etc/passwd")),
        (E(0, "(berkas)", "symbolic link points outside the content folder", path=f"{FOLDER}/ksm-a.yaml"),)),
    "link-folder-outside": (
        lambda c: _link(c, FOLDER, _outside(c, "ksm-a.md").parent),
        (E(0, "(berkas)", "symbolic link points outside the content folder", path=FOLDER),)),
    "link-groups-folder-outside": (
        lambda c: _link(c, "groups", _outside(c, "ksm-a.md").parent),
        (E(0, "(berkas)", "symbolic link points outside the content folder", path="groups"),)),
    "link-rubric-outside": (
        lambda c: _link(c, "rubric.yaml", _outside(c, "rubric.yaml", (ROOT / "content/rubric.yaml").read_text())),
        (E(0, "(berkas)", "symbolic link points outside the content folder", path="rubric.yaml"),)),
    "link-dangling": (
        lambda c: _link(c, f"{FOLDER}/ksm-a.md", c / "groups" / "nowhere.md"),
        (E(0, "(berkas)", "symbolic link points to nothing", path=f"{FOLDER}/ksm-a.md"),)),
}


def case_names() -> list[str]:
    return sorted(EXPECTED) + sorted(GENERATED)


def install(case: str, root: Path) -> Path:
    """A content folder under ``root`` holding the default settings and the case alone."""
    content = write_content(root, {})
    if case in GENERATED:
        GENERATED[case][0](content)
        return content
    source = BAD / case
    if source.is_dir():
        shutil.copytree(source, content / FOLDER)
        return content
    target = content / INSTALL_AS.get(case, f"{FOLDER}/{case}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return content


def expected(case: str) -> tuple[E, ...]:
    return GENERATED[case][1] if case in GENERATED else EXPECTED[case]


def installed_path(case: str) -> str:
    return INSTALL_AS.get(case, f"{FOLDER}/{case}")


def match(problems: list[tuple[str, int, str, str, str]], wanted: tuple[E, ...], case: str) -> None:
    """Each expected problem matches exactly one reported problem, and nothing else is reported."""
    left = list(problems)
    for e in wanted:
        path = e.path or installed_path(case)
        found = [p for p in left if p[0] == path and p[1] == e.line and p[2] == e.field
                 and e.message in p[3] and e.hint in p[4]]
        assert found, f"{case}: no {path}:{e.line}: {e.field}: ...{e.message}... (hint ...{e.hint}...) in {left}"
        left.remove(found[0])
    assert not left, f"{case}: unexpected problems {left}"


# --------------------------------------------------------------------------


def test_every_bad_file_has_an_expectation_and_every_expectation_a_file():
    assert sorted(p.name for p in BAD.iterdir()) == sorted(EXPECTED)
    assert set(INSTALL_AS) <= set(EXPECTED)


@pytest.mark.parametrize("case", case_names())
def test_check_names_every_problem_precisely(tmp_path, case):
    content = install(case, tmp_path)
    problems = check(str(content), TODAY)
    match([(os.path.relpath(p.path, content), p.line, p.field, p.message, p.hint) for p in problems],
          expected(case), case)
    for p in problems:
        assert str(p).isprintable() and str(p).count("\n") == 0, repr(str(p))


def test_nothing_in_the_bad_files_ran(tmp_path):
    """The python/object/apply cases name ``touch /tmp/ksm-pwned``; loading them must not run it."""
    marker = Path("/tmp/ksm-pwned")
    if marker.exists():
        marker.unlink()
    for case in ("tag-python-apply.md", "tag-directive.yaml"):
        check(str(install(case, tmp_path / case)), TODAY)
    assert not marker.exists()


def test_a_file_of_exactly_one_mebibyte_is_accepted(tmp_path):
    content = write_content(tmp_path, {f"{FOLDER}/ksm-besar.md": _padded(ONE_MIB)})
    assert check(str(content), TODAY) == []


def test_links_that_stay_inside_the_content_folder_are_followed(tmp_path):
    content = write_content(tmp_path, {f"{FOLDER}/ksm-a.md": VALID_GROUP})
    os.symlink(content / FOLDER / "ksm-a.md", content / FOLDER / "ksm-b.md")
    os.symlink(content / FOLDER, content / "groups" / "kota-lain")
    os.symlink(content / "groups", content / FOLDER / "loop")  # a cycle is walked once
    assert check(str(content), TODAY) == []


# --------------------------------------------------------------------------
# The same cases through the command line


PROBLEM_LINE = re.compile(r"(?P<path>content/[^:]+):(?P<line>\d+): (?P<field>.+?): (?P<message>.+)")


def install_case(case: str, root: Path) -> None:
    if case.startswith("good/"):
        write_content(root, {f"{FOLDER}/{case[5:]}": (GOOD / case[5:]).read_bytes()})
    else:
        install(case, root)


def check_in_process(root: Path, monkeypatch) -> tuple[int, str, str]:
    """``build.py check --content content`` run from ``root`` through the command line's ``main``."""
    monkeypatch.chdir(root)
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(["check", "--content", "content"], stdout=stdout, stderr=stderr)
    return code, stdout.getvalue(), stderr.getvalue()


def check_command(root: Path) -> subprocess.CompletedProcess:
    """The real ``python build.py check``, in a subprocess, from ``root``."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--content", "content"],
                          cwd=root, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def problems_printed(stderr: str) -> list[tuple]:
    lines = stderr.splitlines()
    assert re.fullmatch(r"\d+ problem\(s\) in \d+ file\(s\)\.", lines[-1]), lines[-1]
    problems = []
    for line in lines[:-1]:
        if line.startswith("    hint: "):
            problems[-1] = (*problems[-1][:4], line[len("    hint: "):])
            continue
        m = PROBLEM_LINE.fullmatch(line)
        assert m, f"not 'path:line: field: message': {line!r}"
        problems.append((os.path.relpath(m["path"], "content"), int(m["line"]), m["field"], m["message"], ""))
    return problems


@pytest.mark.parametrize("case", case_names())
def test_the_command_exits_1_and_prints_path_line_field_message(tmp_path, monkeypatch, case):
    install_case(case, tmp_path)
    code, stdout, stderr = check_in_process(tmp_path, monkeypatch)
    assert code == 1 and stdout == "", stderr
    match(problems_printed(stderr), expected(case), case)


@pytest.mark.parametrize("name", sorted(p.name for p in GOOD.iterdir()))
def test_the_command_accepts_the_good_files(tmp_path, monkeypatch, name):
    install_case(f"good/{name}", tmp_path)
    assert check_in_process(tmp_path, monkeypatch) == (0, "", "No problems found.\n")


@pytest.mark.parametrize("case", ["yaml-unclosed-quote.md", "alias-bomb.yaml", "encoding-latin-1.md", "good/crlf-line-endings.md"])
def test_the_real_command_prints_the_same_and_never_a_traceback(tmp_path, monkeypatch, case):
    """A few cases as a user runs them: a YAML error, a hostile file, bytes that are not text, a good file."""
    install_case(case, tmp_path)
    result = check_command(tmp_path)
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stdout, result.stderr) == check_in_process(tmp_path, monkeypatch)


# --------------------------------------------------------------------------
# Files that look wrong but are not


@pytest.mark.parametrize("name", sorted(p.name for p in GOOD.iterdir()))
def test_bom_and_line_endings_build_the_same_site_as_the_plain_file(tmp_path, name):
    group = f"{FOLDER}/ksm-uji-coba"
    if name.endswith(".yaml"):  # the data alone, in a file of the same kind (a group page links to its file by name)
        plain = write_content(tmp_path / "plain", {f"{group}.yaml": VALID_GROUP.split("---\n")[1]})
    else:
        plain = write_content(tmp_path / "plain", {f"{group}.md": VALID_GROUP})
    odd = write_content(tmp_path / "odd", {f"{group}{Path(name).suffix}": (GOOD / name).read_bytes()})
    build(str(plain), str(tmp_path / "out-plain"), TODAY, jobs=1)
    build(str(odd), str(tmp_path / "out-odd"), TODAY, jobs=1)
    assert _tree(tmp_path / "out-plain") == _tree(tmp_path / "out-odd")


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
