"""The pure domain: what a KSM group is (``model``), how it is scored against the rubric (``score``, the
only place rubric arithmetic lives), how groups add up into the programme and its areas (``analyse``),
and how names become URL parts (``slugs``).

Values in, values out: nothing here reads a file, writes one, reads the clock or imports anything else
of ksm-site.
"""
