from tests.alerts.conftest import smtp  # noqa: F401  (a real SMTP server on loopback)
from tests.portal.conftest import world  # noqa: F401  (two sponsors' contracts, a draft sent to Novacure)
