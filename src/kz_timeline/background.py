"""Threads whose work can wait: they give the core to the thread that cannot."""

from __future__ import annotations

import os
import sys
import threading

#: How many nice steps lower a background thread runs than the thread that started it. Under Linux's scheduler ten
#: steps give it about a tenth of a contested core's time (weights 110 against 1024) and all of an idle one.
BACKGROUND_NICENESS = 10


def lower_priority() -> None:
    """Lower the calling thread's scheduling priority by BACKGROUND_NICENESS (on Linux; elsewhere, nothing).

    Threads it starts afterwards inherit the lower priority. A process may always lower its own priority; it can
    never raise it again, so only threads that end with their work call this.
    """
    if sys.platform != "linux":
        return
    thread = threading.get_native_id()  # on Linux a thread is scheduled on its own, by this id
    try:
        now = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, now + BACKGROUND_NICENESS))
    except OSError:
        pass  # the scheduler refused: the thread runs at the priority it had
