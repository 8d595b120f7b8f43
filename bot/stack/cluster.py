"""The scaled-out stack on one machine (`make run-cluster`): nginx in front of several Rasa servers and several
action servers, a PostgreSQL tracker store and a Redis lock store, plus the same web page, channels and notifier.

    clients ──► nginx :RASA_PORT ──► rasa-1, rasa-2 … (127.0.0.1, free ports)  ── tracker store: PostgreSQL
                                         │                                      ── lock store: Redis (one turn
                                         ▼                                         per conversation at a time)
                nginx :ACTIONS_PORT ──► action-server-1, action-server-2 …     ── lookup limits: Redis

- A request is passed to another Rasa node only when it could not be sent at all (connection refused): a POST
  that reached a node is never repeated, so no turn is answered twice; the turn in flight on a node that dies
  gets 502 and the caller may send it again.
- When no action server answers, nginx itself answers Rasa with the polite `utter_actions_unavailable`.
- DATABASE_URL / REDIS_URL name real servers; without them PostgreSQL and Redis run under var/cluster/.
The same `Stack` supervises everything (bot/stack/processes.py), so a signal to the supervisor stops it all.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Optional

from bot import portal
from bot.settings import StackSettings
from bot.stack import local_db, rasa_config
from bot.stack.plan import services as single_node_services
from bot.stack.processes import Service, free_port


def actions_down_answer() -> dict:
    """What nginx answers Rasa for an action call when no action server is reachable (rasa-sdk's format)."""
    return {"events": [], "responses": [{"response": "utter_actions_unavailable", "hotline": portal.hotline()}]}


DEFAULT_LOCK_LIFETIME = "15"  # seconds a dead node's lock on a conversation lasts (Rasa's default is 60)


def nginx_binary() -> str:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        raise FileNotFoundError("nginx not installed (Debian package nginx; scripts/system-deps.sh)")
    return found


def nginx_conf(
    prefix: Path, host: str, rasa_port: int, actions_port: int, rasa_nodes: Iterable[int], action_nodes: Iterable[int]
) -> str:
    """nginx.conf for the cluster (pure; tested with `nginx -t`)."""

    def upstream(name: str, ports: Iterable[int]) -> str:
        servers = "".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in ports)
        return f"    upstream {name} {{\n{servers}    }}\n"

    temp = "".join(
        f"    {kind}_temp_path {prefix}/tmp/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    down = json.dumps(actions_down_answer(), ensure_ascii=True).replace("'", "\\'")
    return f"""# Written by bot/stack/cluster.py for this run; not edited by hand.
{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 2048; }}
http {{
    access_log off;
{temp}{upstream("rasa_nodes", rasa_nodes)}{upstream("action_nodes", action_nodes)}
    # Rasa: REST and channel webhooks, the HTTP API. Only requests that could not be sent move to another node
    # (POST is never retried once sent: no turn is handled twice).
    server {{
        listen {host}:{rasa_port};
        client_max_body_size 1m;
        location / {{
            proxy_pass http://rasa_nodes;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_connect_timeout 2s;
            proxy_read_timeout 120s;
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 0;
        }}
    }}
    # Action servers, for the Rasa nodes; when none answers, a polite answer instead of silence.
    server {{
        listen {host}:{actions_port};
        client_max_body_size 8m;
        location / {{
            proxy_pass http://action_nodes;
            proxy_http_version 1.1;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            proxy_next_upstream error timeout;
            error_page 502 503 504 = @actions_down;
        }}
        location @actions_down {{
            default_type application/json;
            return 200 '{down}';
        }}
    }}
}}
"""


def _with_port(service: Service, name: str, port: int, flag: str, host_flag: Optional[str] = None) -> Service:
    argv = list(service.argv)
    argv[argv.index(flag) + 1] = str(port)
    if host_flag:
        argv[argv.index(host_flag) + 1] = "127.0.0.1"  # nodes are internal; nginx is the public face
    return replace(service, name=name, argv=argv, port=port, host="127.0.0.1")


def cluster_services(
    cfg: StackSettings, model: Path, nodes: int = 2, action_nodes: int = 2, skip: Iterable[str] = ()
) -> tuple[list[Service], StackSettings]:
    """Services in start order and the settings they were built from (with the database and Redis URLs)."""
    folder = cfg.var_dir / "cluster"
    plan: list[Service] = []
    database_url, redis_url = cfg.database_url, cfg.redis_url
    if not database_url:
        service, database_url = local_db.postgres_service(folder / "postgresql", free_port())
        plan.append(service)
    if not redis_url:
        service, redis_url = local_db.redis_service(folder / "redis", free_port())
        plan.append(service)
    cfg = replace(cfg, database_url=database_url, redis_url=redis_url)
    endpoints, credentials = rasa_config.write(cfg)
    # Subscriptions and feedback in PostgreSQL, channel state and lookup limits in Redis (bot/stack/plan.py).
    shared = {
        "DATABASE_URL": database_url,
        "TICKET_LOCK_LIFETIME": os.environ.get("TICKET_LOCK_LIFETIME") or DEFAULT_LOCK_LIFETIME,
    }
    rasa_ports = [free_port() for _ in range(nodes)]
    action_ports = [free_port() for _ in range(action_nodes)]
    prefix = folder / "nginx"
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_conf(prefix, cfg.host, cfg.rasa_port, cfg.actions_port, rasa_ports, action_ports))
    for service in single_node_services(cfg, model, endpoints, credentials):
        service = replace(service, env={**service.env, **shared})
        if service.name == "action-server":
            plan += [
                _with_port(service, f"action-server-{i + 1}", port, "--port") for i, port in enumerate(action_ports)
            ]
        elif service.name == "rasa":
            plan += [
                _with_port(service, f"rasa-{i + 1}", port, "--port", "--interface") for i, port in enumerate(rasa_ports)
            ]
            plan.append(
                Service(
                    "nginx",
                    [nginx_binary(), "-e", "stderr", "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                    port=cfg.rasa_port,
                    host=cfg.host,
                    health_path="/",
                )
            )
        else:
            plan.append(service)
    skipped = set(skip)
    return [s for s in plan if s.name not in skipped], cfg
