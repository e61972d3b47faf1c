"""One module per kind of page: a function from a page's declared inputs to its template's context.

Each function takes the language's ``PageMaker`` and the values the page's
registry entry declares (``registry.py``), and returns the rendered page.
Everything a template shows arrives formatted here: scores, dates, stage
names, sentences of advice, chart SVG.
"""
