"""What readers get: every file of the site, as a pure function of the content.

Start at ``make.make_site``: one function that names every step, from the content to ``{path: bytes}``.
``registry`` declares every kind of page and file (its inputs, where its instances come from, how it
renders); ``pages/`` turns a page's inputs into its template's context; ``maker`` holds what every page of
a language shares; ``rows``, ``figures`` and ``charts/``, ``data``, ``search``, ``schema``, ``urls``,
``markdown``, ``i18n`` and ``templates`` make their parts.

Nothing here keeps a cache, starts a process or writes a file (but Pagefind's temporary folders, in
``search``); that is the engine's. Templates lay out; every value arrives here computed.
"""
