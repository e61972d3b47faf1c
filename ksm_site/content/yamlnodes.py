"""YAML text -> a tree of ``Node`` values that remember their lines.

YAML is parsed by libyaml (``CSafeLoader``) into events, and the events are
composed here into a small tree of ``Node`` values that remember their line.
Composing ourselves, rather than letting PyYAML construct Python objects,
is what lets us

* give every value its line number, so every problem names its line;
* refuse duplicate keys (PyYAML silently keeps the last one);
* refuse anchors, aliases and explicit tags outright: an alias bomb never
  expands, ``!!python/...`` never constructs anything;
* stop reading a file as soon as it is nested deeper or holds more values
  than any group file needs, so no file of at most 1 MiB costs more than a
  few milliseconds to refuse;
* keep an impossible date such as ``2024-02-30`` as a value that validation
  reports with its field name, instead of an exception without a file name.

Plain scalars are resolved with PyYAML's own YAML 1.1 resolver, so ``yes`` is
still a boolean and ``12:30`` still a number here; validation turns those
surprises into messages with a hint.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from .problems import Problem

MAX_DEPTH = 12
"""Deepest nesting accepted; a valid group file needs five levels."""
MAX_NODES = 10_000
"""Most values (keys, scalars, lists, mappings) one file may hold. The
largest sample group file holds under 300; 10,000 is some forty years of
monthly assessments. Reading stops at the limit, so a 1 MiB file of tiny
values is refused in milliseconds instead of being composed and checked."""

_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()
_SHORT_TAGS = {
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:timestamp": "timestamp",
}
_CONSTRUCTORS = {
    "null": lambda node: None,
    "bool": _constructor.construct_yaml_bool,
    "int": _constructor.construct_yaml_int,
    "float": _constructor.construct_yaml_float,
    "timestamp": _constructor.construct_yaml_timestamp,
}


@dataclass(slots=True)
class Node:
    """A YAML value with its line.

    ``kind`` is ``scalar``, ``mapping`` or ``sequence``. A scalar's ``value``
    is the Python value (``str``, ``int``, ``float``, ``bool``, ``None``,
    ``date``/``datetime``), its ``tag`` the short name of its YAML type
    (``str``, ``int``, ...) and ``text`` what was written. A mapping's
    ``value`` is a ``dict`` of key text to ``Node`` and ``key_lines`` the line
    of each key; a sequence's ``value`` is a ``list`` of ``Node``. ``error`` is
    set when a scalar could not be constructed (an impossible date).

    Not ``frozen``: a frozen dataclass sets each field through
    ``object.__setattr__``, a cost the hundred-odd values of every group file
    would pay. Nothing changes a ``Node`` once ``_compose`` has made it
    (``dataclasses.replace`` makes another).
    """

    kind: str
    value: Any
    line: int
    tag: str = ""
    text: str = ""
    key_lines: dict | None = None
    error: str = ""
    key_line: int = 0
    """For a mapping or list that is the value of a key: the key's line."""

    @property
    def head_line(self) -> int:
        """Where a person looks for this value: its key's line if it has one."""
        return self.key_line or self.line



def parse_yaml(text: str, path: str, first_line: int, problems: list[Problem]) -> Node | None:
    """Compose ``text`` into a ``Node`` tree; on any problem report it and return None.

    ``first_line`` is the file line that the text's first line stands on. An
    empty document is a null scalar, so that None always means "reported".
    Events are composed as libyaml produces them, so the problems found
    before a syntax error are reported with it, and reading stops at the
    first value past ``MAX_DEPTH`` or ``MAX_NODES``.
    """
    offset = first_line
    found: list[Problem] = []
    try:
        root = _compose(yaml.parse(text, Loader=yaml.CSafeLoader), path, offset, found)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context in _UNCLOSED and exc.context_mark is not None:
            mark = exc.context_mark  # where the quote or bracket was opened, not where the file ended
        line = mark.line + offset if mark else offset
        lines = text.split("\n")
        bad_line = lines[mark.line] if mark and mark.line < len(lines) else ""
        column = mark.column if mark else 0
        found.append(Problem(path, line, "(yaml)", _yaml_message(exc, bad_line, column),
                             _yaml_hint(exc, bad_line, column)))
    except yaml.YAMLError as exc:
        found.append(Problem(path, offset, "(yaml)", str(exc).splitlines()[0], ""))
    problems.extend(found)
    if found:
        return None
    return root if root is not None else Node("scalar", None, offset, "null")


