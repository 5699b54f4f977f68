"""Documents domain layer: fill .docx templates, vet uploads, compare redlines (no Flask, no database)."""
