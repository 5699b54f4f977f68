"""The contract page and the list as a new user meets them, in French and English, on a desktop and
on a phone: the next move first and button-like, back at the track that moved with what changed,
signatures as a checklist in words, the 4th round flagged, cancellations explained, the coordinating
site first, the right agreement template offered, and the admin pages in the reader's language."""
from __future__ import annotations

import re

import pytest

from tests.helpers.browser import DESKTOP, PHONE, sign_in
from tests.helpers.scene import CANCEL_REASON

pytestmark = pytest.mark.e2e
SCREENS = [pytest.param(lang, width, id=f"{lang}-{name}")
           for lang in ("en", "fr") for name, width in (("desktop", DESKTOP), ("phone", PHONE))]
ACCENT = "rgb(11, 92, 171)"

WORDS = {
    "en": {
        "locale": "en-GB", "next_move": "Mark the file complete",
        "moved": "File complete at Gustave Roussy: now Review.",
        "signed": "The institution signed on", "missing": ["Missing: the investigator", "Missing: the sponsor"],
        "timeline_signed": "The institution signed", "button_label": "Record a signature",
        "fourth": "Beyond three rounds: escalated to the managers", "escalated": "Escalated to the managers",
        "cancelled_on": "Cancelled on", "reason": "Reason:", "cancelled": "Cancelled", "ceiling": "Regulatory ceiling",
        "progress": "0/2", "own_language": "Coordinating site agreement (English)",
        "coordinating_fr": "Coordinating site agreement (French)",
        "associated_fr": "Associated site agreement (French)",
        "default_policy": "Default policy", "breach_kind": "Deadline missed", "escalation_kind": "Escalation",
    },
    "fr": {
        "locale": "fr-FR", "next_move": "Déclarer le dossier complet",
        "moved": "Dossier complet au centre Gustave Roussy : désormais Relecture.",
        "signed": "L'établissement : signé le", "missing": ["Manquante : l'investigateur", "Manquante : le promoteur"],
        "timeline_signed": "L'établissement a signé", "button_label": "Enregistrer une signature",
        "fourth": "Au-delà de trois tours : signalé aux responsables", "escalated": "Signalé aux responsables",
        "cancelled_on": "Annulée le", "reason": "Motif :", "cancelled": "Annulée", "ceiling": "Échéance réglementaire",
        "progress": "0/2", "own_language": "Convention centre coordonnateur (anglais)",
        "coordinating_fr": "Convention centre coordonnateur (français)",
        "associated_fr": "Convention centre associé (français)",
        "default_policy": "Politique par défaut", "breach_kind": "Échéance dépassée", "escalation_kind": "Escalade",
    },
}


