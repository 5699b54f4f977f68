"""E-mail, in one place: ``queue`` writes the outbox (every mail is queued there, and a spent link's mail
forgotten there), ``render`` turns a template into subject, text and HTML in the reader's language,
``outbox`` claims due rows and records each outcome (or an admin's retry), ``smtp`` delivers them."""
