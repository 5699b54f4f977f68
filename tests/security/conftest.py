"""Fixtures for attacking the app as outsiders would: signed-in browsers over real HTTP, real documents."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY
from tests.helpers.web import Browser


@pytest.fixture
def browser(server):
    def make(email: str | None = None, language: str = "en") -> Browser:
        made = Browser(server, language)
        return made.sign_in(email) if email else made
    return make


@pytest.fixture
def contract(builtin_templates, make_sponsor, make_contract):
    """A GR-IB contract of Novacure received three days ago, the standard templates stored."""
    sponsor_id = make_sponsor("Novacure Oncology SA", **SPONSOR_IDENTITY)
    return make_contract(sponsor_id, received_on=date.today() - timedelta(days=3), **CONTRACT_DETAILS)
