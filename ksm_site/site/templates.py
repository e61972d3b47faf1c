"""The Jinja2 templates: one environment per language, and what every page's look depends on.

Every environment autoescapes and uses ``StrictUndefined``. UI strings are
English message ids (``_("...")``) translated through the language's gettext
catalogue (``i18n.py``).

Three departures from a plain ``jinja2.Environment``, each making the same
bytes in less time (every page of the site goes through them; together they
take about a quarter off the templates' time, see ``bench/RESULTS.md``):

* ``Environment.getattr``: ``{{ x.name }}`` on a dict is looked up as a key
  first. Jinja2 tries the attribute first and falls back to the key after
  an exception, and the page contexts are made of dicts.
* ``CodeGenerator``: output is escaped by ``fast_escape``, which does
  MarkupSafe's C escape without wrapping each result in Python.
* ``Translated``: ``_("text")`` with nothing to fill in is replaced by its
  translation when the template compiles, so it costs nothing per page.

Compiled templates can be kept between builds in a folder (``compiled``):
compiling takes longer than rendering a group's pages in every process
that renders.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any, Callable, Iterable

import jinja2
import jinja2.compiler
from jinja2 import nodes
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, _escape_inner
from markupsafe import escape as escape_html

from . import theme
from .i18n import catalogue_digest, translations
from .theme import templates_digest

_new_str = str.__new__


def fast_escape(value: Any) -> Markup:
    """``markupsafe.escape``, with its two common cases made in C: text escaped, markup as it is.

    ``markupsafe.escape`` (Python since MarkupSafe 3) wraps each result in
    ``Markup(...)``, whose constructor is Python too, for every ``{{ ... }}``
    of every page. ``Markup`` is an immutable ``str``, so markup is returned
    as it is rather than copied; anything else goes to MarkupSafe.
    (``_escape_inner`` is MarkupSafe's C escape of a ``str``; the tests hold
    this function equal to ``markupsafe.escape``.)
    """
    kind = type(value)
    if kind is str:
        return _new_str(Markup, _escape_inner(value))
    if kind is Markup:
        return value
    return escape_html(value)


class CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja2's code generator, with a template's output escaped by ``fast_escape``: the compiled module
    imports ``escape`` at its top and looks it up when a page is rendered, so one more import at its
    end puts ``fast_escape`` in its place."""

    def visit_Template(self, node: nodes.Template, frame=None) -> None:
        super().visit_Template(node, frame)
        self.writeline(f"from {__name__} import fast_escape as escape")


class Translated(NodeTransformer):
    """``_("text")``, a message with nothing to fill in, replaced by its translation (as ``_`` makes it,
    markup) when the template compiles: Jinja2 then writes it into the compiled code as the text around
    it. ``_`` is the gettext function: no template binds that name."""

    def __init__(self, gettext: Callable[[str], Markup]):
        self.gettext = gettext

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if (isinstance(node.node, nodes.Name) and node.node.name == "_" and len(node.args) == 1
                and isinstance(node.args[0], nodes.Const) and isinstance(node.args[0].value, str)
                and not node.kwargs and node.dyn_args is None and node.dyn_kwargs is None):
            return nodes.MarkSafe(nodes.Const(str(self.gettext(node.args[0].value))), lineno=node.lineno)
        return node


DICT_ATTRIBUTES = frozenset(dir(dict))


class Environment(jinja2.Environment):
    """Jinja2's environment with the three departures of this module's docstring."""

    code_generator_class = CodeGenerator

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        # Jinja2's one hook between parsing and compiling a template
        return Translated(self.globals["_"]).visit(super()._parse(source, name, filename))

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def install_gettext(env: jinja2.Environment, catalogue) -> None:
    """``_("...")`` in templates, as Jinja2's new-style gettext with autoescaping makes it (the message
    as markup, ``%`` applied to the escaped variables, also when there are none), in one call, and
    each message without variables kept once made. (Jinja2's own ``_`` looks ``gettext`` up in the
    page's context and calls it through the context again, some fifty times a page.)"""
    done: dict[str, Markup] = {}

    def gettext(__string: str, **variables: Any) -> Markup:
        if variables:
            return Markup(catalogue.gettext(__string)) % variables
        found = done.get(__string)
        if found is None:
            found = done[__string] = Markup(catalogue.gettext(__string)) % {}
        return found

    env.globals["_"] = env.globals["gettext"] = gettext


@lru_cache(maxsize=None)
def environment(lang: str, compiled: str | None = None, digest: str = "") -> jinja2.Environment:
    """The templates in ``lang``; their compiled code kept in the folder ``compiled`` if given.

    A template is loaded once (no ``auto_reload``: asking the file system
    whether it changed costs a few percent of a build); a process that
    builds again after the templates changed (``serve``) passes their new
    ``digest`` (``templates_digest()``) and so gets a new environment.
    Jinja2's ``FileSystemBytecodeCache`` keys each template by its name and
    source; the compiled code depends also on the language and its
    catalogue (``Translated``) and on this module (``CodeGenerator``), so a
    digest of those names the files as well.
    """
    with open(__file__, "rb") as f:
        made_by = hashlib.sha256(f"{lang}\0{catalogue_digest(lang)}\0".encode() + f.read()).hexdigest()
    env = Environment(
        bytecode_cache=jinja2.FileSystemBytecodeCache(compiled, f"__jinja2_ksm_{made_by[:16]}_%s.cache")
        if compiled else None,
        loader=jinja2.FileSystemLoader(theme.TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    catalogue = translations(lang)
    env.install_gettext_translations(catalogue, newstyle=True)
    install_gettext(env, catalogue)
    return env


def load_templates(languages: Iterable[str], compiled: str | None) -> None:
    """Every template in each language, compiled (or read from ``compiled``) now: a build does it while
    its workers parse, so the workers forked after that inherit them instead of each loading them."""
    digest = templates_digest()
    for lang in languages:
        env = environment(lang, compiled, digest)
        for name in env.list_templates(filter_func=lambda name: name.endswith(".html")):
            env.get_template(name)
