"""Webhooks (SPEC 4, 5b): signed JSON POSTs to the systems of sponsors and sites when contracts move.

``operations`` registers and removes receivers and queues deliveries in the caller's
transaction; ``listeners`` decides which changes are events; ``delivery`` sends them
(from ``outbox send``, at any hour) with retries; ``payloads`` says what each event holds.
"""
