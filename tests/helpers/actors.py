"""Who acts when a test drives the domain directly, without a signed-in user."""
from tracker.audit import Actor

# An administrator with no account: the actor of histories and alert scenarios.
ADMIN = Actor(user_id=None, email="admin@tracker.test", role="admin")
# The contracts desk, an administrator with no account: it prepares what the signing and portal tests look at.
STAFF = Actor(user_id=None, email="desk@tracker.test", role="admin")
