"""The fields of a content file: each checked and converted by one function, every problem collected.

A file's fields are a table (``Spec`` per key: the converter and whether
it is required); ``Checker.mapping`` walks a mapping against it, reports
unknown keys with a "did you mean" suggestion (so a typo never silently
drops data), and collects every problem of the file before anything is
built from it. A converter takes a ``Node`` and returns the value or raises
``Invalid`` with a message and a hint.

Decisions where DESIGN §3 is silent:

* An optional field left empty (``ketua:``) counts as not given.
* A text field must be text as YAML reads it: ``nama: 1945`` or
  ``kelurahan: yes`` is a problem whose hint says to quote it, rather than a
  silent conversion that the JSON Schema and editors would disagree with.
* A date may be written plain (``2018-09-30``) or quoted (``"2018-09-30"``).
* A percentage may use a decimal point or, as Indonesians write it, a
  decimal comma: ``72.5%`` and ``72,5%`` are the same value.
* Names and other one-line texts may not contain control characters or
  invisible formatting characters (zero-width spaces, direction overrides),
  which can make two different names look alike.
* Whole numbers are plain decimal digits: YAML 1.1 would read ``010`` as 8
  and ``0x10`` as 16, so those are problems, not silent conversions.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from ..domain.model import Choice, Text
from .problems import FILE_FIELD, Problem, char_label
from .yamlnodes import Node


class Invalid(Exception):
    """Raised by a converter; becomes a Problem at the value's line."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


