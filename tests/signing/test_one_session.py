"""SPEC 5c: one person signing for the same party on both sites' agreements of a contract gets one link and one
code, and signs each agreement, each with its own evidence."""
from __future__ import annotations

from tests.helpers.signing import LINK, PEOPLE, name_all, track_of
from tracker.extensions import db
from tracker.models.signing import Signature

NAME, EMAIL = PEOPLE["GR"]["sponsor"]  # Laura Novak signs for the sponsor at both sites


def test_one_link_and_one_code_sign_both_sites_agreements(app, agreed, signer):
    name_all(app, agreed.reference)
    invitations = signer.mails(EMAIL, "Please sign the agreement")
    assert len(invitations) == 1  # not one per site
    text = invitations[0].part("plain")
    assert "Gustave Roussy" in text and "Institut Bergonié" in text
    path = LINK.search(text).group(1)

    page = signer.client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="agreement-GR"' in page and 'id="agreement-IB"' in page
    with app.app_context():
        fixed = {site: track_of(agreed.reference, site) for site in ("GR", "IB")}
        from tracker.signing.fixing import current_fixed

        hashes = {site: current_fixed(track).sha256 for site, track in fixed.items()}
    assert hashes["GR"] in page and hashes["IB"] in page
    for site in ("GR", "IB"):
        pdf = signer.client.get(path + f"/agreement.pdf?site={site}")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert signer.client.get(path + "/agreement.pdf?site=XX").status_code == 404

    assert signer.ask_code(path, NAME).status_code == 303
    codes = [m for m in signer.smtp.box.to(EMAIL) if "Your code" in m.subject]
    assert len(codes) == 1
    signed = signer.confirm(path, signer.code(EMAIL, "IB") if "Bergoni" in codes[0].subject
                            else signer.code(EMAIL, "GR"))
    assert signed.status_code == 200

    with app.app_context():
        signatures = db.session.execute(db.select(Signature).where(Signature.party == "sponsor")).scalars().all()
        by_track = {s.track_id: s for s in signatures}
        for site in ("GR", "IB"):
            track = track_of(agreed.reference, site)
            assert track.sponsor_signed_at is not None
            evidence = by_track[track.id]
            assert evidence.sha256 == hashes[site] and evidence.event_id is not None
            assert evidence.typed_name == NAME and evidence.ip_address == "192.0.2.10"
    # The link is spent for both.
    assert signer.client.get(path).status_code == 410
