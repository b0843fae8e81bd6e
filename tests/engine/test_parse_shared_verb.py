"""A verbless time clause borrows the verb of the clause before it."""

import pytest

from editbay.engine.ops import MediaInfo
from editbay.engine.plan import plan_edit

MEDIA = MediaInfo(width=640, height=360, duration=6.0, fps=30.0, has_audio=True)


@pytest.mark.parametrize(
    ("instruction", "duration"),
    [
        ("remove the first second and the last second", 4.0),
        ("cut the first 2 seconds and the last second", 3.0),
        ("trim the first second and the last 2 seconds", 3.0),
        ("chop off the first second, then the final second", 4.0),
    ],
)
def test_removal_verb_carries_to_the_next_time_clause(instruction, duration):
    plan = plan_edit(instruction, media=MEDIA)
    assert plan.output_duration == pytest.approx(duration, abs=0.05)


def test_keep_clause_followed_by_another_edit_is_unchanged():
    plan = plan_edit("keep the first 2 seconds and make it black and white", media=MEDIA)
    assert plan.output_duration == pytest.approx(2.0, abs=0.05)
    assert {op.op for op in plan.operations} == {"trim", "grade"}
