"""The attention list (``perlu-perhatian/``): the active groups with a warning, as a worklist.

What a coordinator reads there (DESIGN §5):

* one row per active group with any warning, most urgent first (its worst
  warning in the rubric's order, then how many it has, then the lower
  score: ``domain.analyse.urgency``), each saying what to do first (the
  ``langkah`` of its worst warning), then its warnings, stage, score, area
  and the assessor of its latest assessment (``penilai``; not when
  ``site.yaml`` hides people's names, ``nama_orang: sembunyikan``);
* filters by name or place, by area and by assessor, kept in the address
  (``?q=&wilayah=&penilai=``) by the script of the group tables. The area
  filter offers every kota, kecamatan and kelurahan of the listed groups
  (values from ``urls.area_filter``: a kota's keeps the groups of all its
  kecamatan), so an area page links to its own rows (``urls.attention_of``);
* each warning, what it means, what to do, and how many groups carry it.

The table is complete HTML; without the script it is read as it is.

**Within the budget at any size.** No page may pass ``PAGE_BUDGET`` bytes
(DESIGN §5). The page declares the ``Limits.attention_rows`` most urgent groups
(``registry.warnings_instances``) and lists as many of them as the budget
holds, most urgent first (``within_budget``); when that is not all of them
it says how many more there are, with a link to each kota's page, whose
group table shows every group's warnings. An address whose area has none of
its groups listed then shows no row (with the option ``unlisted`` names)
rather than every row. The list is not split into numbered pages: the
groups it leaves out are the least urgent, and their areas' pages hold them.

**Rows made here.** The rows are made from the groups' summaries as the
page is rendered, not placed from rows made once with each group as the
other group tables are (``rows.py``): a page of at most ``Limits.attention_rows``
rows costs a few hundred macro calls per language, and needs nothing of a
group that its summary does not hold.
"""

from __future__ import annotations

from typing import Callable, Sequence

from ..inputs import AttentionRow, WarningsInputs
from ..limits import PAGE_BUDGET
from ..maker import Page, PageMaker
from ..urls import INDEX, WARNINGS, area_filter, area_path, group_path, relative



def attention_page(m: PageMaker, inputs: WarningsInputs) -> Page:
    """The worklist, as many of its most urgent rows as ``PAGE_BUDGET`` holds, and what each warning means."""
    _ = m.lang._
    number = m.lang.number
    rank = {rule.key: n for n, rule in enumerate(m.rubric.warnings)}
    rows = [attention_row(m, item, rank, n) for n, item in enumerate(inputs.rows)]
    counts = dict(inputs.counts)
    meanings = [{"key": r.key, "name": m.lang.text(r.name), "meaning": m.lang.text(r.meaning),
                 "advice": m.lang.text(r.advice), "count": _("%(num)s groups") % {"num": number(counts[r.key])}}
                for r in m.rubric.warnings]

    def made(listed: int) -> tuple[str, str]:
        rest = inputs.warned - listed
        path, pieces = m.page(
            WARNINGS, "warnings.html", _("Needs attention"),
            _("Active KSM groups with an early warning, most urgent first, and what to do about each."),
            [(_("Home"), INDEX), (_("Needs attention"), "")], inputs.as_of,
            warned=number(inputs.warned), rows=rows[:listed], meanings=meanings, named=not m.site.hide_names,
            filters=filters(m, inputs.rows[:listed], unlisted=rest > 0),
            rest=_("The %(shown)s most urgent of %(total)s groups are listed here. The other %(rest)s are on "
                   "the pages of their areas, whose tables show every group's warnings:")
            % {"shown": number(listed), "total": number(inputs.warned), "rest": number(rest)} if rest > 0 else "",
            kota=[{"name": name, "href": relative(WARNINGS, area_path(slugs)), "warned": number(warned)}
                  for name, slugs, warned in inputs.kota if warned] if rest > 0 else [])
        return path, "".join(pieces)

    path, html = within_budget(made, len(rows), PAGE_BUDGET)
    return path, iter((html,))


