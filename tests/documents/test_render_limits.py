"""A template cannot make a render run for hours or fill the memory: refused at upload where the tags
show it, stopped with a clear reason at render where only the data does."""
from __future__ import annotations

import time

import pytest

from tests.helpers.docx_text import all_text
from tracker.documents.engine.checks import TemplateRejected, check_template
from tracker.documents.engine.limits import Limits
from tracker.documents.engine.render import RenderTooCostly, prepare

UPLOAD_SECONDS = 3  # each of these took from seconds to hours (or 100 MB) before the bounds

COSTLY = [
    ("{% for i in range(10000) %}{% for j in range(10000) %}{% for k in range(10000) %}x"
     "{% endfor %}{% endfor %}{% endfor %}", "loops would run about"),
    ("{% for i in range(10 ** 4) %}{% for j in range(10 ** 4) %}x{% endfor %}{% endfor %}", "loops would run about"),
    ("{% for row in budget %}{% for i in range(10000) %}{{ row.item }}{% endfor %}{% endfor %}",
     "loops would run about"),
    ("{{ sponsor.name|center(100000000) }}", "builds a value of about"),
    ("{{ sponsor.name|center(1e8) }}", "builds a value of about"),
    ("{{ sponsor.name.center(10 ** 8) }}", "builds a value of about"),
    ("{{ '%100000000s'|format('a') }}", "builds a value of about"),
    ("{{ '%-100000000d' % 1 }}", "builds a value of about"),
    ("{{ '{:>100000000}'.format(sponsor.name) }}", "builds a value of about"),
    ("{{ contract.title|replace('a', 'aaaaaaaaaa')|replace('a', 'aaaaaaaaaa')|replace('a', 'aaaaaaaaaa')"
     "|replace('a', 'aaaaaaaaaa') }}", "builds a value of about"),
    ("{{ contract.title|replace('', '-' * 2000) }}", "builds a value of about"),
    ("{{ 'x' * 100000000 }}", "builds a value of about"),
    ("{% set a = contract.title * 100 %}{% set a = a ~ a %}{% set a = a ~ a %}{% set a = a ~ a %}"
     "{% set a = a ~ a %}{{ a }}", "builds a value of about"),
    ("{{ contract.title|indent(100000) }}", "builds a value of about"),
    ("{{ 2 ** 100000 }}", "power above 100"),
]


@pytest.mark.parametrize("tags, reason", COSTLY)
def test_costly_templates_are_refused_at_upload_quickly_and_say_where(build, tags, reason):
    started = time.monotonic()
    with pytest.raises(TemplateRejected) as refused:
        check_template(build.paragraphs("Article 1", tags))
    assert time.monotonic() - started < UPLOAD_SECONDS
    problem = refused.value.problems[0]
    assert problem.startswith('body, paragraph 2 ("') and reason in problem, problem


def test_compiling_a_template_evaluates_nothing(build):
    """Jinja folds constant expressions while compiling; an upload must not make the server compute one."""
    started = time.monotonic()
    prepared = prepare(build.paragraphs("{{ '%100000000s'|format('a') }}"))
    assert time.monotonic() - started < UPLOAD_SECONDS
    with pytest.raises(RenderTooCostly):
        prepared.render({})


@pytest.mark.parametrize("tags", [
    "{% for i in range(contract.patients) %}{% for j in range(contract.patients) %}x{% endfor %}{% endfor %}",
    "{{ contract.title|center(contract.patients * 100000) }}",
    "{% macro twice(n) %}{% if n %}{{ twice(n - 1) }}{{ twice(n - 1) }}{% endif %}{% endmacro %}"
    "{{ twice(contract.patients // 40) }}",
])
def test_templates_whose_cost_depends_on_the_data_pass_the_upload(build, tags):
    check_template(build.paragraphs("Article 1", tags))


@pytest.mark.parametrize("tags, reason", [
    ("{% for i in range(contract.patients) %}{% for j in range(contract.patients) %}x{% endfor %}{% endfor %}",
     "more than the 100000 steps allowed"),
    ("{% for i in range(contract.patients) %}{% for c in contract.title %}{{ c }}{% endfor %}{% endfor %}",
     "steps allowed"),
    ("{{ contract.title|center(contract.patients * 100000) }}", "builds a value of about"),
    ("{{ (contract.title * 1000)|replace('a', contract.title) }}", "builds a value of about"),
    ("{% set line = [contract.title * 1000] %}{{ (line * 1000)|join }}", "builds a value of about"),
    ("{% set s = contract.title * 1000 %}{% set ten = [s, s, s, s, s, s, s, s, s, s] %}"
     "{% set hundred = [ten, ten, ten, ten, ten, ten, ten, ten, ten, ten] %}{{ hundred }}", "builds a value of about"),
    ("{{ ('%' ~ contract.patients * 100000 ~ 's') % 'a' }}", "builds a value of about"),
    ("{{ ('{:>' ~ contract.patients * 100000 ~ '}').format('a') }}", "builds a value of about"),
    ("{% macro twice(n) %}{% if n %}{{ twice(n - 1) }}{{ twice(n - 1) }}{% endif %}{% endmacro %}"
     "{{ twice(contract.patients // 40) }}", "allowed"),  # steps or seconds, whichever comes first
    ("{% macro page() %}{% for i in range(contract.patients) %}{{ contract.title * 1000 }}{% endfor %}"
     "{% endmacro %}{{ page()|length }}", "would exceed 20000000 characters"),
    ("{% set kept %}{% for i in range(contract.patients * 10) %}" + "Texte fixe de l'article. " * 200 +
     "{% endfor %}{% endset %}{{ kept|length }}", "would exceed 20000000 characters"),
    ("{% set n = contract.patients ** 50 %}{{ n * n * n * n * n * n * n * n * n * n * n * n * n * n * n * n }}",
     "more than 1000 digits"),
])
def test_the_bounds_hold_at_render_whatever_the_upload_saw(build, context, tags, reason):
    prepared = prepare(build.paragraphs("Article 1", tags))  # a template stored before the checks, say
    started = time.monotonic()
    with pytest.raises(RenderTooCostly) as stopped:
        prepared.render(context(contract__title="a" * 500, contract__patients=1000))
    assert time.monotonic() - started < 10
    assert stopped.value.problems[0].startswith("body: ") and reason in stopped.value.problems[0]


