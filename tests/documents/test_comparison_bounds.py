"""A redline's comparison costs work bounded by its size, not only by its number of clauses.

An outside tester tied up a worker for minutes with one 2 MB redline whose body was a single
paragraph of 400,000 words: every pair of clauses was scored word by word. These tests hold
the bounds: by total words, by clause length, by a budget of order-aware scoring.
"""
from __future__ import annotations

import random

import pytest

from tracker.documents.engine import compare
from tracker.documents.engine.checks import DocumentRejected
from tracker.documents.engine.compare import CHANGED, clauses_of, compare_clauses

VOCABULARY = [f"mot{n}" for n in range(60)]


def _words(count: int, seed: int) -> str:
    chooser = random.Random(seed)
    return " ".join(chooser.choice(VOCABULARY) for _ in range(count))


def test_a_document_with_too_many_words_is_refused_by_name(build):
    huge = build.paragraphs(_words(compare.MAX_WORDS + 10, 1))
    with pytest.raises(DocumentRejected) as refused:
        clauses_of(huge)
    assert "words, too many to compare" in refused.value.problems[0].message


def test_a_clause_too_long_to_detail_is_shown_changed_and_whole():
    long_old = _words(compare.LONG_WORDS + 500, 2)
    long_new = long_old.replace("mot1 ", "mot2 ", 40) + " ajouté"
    result = compare_clauses(["Article 1", long_old, "Article 2"], ["Article 1", long_new, "Article 2"])
    (change,) = result.differences
    assert change.status == CHANGED and change.too_long
    assert change.fragments() == [("delete", long_old), ("insert", long_new)]  # whole, not word by word
    ((kept, fragments),) = result.detailed()
    assert kept is change and fragments is None


def test_a_paragraph_of_many_words_is_paired_by_overlap_not_by_order():
    old = [_words(200, 3), _words(compare.MAX_WORDS // 2, 4)]
    new = [_words(200, 3), _words(compare.MAX_WORDS // 2, 4) + " fin"]
    result = compare_clauses(old, new)
    assert result.counts == {"changed": 1, "added": 0, "removed": 0, "same": 1}


def test_order_aware_scoring_stops_at_its_budget(monkeypatch):
    """Many mid-length rewrites in one block: scoring falls back to overlap once the budget is spent."""
    spent = []
    original = compare._Scorer.similarity

    def watching(self, a, b, threshold):
        score = original(self, a, b, threshold)
        spent.append(self.order_steps)
        return score

    monkeypatch.setattr(compare._Scorer, "similarity", watching)
    old = [_words(400, 10 + n) for n in range(60)]
    new = [text.replace("mot3 ", "mot4 ") for text in old]
    compare_clauses(["début"] + old, ["début"] + new)
    assert spent and max(spent) <= compare._ORDER_BUDGET


def test_detail_stops_at_its_budget(monkeypatch):
    monkeypatch.setattr(compare, "_DETAIL_BUDGET", 50_000)
    old = [f"Clause {n} : le promoteur paie les frais de l'étude dans les trente jours" for n in range(200)]
    new = [text.replace("trente", "soixante") for text in old]
    detailed = compare_clauses(old, new).detailed()
    shown = [fragments is not None for _clause, fragments in detailed]
    assert len(detailed) == 200 and shown[0] and not shown[-1]  # the first in detail, the rest whole


def test_a_common_head_and_tail_are_matched_without_search():
    old = [f"Clause {n}" for n in range(20_000)]
    new = old[:10_000] + ["Clause nouvelle"] + old[10_000:]
    result = compare_clauses(old, new)
    assert result.counts == {"changed": 0, "added": 1, "removed": 0, "same": 20_000}
    (added,) = result.differences
    assert added.new_at == 10_000 and added.old_at is None


def test_repeated_clauses_do_not_make_alignment_quadratic():
    old = ["Paraphe"] * 10_000 + ["Signature"] * 10_000
    new = ["Signature"] * 10_000 + ["Paraphe"] * 10_000
    result = compare_clauses(old, new)
    assert sum(result.counts.values()) >= 20_000  # finished, every clause accounted for


def test_positions_point_at_the_clauses_of_both_versions():
    old = ["Article 1", "Le promoteur paie dans les trente jours suivant la facture.", "Article 3"]
    new = ["Préambule", "Article 1", "Le promoteur paie dans les soixante jours suivant la facture.", "Article 3"]
    for clause in compare_clauses(old, new).clauses:
        if clause.old_at is not None:
            assert old[clause.old_at] == clause.old
        if clause.new_at is not None:
            assert new[clause.new_at] == clause.new
