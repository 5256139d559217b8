"""A CI-sized burst: four visitors upload different 12-megapixel photos at the same moment.

Runs ``scripts/burst.py``'s burst against a server of its own and asserts what the
hosted demo promises under a crowd: every visitor is served (the four default tiles
drawn under their own photo's size, no exception), whoever waits sees the queue,
and the server's peak memory stays under a bound that follows from the gate and the
store's budget, not from the number of visitors. The figures are printed (``-s``).
"""

from __future__ import annotations

import pytest

from e2e_support import StreamlitServer
from scripts.burst import MB, run_burst
from ui.compute.gate import SLOTS
from ui.compute.store import BUDGET_BYTES

pytestmark = pytest.mark.e2e

VISITORS = 4
JOB_PEAK_MB = 350
"""What one full-size job may add while it runs: a 12 MP palette adds at most 225 MB
(the benchmark), its reconstruction, preview and PNG a little more."""
MEMOS_MB = 320
"""quant's memos of the last two images (codes, histograms, grids) at 12 MP."""
SLACK_MB = 250
"""Streamlit's own buffers, uploads (a few MB per visitor), allocator fragmentation."""


def test_a_burst_is_served_in_turn_within_the_memory_bound(fresh_server: StreamlitServer) -> None:
    # fresh_server: a server of this module's own, so its memory holds only the burst.
    report = run_burst(fresh_server, VISITORS, after_s=5.0, timeout_s=480.0)
    print(report.table())
    problems = {visit.index: visit.problems for visit in report.visits if visit.problems}
    assert problems == {}
    assert report.served == VISITORS
    # Four uploads at once on a gate of SLOTS (2 here): somebody had to wait, and saw it.
    assert any(visit.saw_queue for visit in report.visits)
    bound = report.idle_bytes + BUDGET_BYTES + (SLOTS * JOB_PEAK_MB + MEMOS_MB + SLACK_MB) * MB
    assert report.peak_bytes < bound, (report.peak_bytes // MB, bound // MB)
