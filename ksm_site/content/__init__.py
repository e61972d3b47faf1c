"""What people wrote: the content folder's files found, read, parsed and checked into ``domain`` values,
with every problem named by file, line and field (``read`` puts it together).

The only code that reads the content folder, and the only code that writes a group file (for ``new``
and ``import``). It knows nothing of pages, the cache or the output folder.
"""
