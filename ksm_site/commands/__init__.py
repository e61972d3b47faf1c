"""The command line (``cli``) and one module per command: ``check`` reports through ``report``; ``build``
and ``merge`` call the engine; ``new``, ``import``, ``diff`` and ``serve`` are their own modules.

Commands parse arguments, call the layers below and print; the rules they apply live in those layers.
"""
