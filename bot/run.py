"""Start the whole assistant on one machine: `make run` (or `python -m bot.run` inside the venv).

Starts the reference dossier service (unless DOSSIER_API_URL points elsewhere), the action server, the Rasa
server (REST channel on RASA_PORT, 5005 by default), the web chat page and, when their settings are present,
the Telegram bridge and the dossier notifier. Logs go to var/log/.

SIGINT (Ctrl-C), SIGTERM or SIGHUP to this process alone stops every process it started, whatever signal
dispositions it inherited (a script's `cmd &` starts it with SIGINT ignored): the handlers are installed
explicitly, children run in process groups of their own with default dispositions, and bot.stack escalates from
SIGTERM to SIGKILL after a grace period and waits for each of them.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import time

from bot import settings as settings_module
from bot.stack import cluster, rasa_config
from bot.stack.plan import latest_model, services
from bot.stack.processes import ServiceFailed, Stack


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _claim_pid_file(path) -> bool:
    """Record this run; False when another run of the stack is alive."""
    if path.exists():
        try:
            other = int(path.read_text().strip())
        except ValueError:
            other = 0
        if other and other != os.getpid() and _pid_alive(other):
            return False
    path.write_text(str(os.getpid()))
    return True


def _rasa_token(cfg) -> str:
    """RASA_TOKEN if set; otherwise one per machine kept in var/rasa_token (mode 600) for local tools."""
    if cfg.rasa_token:
        return cfg.rasa_token
    path = cfg.var_dir / "rasa_token"
    if not path.exists():
        path.write_text(secrets.token_hex(32))  # token_urlsafe may start with "-", which reads as an option
        path.chmod(0o600)
    return path.read_text().strip()


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _install_stop_handlers() -> None:
    """The first stop signal raises KeyboardInterrupt in the main thread; later ones are ignored, so the
    clean-up that follows is never interrupted half way."""
    stopping = False

    def _stop(signum, frame):  # noqa: ARG001 - signal handler signature
        nonlocal stopping
        if stopping:
            return
        stopping = True
        raise KeyboardInterrupt

    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    for signum in _STOP_SIGNALS:
        signal.signal(signum, _stop)


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bot.run", description="Start the whole assistant.")
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="nginx in front of several Rasa and action servers on PostgreSQL + Redis "
        "(make run-cluster; bot/stack/cluster.py)",
    )
    parser.add_argument(
        "--nodes",
        type=int,
        default=int(os.environ.get("CLUSTER_NODES") or 2),
        help="Rasa servers and action servers each, with --cluster (CLUSTER_NODES, 2)",
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    _install_stop_handlers()
    args = _arguments(argv)
    settings_module.load_dotenv()
    cfg = settings_module.load()
    cfg.var_dir.mkdir(parents=True, exist_ok=True)
    pid_file = cfg.var_dir / "run.pid"
    if not _claim_pid_file(pid_file):
        print(
            f"Trợ lý Dịch vụ công is already running (pid {pid_file.read_text().strip()}): "
            f"web chat {cfg.web_url}, REST {cfg.rasa_url}/webhooks/rest/webhook. Stop it with Ctrl-C first."
        )
        return 1
    model = latest_model(cfg.models_dir)
    if model is None:
        print(f"No trained model in {cfg.models_dir}. Run `make run` (it trains one) or `make train`.")
        pid_file.unlink(missing_ok=True)
        return 2
    cfg = settings_module.StackSettings(
        **{
            **cfg.__dict__,
            "rasa_token": _rasa_token(cfg),
            "actions_token": cfg.actions_token or secrets.token_hex(32),
        }
    )
    if args.cluster:
        plan, cfg = cluster.cluster_services(cfg, model, nodes=args.nodes, action_nodes=args.nodes)
    else:
        endpoints, credentials = rasa_config.write(cfg)
        plan = services(cfg, model, endpoints, credentials)
    stack = Stack(plan, cfg.var_dir / "log")

    try:
        print(f"Starting with model {model.name}; logs in {cfg.var_dir / 'log'} ...", flush=True)
        stack.start()
        print(
            "\nTrợ lý Dịch vụ công is running:\n"
            f"  web chat:      {cfg.web_url}\n"
            f"  REST channel:  {cfg.rasa_url}/webhooks/rest/webhook\n"
            f"  action server: {cfg.actions_url}\n"
            f"  dossier API:   {cfg.dossier_api_url or cfg.reference_dossier_url}\n"
            + (
                f"  cluster:       nginx in front of {args.nodes} Rasa and {args.nodes} action servers, "
                f"PostgreSQL tracker store, Redis lock store\n"
                if args.cluster
                else ""
            )
            + "Press Ctrl-C to stop.",
            flush=True,
        )
        while True:
            dead = stack.dead()
            if dead:
                names = ", ".join(s.name for s in dead)
                print(f"Stopped because {names} exited; see {cfg.var_dir / 'log'}.", file=sys.stderr)
                return 1
            time.sleep(1)
    except ServiceFailed as exc:
        print(f"Could not start: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        return 0
    finally:
        stack.stop()
        pid_file.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