class _Frame:
    __slots__ = ("kind", "items", "line", "key", "key_line", "key_lines", "field")

    def __init__(self, kind: str, line: int, field: str):
        self.kind = kind
        self.line = line
        self.field = field
        """Where this collection is, named as validation names fields: ``penilaian[1].indikator``."""
        self.items: Any = {} if kind == "mapping" else []
        self.key: str | None = None
        self.key_line = 0
        self.key_lines: dict[str, int] = {}


_DISCARD = object()

_SCALAR, _ALIAS, _END, _DOCUMENT = "scalar", "alias", "end", "document"
_EVENTS = {
    yaml.ScalarEvent: _SCALAR, yaml.AliasEvent: _ALIAS, yaml.MappingStartEvent: "mapping",
    yaml.SequenceStartEvent: "sequence", yaml.MappingEndEvent: _END, yaml.SequenceEndEvent: _END,
    yaml.DocumentStartEvent: _DOCUMENT,
}
"""The parser's events that ``_compose`` acts on, by their exact type: one dict lookup per event instead
of a chain of ``isinstance`` calls. The kind of a collection that starts is its ``_Frame``'s kind."""


def _compose(events, path: str, offset: int, problems: list[Problem]) -> Node | None:
    """Build the ``Node`` tree from parser events; stop early at a limit (with a problem)."""
    root: Node | None = None
    stack: list[_Frame] = []
    documents = 0
    nodes = 0
    aliases: set[str] = set()
    refused = Node("scalar", None, 0, "null", "")
    """What an alias stands for where a key goes (it is refused, and so is the value after it)."""

    def attach(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        frame = stack[-1]
        if frame.kind == "sequence":
            frame.items.append(node)
        elif frame.key is None:
            if node is refused:  # an alias where a key goes: refused already, it names no key
                frame.key = _DISCARD
                return
            if node.kind != "scalar":
                problems.append(Problem(path, node.line, "(yaml)", "a key must be plain text",
                                        "write 'key: value' pairs"))
                frame.key = _DISCARD
                return
            key = node.text
            if key in frame.items:
                problems.append(Problem(path, node.line, _child_field(frame, key), "duplicate key",
                                        f"'{key}' is already set on line {frame.key_lines[key]}; keep one"))
                frame.key = _DISCARD
                return
            frame.key, frame.key_line = key, node.line
        else:
            if frame.key is not _DISCARD:
                if node.kind != "scalar":
                    node = dataclasses.replace(node, key_line=frame.key_line)
                frame.items[frame.key] = node
                frame.key_lines[frame.key] = frame.key_line
            frame.key = None

    for event in events:
        kind = _EVENTS.get(type(event))
        if kind is None:  # the stream's and the document's end
            continue
        line = event.start_mark.line + offset
        if kind is not _DOCUMENT and kind is not _END:
            nodes += 1
            if nodes > MAX_NODES:
                problems.append(Problem(path, line, "(yaml)", f"the file holds more than {MAX_NODES:,} values",
                                        "a group file holds a few hundred; remove pasted or repeated data"))
                return None
            if kind is _ALIAS:
                if event.anchor not in aliases:  # one problem per name: an alias bomb repeats a few names
                    aliases.add(event.anchor)
                    problems.append(Problem(path, line, "(yaml)", f"alias '*{event.anchor}' is not allowed",
                                            "write the value out in full instead of referring to an anchor"))
                attach(refused if stack and stack[-1].kind == "mapping" and stack[-1].key is None
                       else Node("scalar", None, line, "null", ""))
                continue
            if event.anchor is not None:
                problems.append(Problem(path, line, "(yaml)", f"anchor '&{event.anchor}' is not allowed",
                                        "remove '&" + event.anchor + "' and write every value out in full"))
            if event.tag is not None:
                problems.append(Problem(path, line, "(yaml)", f"explicit tag '{event.tag}' is not allowed",
                                        "remove the tag (the word starting with '!'); quote the value if it is text"))
        if kind is _SCALAR:
            attach(_scalar(event, line))
        elif kind is _END:
            frame = stack.pop()
            attach(Node(frame.kind, frame.items, frame.line,
                        key_lines=frame.key_lines if frame.kind == "mapping" else None))
        elif kind is _DOCUMENT:
            documents += 1
            if documents > 1:
                problems.append(Problem(path, line, "(yaml)", "a second YAML document ('---') in one file",
                                        "one group per file; remove the extra '---' line"))
        else:  # a mapping or a list starts
            if len(stack) >= MAX_DEPTH:
                problems.append(Problem(path, line, "(yaml)", f"nested deeper than {MAX_DEPTH} levels",
                                        "a group file needs at most five levels; check the indentation"))
                return None
            parent = stack[-1] if stack else None
            field = "" if parent is None else _child_field(parent, parent.key)
            stack.append(_Frame(kind, line, field))
    return root


def _child_field(frame: _Frame, key) -> str:
    """The field name of the next value in ``frame``: ``mitra[2]`` in a list, ``wilayah.kota`` in a mapping."""
    if frame.kind == "sequence":
        return f"{frame.field}[{len(frame.items) + 1}]"
    if not isinstance(key, str):  # a key being read, or one already refused
        return frame.field or "(yaml)"
    return f"{frame.field}.{key}" if frame.field else key


def _scalar(event: yaml.ScalarEvent, line: int) -> Node:
    text = event.value
    if not event.implicit[0]:
        return Node("scalar", text, line, "str", text)
    tag, value, error = _resolve(text)
    return Node("scalar", value, line, tag, text, error=error)


@lru_cache(maxsize=8192)
def _resolve(text: str) -> tuple[str, Any, str]:
    """(short tag, value, error) of a plain scalar: the same few hundred texts (levels, dates,
    percentages, names) recur in every file, and resolving one runs a dozen regular expressions.
    Every value kept is immutable (str, int, float, bool, None, date, datetime)."""
    tag = _SHORT_TAGS.get(_resolver.resolve(yaml.ScalarNode, text, (True, False)), "str")
    if tag == "str":
        return tag, text, ""
    try:
        return tag, _CONSTRUCTORS[tag](yaml.ScalarNode("", text)), ""
    except (ValueError, OverflowError) as exc:
        return tag, None, str(exc)


def _yaml_message(exc: yaml.MarkedYAMLError, bad_line: str, column: int) -> str:
    problem = exc.problem or ""
    if problem == "found character that cannot start any token" and column < len(bad_line):
        # libyaml leaves the character out; PyYAML's pure-Python scanner names it.
        problem = f"found character {bad_line[column]!r} that cannot start any token"
    parts = [p for p in (exc.context, problem) if p]
    return "YAML syntax error: " + ", ".join(parts)


_YAML_HINTS = (
    ("mapping values are not allowed", "a value contains ': '; put the whole value in quotes, e.g. nama: \"KSM Maju: Bersama\""),
    ("could not find expected ':'", "every data line is 'key: value'; look for a missing ':' or an unclosed quote on this line or the one above"),
    ("did not find expected key", "check the indentation: keys of one mapping start in the same column"),
    ("did not find expected '-'", "check the indentation of the list items"),
    ("found unexpected end of stream", "a quote or bracket is opened and never closed"),
    ("exceeded maximum nesting depth", "a group file needs at most five levels; look for brackets opened and never closed"),
)


_UNCLOSED = {
    "while scanning a quoted scalar": "the quote opened here is never closed",
    "while parsing a flow sequence": "the '[' opened here is never closed, or a ',' is missing between its items",
    "while parsing a flow mapping": "the '{' opened here is never closed, or a ',' is missing between its items",
}
"""libyaml contexts of a quote or bracket left open; the problem is reported where it was opened."""


def _yaml_hint(exc: yaml.MarkedYAMLError, bad_line: str, column: int) -> str:
    problem = exc.problem or ""
    if exc.context in _UNCLOSED and exc.context_mark is not None:
        return _UNCLOSED[exc.context]
    if "\t" in bad_line[: len(bad_line) - len(bad_line.lstrip())] or "'\\t'" in problem or "tab" in problem:
        return "indent with spaces, never with tabs"
    if "cannot start any token" in problem and column < len(bad_line):
        value = bad_line[column:].strip()
        quote = "'" if '"' in value else '"'
        return (f"a value starting with {bad_line[column]} must be in quotes: "
                f"{bad_line[:column].strip()} {quote}{value}{quote}".replace("  ", " "))
    for needle, hint in _YAML_HINTS:
        if needle in problem:
            return hint
    return "check the indentation and the quotes on this line and the one above"
