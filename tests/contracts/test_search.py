"""The contract search: any part of a reference, protocol number, title, acronym or sponsor, in any case."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tracker import audit
from tracker.contracts.editing import update_contract
from tracker.contracts.search import contract_search
from tracker.extensions import db
from tracker.models import Contract, User


def _found(email: str, q: str) -> set[str]:
    user = db.session.execute(db.select(User).where(User.email == email)).scalar_one()
    return set(db.session.execute(contract_search(user, q).with_only_columns(Contract.reference)).scalars())


@pytest.fixture
def catalogue(ctx, make_sponsor, make_contract, make_user):
    novacure = make_sponsor("Novacure Oncology SA")
    eclair = make_sponsor("ÉCLAIR Thérapeutique", "FR")
    refs = {
        "etude": make_contract(novacure, title="ÉTUDE de phase I chez l'adulte", protocol_number="NVC-100",
                               acronym="ÉTOILE"),
        "percent": make_contract(novacure, title="Dose 100% escalation", protocol_number="NVC_200"),
        "eclair": make_contract(eclair, title="A basket trial", protocol_number="ECL-1"),
    }
    return refs, make_user("legal", "GR")


@pytest.mark.parametrize("q, expected", [
    ("étude", {"etude"}), ("ÉTUDE", {"etude"}), ("etoile", set()), ("étoile", {"etude"}),
    ("nvc-1", {"etude"}), ("100%", {"percent"}), ("nvc_", {"percent"}), ("%", {"percent"}), ("_", {"percent"}),
    ("éclair", {"eclair"}), ("thérapeutique", {"eclair"}), ("novacure", {"etude", "percent"}),
    ("basket", {"eclair"}), ("no such thing", set()),
])
def test_search_matches_any_part_in_any_case(catalogue, q, expected):
    refs, email = catalogue
    assert _found(email, q) == {refs[name] for name in expected}


def test_a_reference_is_found_by_any_part_of_it(catalogue):
    refs, email = catalogue
    assert _found(email, refs["eclair"].lower()) == {refs["eclair"]}
    assert _found(email, refs["eclair"][-4:]) >= {refs["eclair"]}


def test_an_edited_title_is_searched_at_once(catalogue, make_user):
    refs, email = catalogue
    admin = db.session.execute(db.select(User).where(User.email == make_user("admin", None))).scalar_one()
    contract = db.session.execute(db.select(Contract).where(Contract.reference == refs["eclair"])).scalar_one()
    update_contract(contract, {"title": "Umbrella trial in sarcoma"}, actor=audit.Actor.of(admin),
                    now=datetime.now(timezone.utc))
    db.session.commit()
    assert _found(email, "sarcoma") == {refs["eclair"]}
    assert _found(email, "basket") == set()


def test_the_search_never_shows_what_the_person_may_not_see(ctx, make_sponsor, make_contract, make_user):
    sponsor = make_sponsor()
    theirs = make_contract(sponsor, coordinating="IB", sites=("IB",), title="Hidden trial")
    ours = make_contract(sponsor, sites=("GR",), title="Hidden trial too")
    gr, ib = make_user("legal", "GR"), make_user("legal", "IB")
    assert _found(gr, "hidden") == {ours}
    assert _found(ib, "hidden") == {theirs}
