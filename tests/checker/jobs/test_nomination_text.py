"""What a cluster proposes, in the reader's language."""

from __future__ import annotations

import pytest

from checker.jobs.scorecards import nomination_text
from checker.scoring.ranking import Nomination

PROPOSED = Nomination("cum-1", "000.01.31.H99", (), ("000.01.31.H99",))
TIED = Nomination("cum-1", None, ("000.01.31.H99", "000.02.31.H99"), ())
NOBODY = Nomination("cum-1", None, (), ())


@pytest.mark.parametrize(
    ("nomination", "vietnamese"),
    [
        (PROPOSED, "cum-1: đề nghị 000.01.31.H99"),
        (TIED, "cum-1: bằng điểm giữa 000.01.31.H99, 000.02.31.H99, cần biểu quyết"),
        (NOBODY, "cum-1: không có đơn vị đạt loại cao nhất để đề nghị"),
    ],
)
def test_a_nomination_reads_vietnamese_by_default(nomination, vietnamese):
    assert nomination_text(nomination) == vietnamese


@pytest.mark.parametrize(
    ("nomination", "english_text"),
    [
        (PROPOSED, "cum-1: proposes 000.01.31.H99"),
        (TIED, "cum-1: equal points between 000.01.31.H99, 000.02.31.H99, a vote must decide"),
        (NOBODY, "cum-1: no unit reached the highest grade to propose"),
    ],
)
def test_a_nomination_reads_english_on_request(english, nomination, english_text):
    assert nomination_text(nomination) == english_text
