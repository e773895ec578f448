"""nginx in front of gunicorn for the paced phase, as README's production deployment has it.

gunicorn's sync workers serve one connection at a time and read a request as soon as they
accept its connection. wrk opens its connections first and, with a delay(), sends on each
only 1-3 s later, so a worker would sit blocked on an idle connection that whole time: the
paced phase would measure idle sockets, not votes. nginx holds the idle client connections
and passes gunicorn complete requests, which is also what a real site behind it sees.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

CONFIG = """\
{user}worker_processes 1;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/nginx-body;
    proxy_temp_path {workdir}/nginx-proxy;
    fastcgi_temp_path {workdir}/nginx-fastcgi;
    uwsgi_temp_path {workdir}/nginx-uwsgi;
    scgi_temp_path {workdir}/nginx-scgi;
    keepalive_timeout 60s;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port} backlog=2048;
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def nginx_path() -> str:
    """Return nginx's path, or explain how to install it."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise RuntimeError("nginx is not installed: apt-get install -y nginx-light "
                           "(Debian's package; the paced phase runs behind it)")
    return found


def start_nginx(port: int, upstream: int, workdir: Path) -> subprocess.Popen:
    """Start nginx on 127.0.0.1:`port` proxying to `upstream`; wait until it listens."""
    # As root, nginx would hand its workers to "nobody", who cannot use our private workdir.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    config = workdir / "nginx.conf"
    config.write_text(CONFIG.format(user=user, workdir=workdir, port=port, upstream=upstream))
    log = workdir / "nginx.log"
    proc = subprocess.Popen([nginx_path(), "-p", str(workdir), "-c", str(config), "-e", "stderr"],
                            stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"nginx did not start; see {log}")
