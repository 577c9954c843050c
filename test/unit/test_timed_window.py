"""The timed simulation's throughput is the steady state: the buffers' fill is left out."""

from __future__ import annotations

from eecc.timed import steady_window


def rows(admissions: list[int]) -> list[list[int]]:
    return [[i, t, t + 10] for i, t in enumerate(admissions)]


def test_the_window_is_the_second_half_by_admission_order() -> None:
    samples = rows([0, 5, 10, 100, 200, 300])
    samples.reverse()  # the report's order does not matter
    assert [s[0] for s in steady_window(samples)] == [3, 4, 5]
    assert len(steady_window(rows([0, 1, 2]))) == 3  # too short to split


def test_a_filling_buffer_does_not_raise_the_measured_rate() -> None:
    # 16 samples admitted at once (an empty 16-map buffer), then one per 100 cycles
    admissions = list(range(16)) + [16 + 100 * k for k in range(1, 49)]
    window = steady_window(rows(admissions))
    rate = (len(window) - 1) / (window[-1][1] - window[0][1])
    whole = (len(admissions) - 1) / (admissions[-1] - admissions[0])
    assert rate == 1 / 100
    assert whole > 1.3 / 100  # what the whole run would have claimed
