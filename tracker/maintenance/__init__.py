"""Keeping an installation safe: consistent backups of a live database and restoring them."""