class Checker:
    """The problems of one file, and the helpers that report them."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []

    def report(self, line: int, field: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, line, field, message, hint))

    def convert(self, node: Node, field: str, convert: Callable[[Node], Any]) -> Any:
        """``convert(node)``, or None after reporting why it failed."""
        try:
            return convert(node)
        except Invalid as exc:
            self.report(node.line, field, exc.message, exc.hint)
            return None

    def mapping(self, node: Node, field: str, spec: dict[str, "Spec"]) -> dict[str, Any] | None:
        """Check a mapping against ``spec``; return converted values of the keys given.

        Keys whose value is empty (``key:``) are left out of the result. A
        value that failed its check is left out too, after being reported.
        """
        if node.kind != "mapping":
            self.report(node.line, field or FILE_FIELD, f"must be a set of 'key: value' lines, not {describe(node)}",
                        "keys allowed here: " + ", ".join(spec))
            return None
        values: dict[str, Any] = {}
        for key, child in node.value.items():
            where = join(field, key)
            if key not in spec:
                self.report(node.key_lines[key], where, f"unknown key '{key}'", suggest(key, spec))
                continue
            if child.kind == "scalar" and child.value is None and not child.error:
                if spec[key].required:
                    self.report(child.line, where, "is empty", spec[key].hint)
                continue
            value = self.convert(child, where, spec[key].convert)
            if value is not None:
                values[key] = value
        for key, item in spec.items():
            if item.required and key not in node.value:
                self.report(node.head_line, join(field, key), "is missing", item.hint)
        return values

    def sequence(self, node: Node, field: str, item: Callable[[Node, str], Any]) -> list[Any] | None:
        """Check a list; ``item(node, field)`` converts each entry (None when reported)."""
        if node.kind != "sequence":
            self.report(node.line, field, f"must be a list, not {describe(node)}",
                        "write one '- ' line per item, or [a, b] on one line")
            return None
        return [item(child, f"{field}[{index}]") for index, child in enumerate(node.value, start=1)]


@dataclass(frozen=True)
class Spec:
    convert: Callable[[Node], Any]
    required: bool = False
    hint: str = ""


def join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def suggest(key: str, allowed) -> str:
    """'did you mean ...?' with the nearest allowed key, else the list of allowed keys."""
    allowed = list(allowed)
    close = nearest(key, allowed)
    if close:
        return f"did you mean '{close}'?"
    return "allowed: " + ", ".join(allowed)


def nearest(word: str, allowed: list[str]) -> str | None:
    """The allowed word nearest to ``word``: by spelling (difflib), or one it abbreviates."""
    close = difflib.get_close_matches(word, allowed, n=1, cutoff=0.6)
    if close:
        return close[0]
    if len(word) >= 3:
        starts = [a for a in allowed if a.startswith(word) or word in a.split("_") or word in a.split("-")]
        if len(starts) == 1:
            return starts[0]
    return None


def describe(node: Node) -> str:
    if node.kind != "scalar":
        return "a list" if node.kind == "sequence" else "a set of 'key: value' lines"
    return {
        "null": "empty", "bool": "a yes/no value", "int": "a number", "float": "a number",
        "timestamp": "a date", "str": "text",
    }[node.tag]


def surprise_hint(node: Node) -> str:
    """Why YAML read a scalar as something other than text, and how to keep it text."""
    if node.tag == "bool":
        return (f"YAML reads {node.text} as yes/no (true/false); "
                f"write \"{node.text}\" in quotes if it is text")
    if node.tag in ("int", "float") and ":" in node.text:
        return (f"YAML 1.1 reads {node.text} as a base-60 number ({node.value}); "
                f"write \"{node.text}\" in quotes if it is text")
    if node.tag in ("int", "float", "timestamp"):
        return f"write \"{node.text}\" in quotes if it is text"
    return ""


# --------------------------------------------------------------------------
# Value converters. Each takes a Node and returns a value or raises Invalid.

def _check_characters(text: str, multiline: bool) -> None:
    for char in text:
        category = unicodedata.category(char)
        if multiline and char in "\n\t":
            continue
        if category in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            raise Invalid(f"contains the invisible character {char_label(char)}",
                          "retype the text; invisible and direction-changing characters are not allowed")


def text(node: Node) -> str:
    """One line of text, trimmed, not empty."""
    return _text(node, multiline=False)


def markdown(node: Node) -> str:
    """Free text (Markdown), possibly several lines."""
    return _text(node, multiline=True)


def _text(node: Node, multiline: bool) -> str:
    if node.kind != "scalar":
        raise Invalid(f"must be text, not {describe(node)}",
                      "write the text after the key; put it in quotes if it starts with [ or { or holds ': '")
    if node.tag != "str":
        raise Invalid(f"must be text, not {describe(node)}", surprise_hint(node))
    value = node.value.strip()
    if not value:
        raise Invalid("is empty", "write the text, or remove the line")
    if not multiline and "\n" in value:
        raise Invalid("must be one line of text", "join the lines into one")
    _check_characters(value, multiline)
    return value if multiline else " ".join(value.split())


def text_list(node: Node) -> tuple[str, ...]:
    if node.kind != "sequence":
        raise Invalid(f"must be a list, not {describe(node)}", "write [a, b, c] or one '- ' line per item")
    items = []
    for index, child in enumerate(node.value, start=1):
        try:
            items.append(text(child))
        except Invalid as exc:
            raise Invalid(f"item {index}: {exc.message}", exc.hint) from None
    return tuple(items)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def date(node: Node) -> dt.date:
    if node.kind == "scalar" and node.tag == "timestamp":
        if node.error:
            raise Invalid(f"'{node.text}' is not a date in the calendar ({node.error})",
                          "write a real date as YYYY-MM-DD, e.g. 2018-09-30")
        if isinstance(node.value, dt.datetime):
            raise Invalid(f"'{node.text}' has a time; a date is needed", "write only YYYY-MM-DD, e.g. 2018-09-30")
        return node.value
    if node.kind == "scalar" and node.tag == "str" and _ISO_DATE.fullmatch(node.value.strip()):
        try:
            return dt.date.fromisoformat(node.value.strip())
        except ValueError as exc:
            raise Invalid(f"'{node.value}' is not a date in the calendar ({exc})",
                          "write a real date as YYYY-MM-DD, e.g. 2018-09-30") from None
    shown = f"'{node.text}'" if node.kind == "scalar" and node.text else describe(node)
    raise Invalid(f"{shown} is not a date", "write dates as YYYY-MM-DD, e.g. 2018-09-30")


_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)")


def integer(low: int, high: int | None = None) -> Callable[[Node], int]:
    """A whole number written in plain decimal digits.

    YAML 1.1 also reads ``010`` (octal 8), ``0x10``, ``0b11``, ``1_0`` and
    ``1:30`` (base 60) as integers; none of those is what a person writing a
    level or a member count means, so they are refused, not converted.
    """
    def convert(node: Node) -> int:
        if node.kind == "scalar" and node.tag == "int" and not _DECIMAL.fullmatch(node.text):
            plain = node.text.lstrip("+")
            if ":" in node.text:
                hint = surprise_hint(node)
            elif plain.isdigit() and plain.startswith("0"):
                hint = f"YAML reads {node.text} as {node.value} (a leading 0 means octal); write {int(plain)}"
            elif plain.isdigit():
                hint = f"write {int(plain)}"
            else:
                hint = f"YAML reads {node.text} as {node.value}; write the number in plain digits"
            raise Invalid(f"'{node.text}' is not a whole number in plain digits", hint)
        if node.kind != "scalar" or node.tag != "int":
            hint = surprise_hint(node) if node.tag in ("bool",) else ""
            if node.tag == "str" and _DECIMAL.fullmatch(node.value.strip()):
                hint = f"remove the quotes: write {node.value.strip()}, a number, not text"
            shown = f"'{node.text}'" if node.kind == "scalar" else describe(node)
            raise Invalid(f"{shown} is not a whole number", hint or _range_hint(low, high))
        if node.value < low or (high is not None and node.value > high):
            raise Invalid(f"{node.value} is out of range", _range_hint(low, high))
        return node.value
    return convert


def _range_hint(low: int, high: int | None) -> str:
    return f"write a whole number from {low} to {high}" if high is not None else f"write a whole number, at least {low}"


def number(node: Node) -> Decimal:
    """A non-negative number as written in the rubric (int or decimal)."""
    if node.kind != "scalar" or node.tag not in ("int", "float") or ":" in node.text:
        raise Invalid(f"must be a number, not {describe(node)}", "write e.g. 50 or 62.5")
    value = Decimal(str(node.value))
    if not value.is_finite() or value < 0:
        raise Invalid(f"{node.text} is not a usable number", "write a number of 0 or more")
    return value


_PERCENT = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%")


def percent(node: Node) -> Decimal:
    if node.kind == "scalar" and node.tag == "str":
        match = _PERCENT.fullmatch(node.value.strip())
        if match:
            value = Decimal(match.group(1).replace(",", "."))
            if value > 100:
                raise Invalid(f"{node.value.strip()} is over 100%", "write a percentage from 0% to 100%")
            return value
    if node.kind == "scalar" and node.tag in ("int", "float") and ":" not in node.text:
        hint = f"write it as a percentage: {node.text}%"
        if node.tag == "float" and 0 < node.value < 1:  # 0.72 is most likely a fraction: 72%
            hint = f"write it as a percentage: {(Decimal(str(node.value)) * 100).normalize():f}% if {node.text} is a fraction, else {node.text}%"
        raise Invalid(f"'{node.text}' has no percent sign", hint)
    shown = f"'{node.text}'" if node.kind == "scalar" and node.text else describe(node)
    raise Invalid(f"{shown} is not a percentage", "write a percentage from 0% to 100%, e.g. 72%")


def choice(options: tuple[Choice, ...]) -> Callable[[Node], str]:
    keys = [o.key for o in options]

    def convert(node: Node) -> str:
        if node.kind == "scalar" and node.tag == "str" and node.value.strip() in keys:
            return node.value.strip()
        if node.kind == "scalar" and node.tag == "bool":
            raise Invalid(f"'{node.text}' is read by YAML as yes/no, not one of the choices",
                          "write one of: " + ", ".join(keys))
        shown = f"'{node.text}'" if node.kind == "scalar" and node.text else describe(node)
        close = nearest(str(node.text), keys)
        hint = (f"did you mean '{close}'? " if close else "") + "allowed: " + ", ".join(keys)
        if node.kind == "scalar" and ":" in node.text and node.tag in ("int", "float"):
            hint = f"YAML 1.1 reads {node.text} as a base-60 number ({node.value}); {hint}"
        raise Invalid(f"{shown} is not an allowed value", hint)
    return convert


def bilingual(node: Node) -> Text:
    checker = Checker("")
    values = checker.mapping(node, "", {"id": Spec(text, True), "en": Spec(text, True)})
    if checker.problems:
        first = checker.problems[0]
        raise Invalid(f"{first.field}: {first.message}" if first.field else first.message,
                      "write the text in both languages: {id: ..., en: ...}")
    return Text(values["id"], values["en"])


def is_empty(node: Node) -> bool:
    """An empty document or value: nothing written after the key."""
    return node.kind == "scalar" and node.value is None and not node.error
