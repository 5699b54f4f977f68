"""Alerts (SPEC 4): which are due (rules, sweep, digest, listeners) and how they are worded, the jobs
the CLI and the scheduler run, and the scheduler itself. Mails leave through ``tracker.mail``."""
