"""At upload a template is filled once with sample values in a child process with a time and memory budget."""
from __future__ import annotations

import time

from tracker.documents.catalogue import sample_context
from tracker.documents.engine.trial import trial_render

from tests.helpers.documents import TEMPLATES


def test_a_shipped_agreement_passes_its_trial_quickly():
    started = time.monotonic()
    assert trial_render((TEMPLATES / "coordinating_fr.docx").read_bytes(), sample_context()) == []
    assert time.monotonic() - started < 10  # an interpreter start and one fill; about a second on a quiet machine


def test_a_template_over_the_render_bounds_with_sample_values_is_refused(build):
    problems = trial_render(build.paragraphs("{% for i in range(10000) %}{{ 'x' * 5000 }}{% endfor %}"),
                            sample_context())
    assert problems == ["body: the filled document would exceed 20000000 characters"]
    assert problems[0].message == "%(part)s: %(problem)s"  # still a Problem, so it can be translated


def test_the_child_is_stopped_at_its_memory_budget(build):
    problems = trial_render(build.paragraphs("{{ sponsor.name }}"), sample_context(), memory=1024 * 1024)
    assert problems == ["filling the template with sample values needed more than the 1 MiB of memory allowed"]


def test_the_child_is_stopped_at_its_time_budget(build):
    started = time.monotonic()
    problems = trial_render(build.paragraphs("{{ sponsor.name }}"), sample_context(), seconds=0.01)
    assert problems == ["filling the template with sample values took longer than 0 seconds"]
    assert time.monotonic() - started < 5


def test_a_template_whose_filled_body_word_cannot_open_is_refused(build):
    from tests.helpers.documents import make_zip
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(build.paragraphs("{{ sponsor.name }}"))) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["word/document.xml"] = b'<?xml version="1.0"?><html><body>{{ sponsor.name }}</body></html>'
    problems = trial_render(make_zip(members), sample_context())
    assert len(problems) == 1 and problems[0].startswith("the filled template cannot be opened as a Word document")
