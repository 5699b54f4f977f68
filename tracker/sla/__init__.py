"""Deadlines (SPEC 3): working-day calendars, the event replay and the one state module.

* ``calendar`` and ``deadlines``: pure arithmetic on dates; "today" is always an argument.
* ``clocks``: replays a track's events into facts (stage, holder, held time, ceiling start).
* ``state``: THE place a track and its policy become status, due date, days left, share
  used, ceiling, target, reminders, held time and prediction (with ``prediction``, ``medians``).
* ``policy``: the settings and their versions; ``operations``: policy edits and closure days.
* ``calendars``: the calendars of a stored site; ``stored``: the fields kept on tracks for speed.
"""
