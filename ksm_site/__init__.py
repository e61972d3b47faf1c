"""ksm-site: scores KOTAKU community self-help groups (KSM) and publishes a static site.

The package is five layers; each imports only the ones above it in this list:

* ``domain``: what a group is and how it is scored and summarised. Pure.
* ``content``: find, read and check what people wrote -> ``domain`` values, or every problem.
* ``site``: what readers get, as a pure function of the content (``site.make.make_site``), and the
  registry of every kind of page (``site.registry``).
* ``engine``: the same bytes, fast: a cache, a pool of workers, shards, and the writer.
* ``commands``: the command line and each command.
"""

__version__ = "0.1.0"
