"""The stage table and what an action does to a contract's tracks: pure, below the clocks (sla) and the pipeline.

``rules`` holds the stages, actions, parties and their labels; ``transition`` computes where
an action takes the tracks. Neither touches the database: ``tracker.sla`` reads the table to
run its clocks, and ``tracker.pipeline`` applies actions by writing what ``transition`` decides.
"""