def test_a_render_stops_at_its_time_limit(build, context):
    prepared = prepare(build.paragraphs(
        "{% for i in range(10000) %}{% for j in range(9) %}{{ sponsor.name|upper }}{% endfor %}{% endfor %}"))
    with pytest.raises(RenderTooCostly) as stopped:
        prepared.render(context(), Limits(seconds=0.01))
    assert "took longer than the 0.01 seconds allowed" in stopped.value.problems[0]


def test_a_render_stops_at_its_output_limit(build, context):
    prepared = prepare(build.paragraphs("{% for row in budget %}{{ row.item }}{% endfor %}"))
    with pytest.raises(RenderTooCostly) as stopped:
        prepared.render(context(budget=[{"item": "x" * 900}] * 50), Limits(output=20_000))
    assert "would exceed 20000 characters" in stopped.value.problems[0]


def test_templates_cannot_change_lists_they_are_given(build, context):
    prepared = prepare(build.paragraphs("{% for row in budget %}{{ budget.append(row) }}{% endfor %}"))
    with pytest.raises(Exception) as refused:
        prepared.render(context())
    assert "SecurityError" in refused.value.problems[0]


def test_ordinary_templates_are_untouched_by_the_bounds(build, context):
    prepared = check_template(build.paragraphs(
        "{{ sponsor.name|upper }} - {{ '%s / %s'|format(contract.reference, site.code) }}",
        "{% for row in budget %}{{ loop.index }}. {{ row.item|truncate(40) }} {{ row.amount }}{% endfor %}",
        "{{ contract.title|replace('&', 'and') ~ ' (' ~ contract.acronym ~ ')' }} {{ '{:>6}'.format(site.code) }}",
    ))
    text = all_text(prepared.render(context()))
    assert "SOCIÉTÉ GÉNÉRALE D'ÉTUDES & CIE <R&D> - GR-2026-0042 / GR" in text
    assert "2. Cycle 1 J1 <PK & PD> 2 100,00 €" in text
    assert "Phase I of XR-17 <first-in-human> and expansion (XR17 \"FIH\")     GR" in text


@pytest.mark.parametrize("tags, reason", [
    # a width given as a nested field of str.format: '{:{}}'.format('a', 10 ** 8)
    ("{{ ('{:{' ~ '}' ~ '}').format('a', 10 ** 8) }}", "builds a value of about"),
    ("{{ ('{:>{w}' ~ '}').format(contract.title, w=10 ** 8) }}", "builds a value of about"),
    ("{{ ('{0:.{1}' ~ 'f}').format(1.5, 10 ** 8) }}", "builds a value of about"),
    ("{{ {'a': {'b': [1, 2, 3]} }|tojson(indent=10 ** 7) }}", "builds a value of about"),
    ("{{ [contract.title]|tojson(indent=' ' * 900000) }}", "builds a value of about"),
    ("{{ contract.title|wordwrap(1, wrapstring='x' * 900000) }}", "builds a value of about"),
    ("{{ lipsum(n=20000) }}", "builds a value of about"),
    ("{{ lipsum(1, min=10 ** 8, max=10 ** 8 + 1) }}", "builds a value of about"),
    ("{{ 9 ** 99 ** 99 ** 99 }}", "more than 1000 digits"),  # Jinja's ** is left-associative
    ("{% set n = contract.patients ** 99 %}{{ n ** 99 }}", "more than 1000 digits"),
    ("{{ 'abcd'.translate({97: 'x' * 900000}) }}", "builds a value of about"),
])
def test_arguments_are_bounded_before_the_work_is_done(build, context, tags, reason):
    """Before, each of these built its whole value (up to 1 GB, or a worker killed) and only then was refused."""
    import tracemalloc

    prepared = prepare(build.paragraphs("Article 1", tags))
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(RenderTooCostly) as stopped:
            prepared.render(context(contract__patients=1000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < UPLOAD_SECONDS
    assert reason in stopped.value.problems[0], stopped.value.problems[0]
    assert peak < 8 * 1024 * 1024, f"{peak // 1024} kB were allocated before the refusal"


def test_the_bounded_filters_still_work_with_ordinary_arguments(build, context):
    prepared = check_template(build.paragraphs(
        "{{ ('{:>{' ~ '}' ~ '}').format(site.code, 6) }}|{{ {'code': site.code}|tojson(indent=2) }}",
        "{{ 'un deux trois quatre'|wordwrap(11, wrapstring='/') }}|{{ 3 ** 4 }}|{{ lipsum(1, html=False)|length > 0 }}",
    ))
    text = all_text(prepared.render(context()))
    assert '    GR|{\n  "code": "GR"\n}' in text or '    GR|{  "code": "GR"}' in text, text
    assert "un deux/trois/quatre|81|True" in text
