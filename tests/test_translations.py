"""Every UI string has an Indonesian translation, with the same format fields."""

from __future__ import annotations

import re

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from ksm_site.site import templates

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


def test_messages_without_fields_are_translated_once_when_a_template_compiles(tmp_path):
    """``_("Download")`` becomes text in the compiled code; a message with fields is translated as the
    page is made. The compiled code of each language is kept apart: read back from the folder, Indonesian
    code never renders an English page, nor the other way round."""
    for round in ("compiled now", "read back"):
        for lang, word, other in (("id", "Unduh", "Download"), ("en", "Download", "Unduh")):
            env = templates.environment(lang, str(tmp_path), round)
            html = env.get_template("macros.html").module.download_list([])
            assert word in html and other not in html, (round, lang)
    assert len(list(tmp_path.iterdir())) == 2
    code = templates.environment("id").compile('{{ _("Download") }}|{{ _("Data as of %(date)s.", date=d) }}', raw=True)
    assert "Unduh" in code and "Download" not in code
    assert code.count("context.call") == 1
    assert templates.environment("id").from_string('{{ _("Data as of %(date)s.", date=d) }}').render(d="<1 Mei>") == \
        "Data per &lt;1 Mei&gt;."
