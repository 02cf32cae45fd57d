"""Named points where a test may kill the process (SIGKILL) to prove exactly-once recovery.

`OVERTURE_CRASH_AT=<name>` makes `crash_point(name)` kill the current process on the spot,
with no cleanup, as a power cut or OOM kill would. Unset (always, outside the crash tests)
it costs one dictionary lookup. With `OVERTURE_CRASH_ONCE=<file>` as well, only the process
that creates `<file>` dies: of replicas sharing one job queue, the first to reach the point
(whichever it is), and none after it; a test arms it by deleting the file.
"""

from __future__ import annotations

import os
import signal

ENV = "OVERTURE_CRASH_AT"
ONCE_ENV = "OVERTURE_CRASH_ONCE"


def crash_point(name: str) -> None:
    """Die here, now, if the crash test asked for `name`."""
    if os.environ.get(ENV) != name:
        return
    once = os.environ.get(ONCE_ENV)
    if once:
        try:
            os.close(os.open(once, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return  # disarmed, or another process died here already
    os.kill(os.getpid(), signal.SIGKILL)
