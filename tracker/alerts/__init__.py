"""Alerts (SPEC 4): which are due (rules, sweep, digest, listeners), the outbox and its
SMTP sender, the jobs the CLI and the scheduler run, and the scheduler itself."""
