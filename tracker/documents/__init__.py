"""Documents (SPEC 5): the .docx template engine, upload checks, redline comparison, and the
operations that store templates, generate agreements and receive redlines."""
