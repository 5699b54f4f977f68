"""The demo set's sponsors, sites' identities and people of every role, added where missing."""
from __future__ import annotations

from datetime import datetime

from tracker import audit
from tracker.extensions import db
from tracker.models import Site, Sponsor, User
from tracker.models.sites import PARTNER_SITES
from tracker.people.operations import create_sponsor, create_user
from tracker.people.sites import update_site
from tracker.people.sponsors import update_sponsor

DEMO_PASSWORD = "fasttrack-demo"  # printed for all to see; people.passwords lets it through
SPONSORS = (
    ("Novacure Oncology SA", "FR"),
    ("Helix Therapeutics Inc.", "US"),
    ("Borealis Pharma GmbH", "DE"),
)
# Full legal identities, so that demo agreements have no blanks (fictitious companies and numbers).
IDENTITIES = {
    "Novacure Oncology SA": {
        "legal_name": "Novacure Oncology SA", "legal_form": "société anonyme", "share_capital": "2 500 000 €",
        "rcs_city": "Paris", "registration_number": "832147565", "vat_number": "FR73832147565",
        "address": "18 rue de la Pépinière, 75008 Paris, France", "representative": "Laura Novak",
        "representative_title": "Présidente directrice générale", "language": "fr",
        "contacts": [{"name": "Laura Novak", "email": "sponsor@novacure.example", "role": "Clinical operations",
                      "phone": "+33 1 44 00 12 34"}]},
    "Helix Therapeutics Inc.": {
        "legal_name": "Helix Therapeutics, Inc.", "legal_form": "Delaware corporation",
        "registration_number": "Delaware file no. 7395521",
        "address": "200 Binney Street, Cambridge, MA 02142, United States", "representative": "Mark Ellison",
        "representative_title": "Chief Executive Officer", "language": "en",
        "contacts": [{"name": "Mark Ellison", "email": "sponsor@helix.example", "role": "Clinical contracts"}]},
    "Borealis Pharma GmbH": {
        "legal_name": "Borealis Pharma GmbH", "legal_form": "Gesellschaft mit beschränkter Haftung",
        "registration_number": "Amtsgericht München HRB 245871", "vat_number": "DE287654321",
        "address": "Leopoldstraße 120, 80802 München, Germany", "representative": "Dr. Jonas Weber",
        "representative_title": "Geschäftsführer", "language": "en"},
}
SITE_IDENTITIES = {
    "GR": {"representative": "Pr Élise Moreau", "representative_title": "Directrice générale",
           "signatory_name": "Pr Élise Moreau", "signatory_email": "direction@gr.tracker.example"},
    "IB": {"representative": "M. Laurent Vidal", "representative_title": "Directeur général",
           "signatory_name": "M. Laurent Vidal", "signatory_email": "direction@ib.tracker.example"},
}
# Sponsors of several countries, fictitious, added to the demo set for the large sets.
MORE_SPONSORS = (
    ("Alpenrose Biologics AG", "CH"), ("Thames Oncology Ltd", "GB"), ("Meuse Clinical SPRL", "BE"),
    ("Sakura Pharmaceutical K.K.", "JP"), ("Lagoon Therapeutics S.r.l.", "IT"), ("Iberia Oncología S.L.", "ES"),
    ("Delta Biopharma B.V.", "NL"), ("Nordlys Pharma ApS", "DK"), ("Great Lakes Oncology Inc.", "US"),
)
PEOPLE = (
    ("admin@tracker.example", "Camille Admin", "admin", None, None),
    ("manager.gr@tracker.example", "Hélène Marchand", "manager", "GR", None),
    ("legal.gr@tracker.example", "Julien Lefèvre", "legal", "GR", None),
    ("manager.ib@tracker.example", "Sophie Bernard", "manager", "IB", None),
    ("legal.ib@tracker.example", "Antoine Dubois", "legal", "IB", None),
    ("sponsor@novacure.example", "Laura Novak", "sponsor", None, "Novacure Oncology SA"),
    ("sponsor@helix.example", "Mark Ellison", "sponsor", None, "Helix Therapeutics Inc."),
)

def ensure_identities(now: datetime) -> None:
    """Give the demo sponsors and both partner sites every field their agreements print.

    Only empty fields are filled (and the partners' placeholder representative), so what
    an admin entered survives a second seed-demo.
    """
    for name, country in SPONSORS:
        sponsor = db.session.execute(db.select(Sponsor).where(Sponsor.name == name)).scalar_one_or_none()
        if sponsor is None:
            create_sponsor({"name": name, "country": country, **IDENTITIES[name]}, actor=audit.SYSTEM, now=now)
            continue
        gaps = {k: v for k, v in IDENTITIES[name].items() if k != "contacts" and not getattr(sponsor, k)}
        if gaps:
            update_sponsor(sponsor, gaps, actor=audit.SYSTEM, now=now)
    placeholders = {values["code"]: values for values in PARTNER_SITES}
    for code, identity in SITE_IDENTITIES.items():
        site = db.session.execute(db.select(Site).where(Site.code == code)).scalar_one_or_none()
        if site is None:
            continue
        seeded = placeholders.get(code, {})
        gaps = {k: v for k, v in identity.items()
                if not getattr(site, k) or getattr(site, k) == seeded.get(k)}
        if gaps:
            update_site(site, gaps, actor=audit.SYSTEM, now=now)


def ensure_people(now: datetime) -> list[tuple[str, str, str]]:
    ensure_identities(now)
    logins = []
    for email, name, role, site, sponsor in PEOPLE:
        if not db.session.execute(db.select(User.id).where(User.email == email)).first():
            create_user({"email": email, "name": name, "role": role, "site": site, "sponsor": sponsor,
                         "password": DEMO_PASSWORD}, actor=audit.SYSTEM, now=now)
        logins.append((email, role, site or sponsor or "all sites"))
    return logins


def ensure_more_sponsors(now: datetime) -> None:
    for name, country in MORE_SPONSORS:
        if not db.session.execute(db.select(Sponsor.id).where(Sponsor.name == name)).first():
            create_sponsor({"name": name, "country": country}, actor=audit.SYSTEM, now=now)
