"""SQL aggregates for the work queue, the dashboard, /api/v1/metrics, their CSV and the calendar feed."""
