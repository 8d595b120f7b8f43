"""bot.stack.processes: children start with default signal dispositions whatever the parent ignores, and stop()
ends every process of every group, escalating to SIGKILL when SIGTERM is ignored."""

import signal
import sys
import textwrap
import time

from bot.stack.processes import Service, Stack, free_port, port_open

# Ignores SIGTERM, starts a grandchild in its process group, listens on a port, writes the grandchild's pid.
STUBBORN = textwrap.dedent("""
    import signal, socket, subprocess, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    open(sys.argv[2], "w").write(str(child.pid))
    server = socket.socket(); server.bind(("127.0.0.1", int(sys.argv[1]))); server.listen()
    time.sleep(120)
""")


def _ignored_signals(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("SigIgn:"):
            return int(line.split()[1], 16)
    raise AssertionError("no SigIgn line")


def _alive(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_children_do_not_inherit_ignored_stop_signals(tmp_path):
    previous = [signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)]
    try:
        stack = Stack(
            [Service("sleeper", [sys.executable, "-c", "import time; time.sleep(120)"], port=None)], tmp_path / "log"
        )
        stack.start()
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])
    try:
        pid = stack.running[0][1].pid
        ignored = _ignored_signals(pid)
        assert not ignored & (1 << (signal.SIGINT - 1))
        assert not ignored & (1 << (signal.SIGTERM - 1))
    finally:
        stack.stop()
    assert not _alive(pid)


def test_stop_escalates_to_sigkill_and_ends_the_whole_group(tmp_path):
    port, pid_file = free_port(), tmp_path / "grandchild.pid"
    stack = Stack(
        [Service("stubborn", [sys.executable, "-c", STUBBORN, str(port), str(pid_file)], port=port)], tmp_path / "log"
    )
    stack.start()
    leader = stack.running[0][1].pid
    grandchild = int(pid_file.read_text())
    assert _alive(grandchild) and port_open("127.0.0.1", port)
    stack.stop(grace=1.0)
    assert stack.running == []
    assert not _alive(leader)
    deadline = time.monotonic() + 10  # the orphaned grandchild is reaped by init: poll, bounded
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(grandchild)
    assert not port_open("127.0.0.1", port)


def test_free_ports_are_distinct_and_outside_the_ephemeral_range():
    # An outgoing connection takes its local port from the ephemeral range; a service port chosen there could be
    # taken between choosing and starting (a cluster test once failed so: "port … is already in use").
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports)
    assert all(20000 <= p < 32000 for p in ports)
