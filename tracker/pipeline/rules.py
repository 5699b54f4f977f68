"""The stage table's former address, kept for the callers not yet moved to ``tracker.stages.rules``
(tracker/alerts and tracker/api, which are being reworked at the same time; remove it once they are).

The same module object as ``tracker.stages.rules`` (not a copy), so both names see one table.
Import ``tracker.stages.rules`` in new code.
"""
import sys

from tracker.stages import rules as _rules

sys.modules[__name__] = _rules
