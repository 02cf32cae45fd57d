"""Named points where a test may kill the process (SIGKILL) to prove exactly-once recovery.

`OVERTURE_CRASH_AT=<name>` makes `crash_point(name)` kill the current process on the spot,
with no cleanup, as a power cut or OOM kill would. Unset (always, outside the crash tests)
it costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "OVERTURE_CRASH_AT"


def crash_point(name: str) -> None:
    """Die here, now, if the crash test asked for `name`."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
