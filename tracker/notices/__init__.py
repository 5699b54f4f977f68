"""Notifications besides the deadline alerts (SPEC 4): who is told what a change means for them.

``kinds`` is the registry of notification kinds with each one's default; ``choices``
holds what each person chose per kind (at once, in the daily digest, or not at all) and
is applied to every outbox row of a registered kind as it is queued
(``tracker.mail.queue.insert_new``); ``listeners`` queues the notices of the pipeline
and of new documents; ``digest`` sends the held ones once a day.
"""
