"""The same bytes as ``site.make.make_site``, fast: what a build keeps and how it spreads its work.

``build`` runs the registry's stages in rounds over a process pool (``pool``, ``tasks``), keeps every
result in a cache (``cache``, ``bundles``, ``tables``) under keys made of what made it (``keys``,
``sources``, ``site.inputs.key_of``), runs Pagefind beside the pages (``search_runs``), splits a build
over machines (``shards``), and hands every file to the writer (``write``, ``place``), the only code that
touches the output folder. ``tuning`` holds its knobs.

To change what a page shows, change ``site/``; the tests hold the engine's output equal to
``make_site``'s, so the engine needs no change for it.
"""
