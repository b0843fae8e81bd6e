"""The optional sentence-embedding fallback (`editbay[embeddings]`): calibration, safety, provenance.

Runs only when the extra and the bundled model are installed (`make install` does both); the
fallback-absent behaviour is tested either way.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from test_parse_corpus import Case, load_corpus

from editbay.engine.ops import EditPlan
from editbay.engine.parse import NOT_UNDERSTOOD, _embed, parse
from editbay.engine.parse._normalize import normalize

CALIBRATION = Path(__file__).parent / "data" / "embedding_calibration.txt"
needs_model = pytest.mark.skipif(_embed.model_dir() is None, reason="editbay[embeddings] not installed")


def _rules_only(case: Case, monkeypatch: pytest.MonkeyPatch) -> EditPlan:
    monkeypatch.setenv("EDITBAY_PARSE_EMBEDDINGS", "off")
    try:
        return parse(case.instruction, **case.inputs)
    finally:
        monkeypatch.delenv("EDITBAY_PARSE_EMBEDDINGS")


def _not_understood(plan: EditPlan) -> bool:
    return not plan.operations and [u.reason for u in plan.unsupported] == [NOT_UNDERSTOOD]


@needs_model
def test_encoder_vectors_are_unit_length_and_put_paraphrases_closer() -> None:
    matcher = _embed.get_matcher()
    assert matcher is not None
    v = matcher.encoder.encode(["make it black and white", "convert it to grayscale", "order me a pizza"])
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.1
    again = matcher.encoder.encode(["convert it to grayscale"])[0]
    assert np.allclose(again, v[1], atol=1e-5)  # batching and padding do not change a sentence's vector


@needs_model
def test_shipped_exemplar_vectors_match_the_exemplars() -> None:
    phrases = [p for g in json.loads(_embed.EXEMPLARS.read_text(encoding="utf-8")) for p in g["phrases"]]
    cached = _embed._cached_vectors(phrases)
    assert cached is not None, "run `python -m editbay.engine.parse._embed` after editing the exemplars"
    matcher = _embed.get_matcher()
    assert matcher is not None
    fresh = matcher.encoder.encode(phrases[:20])
    assert np.allclose(fresh, cached[:20], atol=2e-3)


@needs_model
def test_model_is_loaded_once_per_process() -> None:
    assert _embed.get_matcher() is _embed.get_matcher()
    assert _embed.preload() is True


@needs_model
def test_calibration_precision_recall_and_no_negative_mapped(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = load_corpus(CALIBRATION)
    accepted = correct = missed = 0
    for case in (c for c in cases if not c.refusal):
        if not _not_understood(_rules_only(case, monkeypatch)):
            continue  # the rules read it: the fallback never sees it
        missed += 1
        plan = parse(case.instruction, **case.inputs)
        if plan.operations:
            accepted += 1
            correct += any(alt.met_by(plan) for alt in case.alternatives)
    mapped = [c.instruction for c in cases if c.refusal and parse(c.instruction, **c.inputs).operations]
    precision = correct / accepted if accepted else 1.0
    recall = correct / missed if missed else 1.0
    print(
        f"\nembedding fallback: {missed} clauses left by the rules, {accepted} mapped, {correct} right: "
        f"precision {precision:.2f}, recall {recall:.2f}; negatives mapped: {mapped}"
    )
    assert mapped == []
    assert precision >= 0.95
    assert recall >= 0.4


@needs_model
def test_refusal_corpus_stays_refused_with_the_fallback_on() -> None:
    wrong = []
    for case in (c for c in load_corpus() if c.refusal):
        plan = parse(case.instruction, **case.inputs)
        if plan.operations or not plan.unsupported:
            wrong.append(case.instruction)
    assert wrong == []


@needs_model
def test_generative_request_is_never_sent_to_the_matcher() -> None:
    # Its nearest exemplar is a warm grade ("sunset tones"); the refusal reason keeps it refused.
    plan = parse("replace the sky with a sunset")
    assert not plan.operations and "generative" in plan.unsupported[0].reason


@needs_model
def test_fallback_records_method_and_score_in_the_plan() -> None:
    plan = parse("light it up more, then mute it")
    kinds = [op.op for op in plan.operations]
    assert kinds == ["tone", "mute"], plan
    tone = plan.operations[0]
    assert tone.brightness > 0 and tone.confidence <= 0.6  # type: ignore[union-attr]
    notes = [n for n in plan.notes if n.startswith("method=embedding")]
    assert len(notes) == 1 and "score 0." in notes[0] and "light it up more" in notes[0]


@needs_model
def test_quoted_text_is_never_guessed() -> None:
    from editbay.engine.parse import _embedding_fallback
    from editbay.engine.parse._clause import Clause, Context

    notes: list[str] = []
    for text, guessed in (("light it up more «0»", False), ("light it up more", True)):
        clause = Clause(text=text, ctx=Context(quotes=["Zebra Party"]))
        clause.refuse(NOT_UNDERSTOOD)
        _embedding_fallback(clause, notes)
        assert bool(clause.ops) is guessed and bool(clause.unsupported) is not guessed


def test_fallback_off_by_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITBAY_PARSE_EMBEDDINGS", "off")
    assert _embed.get_matcher() is None
    plan = parse("light it up more")
    assert not plan.operations and plan.unsupported[0].reason == NOT_UNDERSTOOD


def test_parser_works_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_embed, "model_dir", lambda: None)
    monkeypatch.setattr(_embed, "_state", {})
    assert _embed.get_matcher() is None
    assert _embed.preload() is False
    assert [op.op for op in parse("black and white, light it up more").operations] == ["grade"]
    assert normalize("light it up more").text == "light it up more"


@needs_model
@pytest.mark.parametrize(
    "text", ["fill the frame", "balance the frame", "tidy up the frame", "use the whole frame"]
)
def test_a_match_held_only_by_a_noun_for_the_picture_is_not_taken(text: str) -> None:
    # Each clears the score threshold and the anchor margin against "hold the last frame" (a freeze)
    # through the shared word "frame" alone.
    from editbay.engine.parse import _embedding_fallback
    from editbay.engine.parse._clause import Clause, Context

    matcher = _embed.get_matcher()
    assert matcher is not None
    near = matcher.nearest(text)
    assert near.accepted and near.op is not None and near.op["op"] == "freeze"
    assert matcher.rests_on_picture_noun(text, near)
    clause = Clause(text=text, ctx=Context())
    clause.refuse(NOT_UNDERSTOOD)
    notes: list[str] = []
    _embedding_fallback(clause, notes)
    assert not clause.ops and not notes and [u.reason for u in clause.unsupported] == [NOT_UNDERSTOOD]


@needs_model
def test_a_paraphrase_that_names_the_frame_is_still_read_as_a_freeze_of_the_last_frame() -> None:
    plan = parse("linger on the final frame")
    assert [op.op for op in plan.operations] == ["freeze"], plan
    assert plan.operations[0].at < 0  # type: ignore[union-attr]  # the last frame, as "freeze" means
