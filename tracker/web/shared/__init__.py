"""What pages of every room share: forms, running an operation, paging, downloads (CSV, .xlsx),
comparison pages, error pages, and the checks every request and response pass."""
