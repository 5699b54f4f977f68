"""The contract page as staff use it: what it shows, the action forms, refusals, and the audit CSV."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.helpers.web import EN, Forms
from tracker import audit
from tracker.extensions import db
from tracker.models import AuditEntry, Contract, Event
from tracker.pipeline.operations import apply_action

def _page(client, reference):
    response = client.get(f"/contracts/{reference}", headers=EN)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _action_forms(html: str) -> dict[tuple[int, str], dict]:
    """The track action forms on a page, keyed by (track id, action)."""
    found = {}
    for form in Forms(html).forms:
        match = re.search(r"/tracks/(\d+)/actions$", form["action"])
        if match:
            found[(int(match.group(1)), form["fields"]["action"])] = form
    return found


def _elsewhere_form(html: str, track_id: int) -> dict:
    """The secondary form that records a signature made outside the tracker, for one track."""
    return next(form for form in Forms(html).forms if form["action"].endswith(f"/tracks/{track_id}/signing/elsewhere"))


def _section(html: str, site: str) -> str:
    start = html.index(f'id="track-{site}"')
    return html[start:html.index("</section>", start)]


def _flashes(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', html, re.S)]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def _tracks(app, reference):
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        return {t.site.code: {"id": t.id, "stage": t.stage, "round": t.round, "version": t.version,
                              "signatures": t.signatures} for t in contract.tracks}


def _act(app, reference, site, action, **kw):
    """Another person acts meanwhile, through the same operation."""
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        track = next(t for t in contract.tracks if t.site.code == site)
        apply_action(track, action, actor=audit.SYSTEM, now=datetime.now(timezone.utc), **kw)
        db.session.commit()


def _counts(app):
    with app.app_context():
        return (db.session.execute(db.select(db.func.count(Event.id))).scalar(),
                db.session.execute(db.select(db.func.count(AuditEntry.id))).scalar())


@pytest.fixture
def contract(make_sponsor, make_contract):
    return make_contract(make_sponsor())


@pytest.fixture
def legal_gr(make_user, login):
    return login(make_user("legal", "GR", language="en"))


def test_the_page_shows_each_track_and_only_the_actions_allowed_now(app, contract, legal_gr):
    tracks = _tracks(app, contract)
    html = _page(legal_gr, contract)
    gr, ib = _text(_section(html, "GR")), _text(_section(html, "IB"))
    assert "Completeness check" in gr and "the site" in gr
    assert "Waiting for the coordinator" in ib and "the coordinating site" in ib
    assert re.search(r"Negotiation rounds:? 0", gr)
    assert "sig missing" not in _section(html, "GR")  # no signature checklist before the signature stage
    forms = _action_forms(html)
    assert sorted(forms) == [(tracks["GR"]["id"], "mark_complete"), (tracks["GR"]["id"], "mark_incomplete")]
    form = forms[(tracks["GR"]["id"], "mark_complete")]
    assert form["fields"][f"t{tracks['GR']['id']}-mark_complete-version"] == str(tracks["GR"]["version"])

    _act(app, contract, "GR", "mark_complete")
    _act(app, contract, "GR", "send_to_sponsor")
    _act(app, contract, "GR", "sponsor_replied")
    _act(app, contract, "GR", "agree")
    _act(app, contract, "GR", "sign", party="institution")
    html = _page(legal_gr, contract)
    gr, ib = _section(html, "GR"), _section(html, "IB")
    assert "Signature" in _text(gr) and re.search(r"Negotiation rounds:? 1", _text(gr))
    assert gr.count("sig done") == 1 and gr.count("sig missing") == 2
    assert "Conformity check" in _text(ib)
    forms = _action_forms(html)
    # A GR legal may reopen GR's track; IB's conformity belongs to IB staff; cancelling to managers. Signatures
    # go online, or through the secondary form for one made elsewhere.
    assert sorted(forms) == [(tracks["GR"]["id"], "reopen")]
    elsewhere = _elsewhere_form(html, tracks["GR"]["id"])
    # The institution has signed: only the missing signatures are offered.
    assert elsewhere["options"]["party"] == ["investigator", "sponsor"]


def test_a_manager_is_offered_cancel_and_the_other_sites_staff_nothing_on_our_track(
        app, contract, make_user, login):
    tracks = _tracks(app, contract)
    client = login(make_user("manager", "IB", language="en"))
    forms = _action_forms(_page(client, contract))
    assert sorted(forms) == [(tracks["IB"]["id"], "cancel")]


def test_posting_an_action_moves_the_track(app, contract, legal_gr):
    tracks = _tracks(app, contract)
    form = _action_forms(_page(legal_gr, contract))[(tracks["GR"]["id"], "mark_complete")]
    form["fields"][f"t{tracks['GR']['id']}-mark_complete-comment"] = "All documents received"
    response = legal_gr.post(form["action"], data=form["fields"], headers=EN)
    # Back at the track that moved, with words saying what changed.
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/contracts/{contract}#track-GR")
    assert _tracks(app, contract)["GR"]["stage"] == "review"
    html = legal_gr.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "File complete at Gustave Roussy: now Review." in _flashes(html)
    assert "Review" in _text(_section(html, "GR")) and "All documents received" in html
    with app.app_context():
        event = db.session.execute(db.select(Event).where(Event.action == "mark_complete")).scalar_one()
        assert event.actor.email.startswith("legal") and event.comment == "All documents received"


def test_signing_from_the_page_records_the_chosen_party(app, contract, legal_gr):
    _act(app, contract, "GR", "mark_complete")
    _act(app, contract, "GR", "agree")
    track_id = _tracks(app, contract)["GR"]["id"]
    form = _elsewhere_form(_page(legal_gr, contract), track_id)
    form["fields"].update(party="investigator", comment="Signed in ink at the site initiation visit")
    assert legal_gr.post(form["action"], data=form["fields"]).status_code == 303
    signatures = _tracks(app, contract)["GR"]["signatures"]
    assert signatures["investigator"] and not signatures["institution"] and not signatures["sponsor"]


def test_a_typed_effective_time_is_read_in_the_sites_time_zone(app, contract, legal_gr, now):
    track_id = _tracks(app, contract)["GR"]["id"]
    form = _action_forms(_page(legal_gr, contract))[(track_id, "mark_complete")]
    local = now.astimezone(ZoneInfo("Europe/Paris")).replace(second=0, microsecond=0, tzinfo=None)
    form["fields"][f"t{track_id}-mark_complete-effective_at"] = local.strftime("%Y-%m-%dT%H:%M")
    assert legal_gr.post(form["action"], data=form["fields"]).status_code == 303
    with app.app_context():
        event = db.session.execute(db.select(Event).where(Event.action == "mark_complete")).scalar_one()
        assert event.effective_at == local.replace(tzinfo=ZoneInfo("Europe/Paris"))


def test_a_refused_action_is_explained_and_changes_nothing(app, contract, legal_gr):
    tracks = _tracks(app, contract)
    track_id = tracks["GR"]["id"]
    form = _action_forms(_page(legal_gr, contract))[(track_id, "mark_complete")]
    # A form the page does not offer, forged from the one it does: a legal may not cancel.
    forged = {k.replace("-mark_complete-", "-cancel-"): v for k, v in form["fields"].items()}
    forged.update({"action": "cancel", f"t{track_id}-cancel-comment": "Stop"})
    before = _counts(app)
    response = legal_gr.post(form["action"], data=forged, headers=EN, follow_redirects=True)
    assert response.status_code == 200
    flashes = _flashes(response.get_data(as_text=True))
    assert any(f.startswith("Not done:") and "manager" in f for f in flashes), flashes
    assert _counts(app) == before and _tracks(app, contract) == tracks

    # An action the stage does not allow, with an up-to-date version: the flash names the stage.
    _act(app, contract, "GR", "mark_complete")
    version = _tracks(app, contract)["GR"]["version"]
    form["fields"][f"t{track_id}-mark_complete-version"] = str(version)
    before = _counts(app)
    response = legal_gr.post(form["action"], data=form["fields"], headers=EN, follow_redirects=True)
    flashes = _flashes(response.get_data(as_text=True))
    assert any("Mark the file complete is not possible while the track is in Review" in f for f in flashes), flashes
    assert _counts(app) == before


def test_a_stale_form_says_to_reload(app, contract, legal_gr):
    track_id = _tracks(app, contract)["GR"]["id"]
    form = _action_forms(_page(legal_gr, contract))[(track_id, "mark_incomplete")]
    _act(app, contract, "GR", "mark_incomplete")  # someone else moved the track meanwhile
    _act(app, contract, "GR", "submit_documents")  # ...and back: the stage allows the action again
    before = _counts(app)
    response = legal_gr.post(form["action"], data=form["fields"], headers=EN, follow_redirects=True)
    flashes = _flashes(response.get_data(as_text=True))
    assert any("reload" in f for f in flashes), flashes
    assert _counts(app) == before and _tracks(app, contract)["GR"]["stage"] == "completeness"


def test_posting_without_csrf_token_is_refused(app, contract, legal_gr):
    track_id = _tracks(app, contract)["GR"]["id"]
    form = _action_forms(_page(legal_gr, contract))[(track_id, "mark_complete")]
    fields = {k: v for k, v in form["fields"].items() if not k.endswith("csrf_token")}
    before = _counts(app)
    assert legal_gr.post(form["action"], data=fields).status_code == 400
    fields[f"t{track_id}-mark_complete-csrf_token"] = "forged"
    assert legal_gr.post(form["action"], data=fields).status_code == 400
    assert _counts(app) == before and _tracks(app, contract)["GR"]["stage"] == "completeness"


def test_a_track_of_another_contract_is_404(app, contract, legal_gr, make_sponsor, make_contract):
    other = make_contract(make_sponsor("Helix Therapeutics Inc.", "US"))
    other_track = _tracks(app, other)["GR"]["id"]
    form = _action_forms(_page(legal_gr, contract))[(_tracks(app, contract)["GR"]["id"], "mark_complete")]
    url = form["action"].replace(f"/tracks/{_tracks(app, contract)['GR']['id']}/", f"/tracks/{other_track}/")
    assert legal_gr.post(url, data=form["fields"]).status_code == 404
    assert _tracks(app, other)["GR"]["stage"] == "completeness"


# -- the audit trail as CSV ---------------------------------------------------------------------------

def _csv(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_audit_csv_lists_the_contracts_rows_for_inspectors(app, contract, legal_gr, make_sponsor,
                                                               make_contract):
    other = make_contract(make_sponsor("Helix Therapeutics Inc.", "US"))
    _act(app, contract, "GR", "mark_complete", comment="Dossier complet")
    _act(app, other, "GR", "mark_complete")
    html = _page(legal_gr, contract)
    link = re.search(r'<a href="([^"]+)"[^>]*>\s*Audit trail \(CSV\)\s*</a>', html)
    assert link and link.group(1) == f"/contracts/{contract}/audit.csv"
    response = legal_gr.get(link.group(1))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{contract}-audit.csv"'
    rows = _csv(response)
    assert rows[0] == ["id", "at_utc", "actor_email", "actor_role", "actor_site", "actor_sponsor", "entity",
                       "entity_id", "field", "old_value", "new_value", "reason", "hash"]
    with app.app_context():
        contract_id = db.session.execute(db.select(Contract.id).where(Contract.reference == contract)).scalar()
        expected = db.session.execute(db.select(AuditEntry).where(AuditEntry.contract_id == contract_id)
                                      .order_by(AuditEntry.id)).scalars().all()
        assert [int(r[0]) for r in rows[1:]] == [e.id for e in expected]
        assert [r[12] for r in rows[1:]] == [e.hash for e in expected]
    body = {r[8]: r for r in rows[1:] if r[6] == "track" and r[10] == "review"}
    stage_row = body["stage"]
    assert stage_row[9:12] == ["completeness", "review", "Dossier complet"]
    at = datetime.fromisoformat(stage_row[1])
    assert at.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("reason", ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+2", "-2+3", "@SUM(A1)",
                                    "\t=1"])
def test_the_audit_csv_defuses_spreadsheet_formulas(app, contract, make_user, login, reason):
    _act(app, contract, "GR", "cancel", comment=reason)
    client = login(make_user("manager", "GR", language="en"))
    rows = _csv(client.get(f"/contracts/{contract}/audit.csv"))
    reasons = [r[11] for r in rows[1:] if r[11]]
    assert reasons and all(r == "'" + reason for r in reasons)
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "@", "\t")) for cell in row), row


def test_only_staff_who_may_see_the_contract_get_the_audit_csv(app, client, contract, make_user, login,
                                                               make_contract):
    url = f"/contracts/{contract}/audit.csv"
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    login(make_user("sponsor", sponsor="Novacure Oncology SA", language="en"))
    assert client.get(url).status_code == 403
    client.post("/logout", data={"csrf_token": _logout_token(client)})
    with app.app_context():
        sponsor_id = db.session.execute(db.select(Contract.sponsor_id).where(Contract.reference == contract)).scalar()
    gr_only = make_contract(sponsor_id, sites=("GR",))
    login(make_user("legal", "IB", language="en"))
    assert client.get(f"/contracts/{gr_only}/audit.csv").status_code == 404
    assert client.get(url).status_code == 200  # IB takes part in the first contract


def _logout_token(client):
    html = client.get("/", headers=EN, follow_redirects=True).get_data(as_text=True)
    form = next(f for f in Forms(html).forms if f["action"].endswith("/logout"))
    return form["fields"]["csrf_token"]
