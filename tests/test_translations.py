"""Every UI string has an Indonesian translation, with the same format fields."""

from __future__ import annotations

import re

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from conftest import ROOT

CATALOGUE = ROOT / "ksm_site/locale/id/LC_MESSAGES/messages.po"


def extracted(tmp_path):
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "ksm_site/locale/babel.cfg"),
                                "-k", "_", "-k", "ngettext:1,2", "--no-location", "-o", str(pot), str(ROOT)])
    with open(pot, "rb") as f:
        return [m for m in read_po(f) if m.id]


def test_every_ui_string_is_translated(tmp_path):
    with open(CATALOGUE, "rb") as f:
        catalogue = read_po(f, locale="id")
    messages = extracted(tmp_path)
    assert len(messages) > 50
    missing = []
    for message in messages:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        translated = catalogue.get(key)
        if translated is None or not translated.string or not all(translated.string if isinstance(translated.string, tuple) else [translated.string]):
            missing.append(key)
            continue
        wanted = sorted(re.findall(r"%\(\w+\)\w", key))
        for text in (translated.string if isinstance(translated.string, tuple) else (translated.string,)):
            assert sorted(re.findall(r"%\(\w+\)\w", text)) == wanted, (key, text)
    assert missing == []
