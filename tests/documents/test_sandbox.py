"""Templates are uploaded by people: they render in a sandbox and cannot reach Python internals."""
from __future__ import annotations

import io

import docx
import pytest

from tracker.documents.engine.checks import TemplateRejected, check_template
from tracker.documents.engine.render import RenderError, TemplateInvalid, prepare

PROBES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ sponsor.name.__class__.__base__.__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ sponsor|attr('__class__') }}",
    "{{ ''['__class__'] }}",
    "{{ self._TemplateReference__context }}",
    "{{ sponsor.name.__len__() }}",
    "{% from 'os' import path %}",
    "{% extends 'base.xml' %}",
    "{{ sponsor.name|safe }}",
]


@pytest.mark.parametrize("probe", PROBES)
def test_escape_probes_are_refused_when_the_template_is_prepared(build, probe):
    with pytest.raises(TemplateInvalid) as refused:
        prepare(build.paragraphs("Sponsor", probe))
    assert "body, paragraph 2" in refused.value.problems[0]
    with pytest.raises(TemplateRejected):
        check_template(build.paragraphs(probe))


def test_probe_hidden_in_a_computed_key_fails_at_render(build, context):
    template = prepare(build.paragraphs("[{% set key = '__cla' ~ 'ss__' %}{{ sponsor.name[key] }}]"))
    with pytest.raises(RenderError) as failed:
        template.render(context())
    assert "SecurityError" in failed.value.problems[0] and "<class" not in failed.value.problems[0]


def test_format_string_probe_is_stopped_by_the_sandbox(build, context):
    template = prepare(build.paragraphs("{{ '{0.__class__.__mro__}'.format(sponsor.name) }}"))
    with pytest.raises(RenderError) as failed:
        template.render(context())
    assert "SecurityError" in failed.value.problems[0]


@pytest.mark.parametrize(
    "bomb",
    [
        "{{ 'x' * 100000000 }}",
        "{% for i in range(10 ** 6) %}.{% endfor %}",
        "{{ 2 ** 100000 }}",
        "{% for i in range(9000) %}{% for j in range(9000) %}{{ sponsor.name }}{% endfor %}{% endfor %}",
    ],
)
def test_resource_bombs_fail_fast(build, context, bomb):
    template = prepare(build.paragraphs(bomb))
    with pytest.raises(RenderError):
        template.render(context(sponsor__name="x" * 1000))


def test_context_objects_do_not_expose_private_attributes(build):
    class Secretive:
        name = "visible"
        _secret = "hidden"

    visible = prepare(build.paragraphs("{{ sponsor.name }}"))
    text = docx.Document(io.BytesIO(visible.render({"sponsor": Secretive()}))).paragraphs[0].text
    assert text == "visible"
    hidden = prepare(build.paragraphs("{% set k = '_secret' %}{{ sponsor[k] }}"))
    with pytest.raises(RenderError):
        hidden.render({"sponsor": Secretive()})
