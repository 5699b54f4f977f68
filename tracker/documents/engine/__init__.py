"""The .docx engine: reading, checking, filling and comparing Word packages, and the sandbox of template expressions.

It knows Word's XML and Jinja templates and nothing of contracts, people or the database;
the feature layer (tracker.documents) gives it bytes and values and stores what it returns.
"""
