"""An executed contract to amend, signed at both sites by the pipeline's one operation."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers.amendments import execute


@pytest.fixture
def signed(app, make_sponsor, make_contract, now):
    """(sponsor id, reference) of an executed GR+IB contract, signed five days ago."""
    sponsor_id = make_sponsor()
    reference = make_contract(sponsor_id, eu_ct_number="2024-512345-21-00", acronym="CLAUDIA",
                              received_on=(now - timedelta(days=40)).date())
    execute(app, reference, now - timedelta(days=5))
    return sponsor_id, reference
