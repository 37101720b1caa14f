"""
The portal as it runs in production, for tests: `portal.settings.production` (manifest static storage,
DEBUG off, secure cookies, HTTPS behind a proxy), `collectstatic` into a temporary STATIC_ROOT, and the
ASGI server as its own process (uvicorn with several workers, as deploy/systemd/portal-web.service
runs it) on the test database and the test Redis. A client that speaks to it as the reverse proxy
does (X-Forwarded-Proto: https) and keeps the secure cookies itself.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.janus_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database, as a URL for another process."""
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{settings_dict['NAME']}"


def production_env(static_root: Path, **extra: str) -> dict[str, str]:
    """The environment of a production process: fresh secrets, the test database and Redis."""
    from django.conf import settings

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "JANUS_", "TEST_")) and key not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        FIELD_ENCRYPTION_KEY=secrets.token_urlsafe(32),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url(),
        DATABASE_POOL_MAX="4",
        REDIS_URL=settings.REDIS_URL,
        STATIC_ROOT=str(static_root),
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def collectstatic(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


class AsgiServer:
    """`uvicorn portal.asgi:application --workers N` in a process group of its own, stopped by its PID."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 2, host: str = "127.0.0.1") -> None:
        self.env, self.log, self.workers, self.host = env, log, workers, host
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 60) -> AsgiServer:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "portal.asgi:application",
                    f"--host={self.host}",
                    f"--port={self.port}",
                    f"--workers={self.workers}",
                    "--proxy-headers",
                    f"--forwarded-allow-ips={self.host}",
                    "--lifespan=off",
                    "--log-level=warning",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited: {self.log.read_text()[-3000:]}")
            try:
                httpx.get(f"{self.url}/accounts/login/", timeout=2)
                return self
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn did not answer: {self.log.read_text()[-3000:]}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


class ProxiedClient:
    """
    Talks to the ASGI server the way the reverse proxy forwards a browser's HTTPS requests
    (X-Forwarded-Proto: https) and keeps the cookies, secure ones included, as the browser would.
    """

    def __init__(self, base_url: str, origin: str | None = None, cafile: Path | None = None) -> None:
        self.base_url = base_url
        self.origin = origin or "https://" + base_url.split("://", 1)[1]
        self.cookies: dict[str, str] = {}
        verify = ssl.create_default_context(cafile=str(cafile)) if cafile else True
        self.client = httpx.Client(base_url=base_url, timeout=30, follow_redirects=False, verify=verify)

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.client.request(method, path, headers=headers, **kwargs)
        for name, value in response.cookies.items():
            self.cookies[name] = value
        return response

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def login(self, username: str, password: str) -> httpx.Response:
        page = self.get("/accounts/login/")
        assert page.status_code == 200, page.status_code
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.request(
            "POST",
            "/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
            headers={"Origin": self.origin, "Referer": f"{self.origin}/accounts/login/"},
        )
        assert response.status_code == 302, (response.status_code, response.text[:2000])
        return response

    def close(self) -> None:
        self.client.close()


STATIC_REF = re.compile(r'(?:src|href)="(/static/[^"]+)"')


def static_refs(html: str) -> set[str]:
    return set(STATIC_REF.findall(html))


def production_password(password: str) -> str:
    """A password hash the production settings accept (the test settings hash with MD5 for speed)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    return PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt())


def self_signed_certificate(folder: Path, name: str = "portal.test") -> tuple[Path, Path]:
    """(certificate, key) for `name` and 127.0.0.1, valid for a day."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name},IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class Nginx:
    """
    Debian's nginx with deploy/nginx/portal.conf.in rendered for this machine: TLS on a free port of
    127.0.0.1 (and plain HTTP on another), in front of an ASGI server and a Janus.
    """

    def __init__(self, folder: Path, values: dict[str, str]) -> None:
        self.folder = folder
        self.https_port = free_port()
        self.http_port = free_port()
        while self.http_port == self.https_port:  # the kernel may hand out the same free port twice
            self.http_port = free_port()
        self.values = values
        self.process: subprocess.Popen | None = None

    def render(self) -> Path:
        from deploy.render import render_text

        text = render_text((ROOT / "deploy" / "nginx" / "portal.conf.in").read_text(), self.values)
        # The template listens on 80 and 443 of every address; here, on free ports of loopback.
        text = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", text)
        text = text.replace("listen 80;", f"listen 127.0.0.1:{self.http_port};")
        text = text.replace("listen 443 ssl", f"listen 127.0.0.1:{self.https_port} ssl")
        (self.folder / "portal.conf").write_text(text)
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.folder / sub).mkdir(exist_ok=True)
        conf = self.folder / "nginx.conf"
        conf.write_text(
            f"""
worker_processes 2;
pid {self.folder}/nginx.pid;
error_log {self.folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {self.folder}/body;
    proxy_temp_path {self.folder}/proxy;
    fastcgi_temp_path {self.folder}/fastcgi;
    uwsgi_temp_path {self.folder}/uwsgi;
    scgi_temp_path {self.folder}/scgi;
    include {self.folder}/portal.conf;
}}
"""
        )
        return conf

    def test_config(self) -> subprocess.CompletedProcess:
        conf = self.render()
        return subprocess.run(
            ["nginx", "-t", "-p", str(self.folder), "-c", str(conf)], capture_output=True, text=True, timeout=60
        )

    def start(self) -> Nginx:
        conf = self.render()
        self.process = subprocess.Popen(
            ["nginx", "-p", str(self.folder), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "stderr.log").open("ab"),
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{self.http_port}/", timeout=2)
                return self
            except httpx.TransportError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((self.folder / "stderr.log").read_text()[-2000:]) from None
                time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
