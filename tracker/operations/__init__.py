"""Operations: the one place where sponsors, users, tokens and contracts change.

Each operation validates, writes, audits and flushes; the caller commits.
"""