def attention_row(m: PageMaker, item: AttentionRow, rank: dict[str, int], position: int) -> dict:
    """What one row shows; ``position`` is its place in the order of urgency."""
    g = item.group
    w = g.wilayah
    worst = m.warning_rule(min(g.warnings, key=rank.__getitem__))
    return {
        "name": g.nama,
        "href": relative(WARNINGS, group_path(g.id)),
        "first_step": m.lang.text(worst.first_step),
        "urgency": position,
        "warnings": [m.lang.text(m.warning_rule(k).name) for k in g.warnings],
        "status_class": m.status_class[g.status],
        "status_name": m.status_name(g.status),
        "status_rank": m.rubric.status_keys.index(g.status),
        "score": m.lang.score(g.latest_tenths) if g.latest_tenths is not None else "–",
        "score_sort": g.latest_tenths if g.latest_tenths is not None else -1,
        "area": f"{w.kelurahan}, {w.kecamatan}",
        "area_value": area_filter(item.slugs),
        "assessor": g.assessor,
        "assessor_shown": g.assessor or "–",
    }


def filters(m: PageMaker, items: Sequence[AttentionRow], unlisted: bool) -> dict:
    """The choices of the list's filters, from the rows listed: every area at each level (in the order of
    the tree, each named with the areas above it) and every assessor. ``unlisted``: the list leaves groups
    out, so an area in the address may have none listed."""
    _ = m.lang._
    areas: dict[tuple[str, ...], tuple[str, ...]] = {}
    for item in items:
        w = item.group.wilayah
        names = (w.kota, w.kecamatan, w.kelurahan)
        for depth in range(1, len(item.slugs) + 1):
            areas[item.slugs[:depth]] = names[:depth]
    ordered = sorted(areas.items(), key=lambda a: ([n.casefold() for n in a[1]], a[0]))
    named = not m.site.hide_names
    assessors = sorted({item.group.assessor for item in items if named and item.group.assessor},
                       key=lambda a: (a.casefold(), a))
    return {
        "areas": [{"value": area_filter(slugs), "label": " › ".join(names)} for slugs, names in ordered],
        "assessors": [{"value": a, "label": a} for a in assessors],
        "unlisted": _("An area with none of its groups listed here") if unlisted else "",
        "count_template": _("Showing {shown} of {total} groups"),
    }


def within_budget(made: Callable[[int], tuple[str, str]], count: int, budget: int) -> tuple[str, str]:
    """The page ``made(n)`` (a path and its text) with the most rows ``n``, up to ``count``, whose text is at
    most ``budget`` bytes of UTF-8; with no row if even that one is over.

    A page grows with its rows, nearly in proportion, so the search guesses where the budget falls
    between the largest page known to fit and the smallest known not to (interpolation), and halves
    the range when a guess did not: about five pages made for a list of hundreds of rows, where halving
    alone made ten, for the same answer (``tests/test_attention.py``)."""
    def size(page: tuple[str, str]) -> int:
        return len(page[1].encode())

    page = made(count)
    if count == 0 or size(page) <= budget:
        return page
    fits, over = made(0), page  # the pages of ``low`` rows (it fits, unless none does) and ``high`` rows
    if size(fits) > budget:
        return fits
    low, high = 0, count
    interpolate = True
    while high - low > 1:
        if interpolate:
            share = (budget - size(fits)) / max(size(over) - size(fits), 1)
            guess = min(max(low + int(share * (high - low)), low + 1), high - 1)
        else:
            guess = (low + high) // 2
        width = high - low
        candidate = made(guess)
        if size(candidate) <= budget:
            low, fits = guess, candidate
        else:
            high, over = guess, candidate
        interpolate = (high - low) * 2 <= width  # halve when a guess did not halve the range
    return fits