def _text(locator) -> str:
    """Visible text with ordinary spaces (French typography uses no-break spaces)."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", locator.inner_text()).strip()


def _list_row(page, reference):
    return page.locator("table.list tbody tr", has=page.locator(f"a:text-is('{reference}')"))


@pytest.mark.parametrize("lang, width", SCREENS)
def test_the_next_move_comes_first_and_the_page_says_what_changed(page_for, scene, lang, width):
    w = WORDS[lang]
    page = page_for(w["locale"], width)
    sign_in(page, scene.people["legal"])
    reference = scene.refs["helix"]
    page.goto(f"/contracts/{reference}")
    actions = page.locator("#track-GR details.action")
    assert actions.count() >= 2
    first = actions.first.locator("summary")
    assert actions.first.get_attribute("open") is not None and _text(first).startswith(w["next_move"])
    # Button-like: filled with the accent colour, where the other actions are outlined.
    assert first.evaluate("e => getComputedStyle(e).backgroundColor") == ACCENT
    assert "secondary" in actions.nth(1).locator("summary").get_attribute("class")
    assert actions.nth(1).get_attribute("open") is None

    actions.first.locator("button[type=submit]").click()
    page.wait_for_url(f"**/contracts/{reference}#track-GR")
    assert _text(page.locator(".flash.success")) == w["moved"]
    track = page.locator("#track-GR")
    box, height = track.bounding_box(), page.viewport_size["height"]
    assert box["y"] < height and box["y"] + box["height"] > 0  # the page opened at the track that moved


@pytest.mark.parametrize("lang, width", SCREENS)
def test_signatures_rounds_cancellations_and_site_order_in_words(page_for, scene, lang, width):
    w = WORDS[lang]
    page = page_for(w["locale"], width)
    sign_in(page, scene.people["legal"])

    page.goto(f"/contracts/{scene.refs['signature']}")
    done = page.locator("#track-GR ul.checklist li.sig.done")
    missing = page.locator("#track-GR ul.checklist li.sig.missing")
    # Each line says it in words; the tick and the circle are decoration hidden from screen readers.
    assert done.count() == 1 and _text(done).lstrip("✔ ").startswith(w["signed"])
    assert [_text(m).lstrip("○ ") for m in missing.all()] == w["missing"]
    assert page.locator("#track-GR ul.checklist [aria-hidden=true]").count() == 3
    timeline = _text(page.locator("ol.timeline"))
    assert w["timeline_signed"] in timeline and w["button_label"] not in timeline
    assert w["fourth"] not in _text(page.locator("#track-GR"))

    page.goto(f"/contracts/{scene.refs['round4']}")
    assert w["fourth"] in _text(page.locator("#track-GR"))

    page.goto(f"/contracts/{scene.refs['review']}")
    assert w["escalated"] in _text(page.locator("#track-GR .deadline"))

    page.goto(f"/contracts/{scene.refs['cancelled']}")
    notice = _text(page.locator("main > .flash.error"))
    assert notice.startswith(w["cancelled_on"]) and f"{w['reason']} {CANCEL_REASON}" in notice
    tracks = page.locator("section.track")
    assert tracks.count() == 2 and page.locator("section.track .deadline").count() == 0
    assert all(w["ceiling"] not in _text(t) for t in tracks.all())
    assert page.locator("section.track details.action").count() == 0

    page.goto(f"/contracts/{scene.refs['ib_first']}")
    assert [t.get_attribute("id") for t in page.locator("section.track").all()] == ["track-IB", "track-GR"]

    page.goto("/contracts")
    status = _text(_list_row(page, scene.refs["cancelled"]).locator("td").last)
    assert status.split(" ·")[0] == w["cancelled"]
    assert w["progress"] not in status
    pills = [_text(p) for p in _list_row(page, scene.refs["ib_first"]).locator(".pill").all()]
    assert [p[:3] for p in pills] == ["IB:", "GR:"]


@pytest.mark.parametrize("lang, width", SCREENS)
def test_the_template_offered_fits_the_sites_role_and_the_contracts_language(page_for, scene, lang, width):
    w = WORDS[lang]
    page = page_for(w["locale"], width)
    sign_in(page, scene.people["legal"])
    picks = {}
    for name in ("helix", "review", "ib_first"):
        page.goto(f"/contracts/{scene.refs[name]}")
        select = page.locator("#documents ~ .tracks select[name$='-template']")
        assert select.count() == 1  # GR staff generate for GR only
        picks[name] = (_text(select.locator("option:checked")),
                       [_text(o) for o in select.locator("option").all()])
    assert picks["helix"][0] == w["own_language"]  # an American sponsor's agreement is in English
    assert picks["review"][0] == w["coordinating_fr"]
    assert picks["ib_first"][0] == w["associated_fr"]  # GR is the associated site there
    assert all("_" not in option for _, options in picks.values() for option in options)
    assert w["coordinating_fr"] not in picks["ib_first"][1]


@pytest.mark.parametrize("lang, width", SCREENS)
def test_admin_pages_name_things_in_the_readers_language(page_for, scene, lang, width):
    w = WORDS[lang]
    page = page_for(w["locale"], width)
    sign_in(page, scene.people["admin"])
    page.goto("/admin/policy")
    first_version = page.locator("table.versions tbody tr").last
    assert _text(first_version.locator("td").last) == w["default_policy"]
    page.goto("/admin/outbox")
    kinds = {_text(row.locator("td").nth(1)) for row in page.locator("table.list tbody tr").all()}
    assert {w["breach_kind"], w["escalation_kind"]} <= kinds
    assert not kinds & {"warning", "breach", "escalation", "sponsor_reminder", "ceiling_warning", "digest"}
