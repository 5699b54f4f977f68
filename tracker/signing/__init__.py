"""Online signing of the agreed version (SPEC 5c): fixed versions, signatories, one-time links and codes,
the evidence of each signature, the executed agreement with its certificate, and its verification."""
