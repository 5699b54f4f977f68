"""Benchmark: fill the coordinating-site agreement (FR) with a 30-row budget, ours against docxtpl.

Three ways, interleaved in the same run so that machine noise hits all of them alike:
- docxtpl as normally used: DocxTemplate loaded from the template bytes, rendered, saved;
- docxtpl reusing one DocxTemplate object (it reloads the package itself on each render);
- ours: `prepare` once, as when the template version is stored, then `render` per document;
- ours cold, `prepare` + `render` every time: the cost when no prepared template is cached.
Both engines escape values (docxtpl with autoescape=True), and the script checks that they
produce the same text before timing anything.

Run: /tmp/venv/bin/python bench/bench_render.py [--runs N] [--rows R]
"""
from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
from docxtpl import DocxTemplate  # noqa: E402

from tracker.documents.engine.render import prepare  # noqa: E402

TEMPLATE = ROOT / "contract_templates" / "coordinating_fr.docx"


def context(rows: int) -> dict:
    """A realistic agreement: a phase I trial with one budget line per visit."""
    return {
        "sponsor": {
            "name": "Novacure Oncology & Partners <EU> SAS", "address": "12 rue de la Paix, 75002 Paris",
            "country": "FR", "registration_number": "RCS Paris 552 120 222",
            "representative": "Mme Claire Dupont, directrice juridique",
        },
        "site": {
            "code": "GR", "name": "Gustave Roussy", "legal_name": "Institut Gustave Roussy",
            "address": "114 rue Édouard-Vaillant, 94805 Villejuif Cedex", "finess": "940000664",
            "siret": "77567160500016", "representative": "Pr Jean Martin, directeur général",
            "role": "coordinating",
        },
        "investigator": {"name": "Dr Anne Leroy"},
        "contract": {
            "reference": "GR-2026-0042", "acronym": "XR17-FIH", "protocol_number": "XR17-101",
            "title": "Étude de phase I de l'anticorps XR-17 chez des patients atteints de tumeurs solides avancées",
            "eu_ct_number": "2025-512345-12-00", "phase": "I", "indication": "Tumeurs solides avancées",
            "patients": 24,
        },
        "budget": [
            {"item": f"Cycle {n // 3 + 1} J{(n % 3) * 7 + 1} — visite", "amount": f"{450 + 35 * n:,} €".replace(",", " "),
             "unit": "par patient"}
            for n in range(rows)
        ],
        "today": "29/11/2026",
    }


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"


def text_of(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    return [p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--rows", type=int, default=30)
    args = parser.parse_args()
    data = TEMPLATE.read_bytes()
    ctx = context(args.rows)

    started = time.perf_counter()
    prepared = prepare(data)
    prepare_ms = (time.perf_counter() - started) * 1000
    reused = DocxTemplate(io.BytesIO(data))

    def docxtpl_fresh() -> bytes:
        template = DocxTemplate(io.BytesIO(data))
        template.render(ctx, autoescape=True)
        out = io.BytesIO()
        template.save(out)
        return out.getvalue()

    def docxtpl_reused() -> bytes:
        reused.render(ctx, autoescape=True)
        out = io.BytesIO()
        reused.save(out)
        return out.getvalue()

    def ours() -> bytes:
        return prepared.render(ctx)

    def ours_cold() -> bytes:
        return prepare(data).render(ctx)

    variants = {"docxtpl (load + render + save)": docxtpl_fresh, "docxtpl (reused object)": docxtpl_reused,
                "ours (prepared once, render)": ours, "ours, cold (prepare + render)": ours_cold}
    reference = text_of(docxtpl_fresh())
    for name, render in variants.items():
        assert text_of(render()) == reference, f"{name} does not produce the same text as docxtpl"
    for render in variants.values():  # warm-up: imports, caches, first Jinja compile in docxtpl
        render()
    times = {name: [] for name in variants}
    for run in range(args.runs):
        order = list(variants.items())
        order = order[run % len(order):] + order[: run % len(order)]  # rotate who goes first
        for name, render in order:
            started = time.perf_counter()
            render()
            times[name].append((time.perf_counter() - started) * 1000)

    medians = {name: statistics.median(values) for name, values in times.items()}
    baseline = medians["docxtpl (load + render + save)"]
    print(f"machine: {machine()}")
    print(f"{args.runs} interleaved runs, {args.rows} budget rows, template {TEMPLATE.name}")
    print(f"ours, one-off prepare(): {prepare_ms:.1f} ms")
    print(f"{'variant':34} {'median ms':>10} {'p90 ms':>8} {'vs docxtpl':>11}")
    for name, values in times.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{name:34} {medians[name]:10.2f} {p90:8.2f} {medians[name] / baseline:10.3f}x")
    ratio = medians["ours (prepared once, render)"] / baseline
    reuse_ratio = medians["ours (prepared once, render)"] / medians["docxtpl (reused object)"]
    print(f"ratio ours/docxtpl: {ratio:.3f} (goal <= 0.5); against reused docxtpl: {reuse_ratio:.3f}")
    return 0 if ratio <= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
