"""Mixed traffic for the load test (run by bench/load_test.py, which prepares the plan it reads).

Staff sign in to the web pages, read their work queue, the contract list and contract pages,
and move their own contracts round the review loop through the API. Sponsor users sign in,
read their portal and upload redlines. Every contract is moved by one simulated person only,
so a 409 is a real defect, not two people racing; each accepted event and upload is written
to a log so that the harness can check that none was lost or stored twice.
"""
from __future__ import annotations

import io
import itertools
import json
import os
import re
import threading
import uuid

from docx import Document
from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())
LOG = open(os.environ["LOAD_LOG"], "a", encoding="utf-8")
_LOCK = threading.Lock()
_STAFF = itertools.count()
_SPONSORS = itertools.count()
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
NEXT = {"review": "send_to_sponsor", "with_sponsor": "sponsor_replied"}


def _log(kind: str, **values) -> None:
    with _LOCK:
        LOG.write(json.dumps({"kind": kind, **values}) + "\n")
        LOG.flush()


def _redline(reference: str) -> bytes:
    """A small, always different marked-up agreement."""
    document = Document()
    document.add_paragraph(f"Article 1 - Purpose of the agreement for {reference}.")
    document.add_paragraph(f"Article 2 - Fees, as amended by the sponsor ({uuid.uuid4().hex}).")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class Person(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    slot: dict

    def sign_in(self) -> None:
        page = self.client.get("/login", name="sign-in page")
        token = CSRF.search(page.text).group(1)
        with self.client.post("/login", data={"email": self.slot["email"], "password": PLAN["password"],
                                              "csrf_token": token},
                              name="sign in", catch_response=True, allow_redirects=False) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in answered {answer.status_code}")
        self.api = {"Authorization": "Bearer " + self.slot["token"]}


class Staff(Person):
    weight = 3

    def on_start(self) -> None:
        slots = PLAN["staff"]
        self.slot = slots[next(_STAFF) % len(slots)]
        self.sign_in()
        self.stage = {}

    @task(4)
    def queue(self) -> None:
        self.client.get("/", name="staff: work queue")

    @task(3)
    def contract_list(self) -> None:
        page = 1 + int(uuid.uuid4().int % 3)
        self.client.get(f"/contracts?page={page}", name="staff: contract list")

    @task(4)
    def contract_page(self) -> None:
        reference = self.slot["contracts"][int(uuid.uuid4().int % len(self.slot["contracts"]))]
        self.client.get(f"/contracts/{reference}", name="staff: contract page")

    @task(2)
    def api_contract(self) -> None:
        reference = self.slot["contracts"][int(uuid.uuid4().int % len(self.slot["contracts"]))]
        self.client.get(f"/api/v1/contracts/{reference}", headers=self.api, name="api: one contract")

    @task(1)
    def api_list(self) -> None:
        self.client.get("/api/v1/contracts?limit=50", headers=self.api, name="api: contract list")

    @task(3)
    def move(self) -> None:
        """Take the next step of the review loop on one of this person's contracts."""
        reference = self.slot["contracts"][int(uuid.uuid4().int % len(self.slot["contracts"]))]
        stage = self.stage.get(reference)
        if stage is None:
            answer = self.client.get(f"/api/v1/contracts/{reference}", headers=self.api, name="api: one contract")
            if answer.status_code != 200:
                return
            track = next(t for t in answer.json()["tracks"] if t["site"] == self.slot["site"])
            stage = track["stage"]
        action = NEXT.get(stage)
        if action is None:
            return
        key = uuid.uuid4().hex
        with self.client.post(f"/api/v1/contracts/{reference}/events", name="api: take an action",
                              json={"site": self.slot["site"], "action": action},
                              headers={**self.api, "Idempotency-Key": key}, catch_response=True) as answer:
            if answer.status_code != 201:
                answer.failure(f"{action} on {reference} answered {answer.status_code}: {answer.text[:200]}")
                return
            event = answer.json()
            self.stage[reference] = event["to_stage"]
            _log("event", id=event["id"], reference=reference, action=action)


class Sponsor(Person):
    weight = 1

    def on_start(self) -> None:
        slots = PLAN["sponsors"]
        self.slot = slots[next(_SPONSORS) % len(slots)]
        self.sign_in()

    @task(4)
    def portal(self) -> None:
        self.client.get("/portal/", name="sponsor: portal home")

    @task(3)
    def contract_page(self) -> None:
        reference, _site = self.slot["contracts"][int(uuid.uuid4().int % len(self.slot["contracts"]))]
        self.client.get(f"/portal/contracts/{reference}", name="sponsor: contract page")

    @task(1)
    def upload(self) -> None:
        reference, site = self.slot["contracts"][int(uuid.uuid4().int % len(self.slot["contracts"]))]
        files = {"file": ("redline.docx", _redline(reference),
                          "application/vnd.openxmlformats-officedocument.wordprocessingml.document")}
        with self.client.post(f"/api/v1/contracts/{reference}/documents/upload", name="api: upload a redline",
                              data={"site": site}, files=files, headers=self.api, catch_response=True) as answer:
            if answer.status_code != 201:
                answer.failure(f"upload on {reference} answered {answer.status_code}: {answer.text[:200]}")
                return
            _log("upload", id=answer.json()["id"], reference=reference)
