"""deploy/nginx/registry.conf: `nginx -t`, then real HTTPS requests through nginx to a live server."""
import json
import os
import re
import shutil
import subprocess
import time

from .nginx_conf import nginx_main_conf, write_conf
from .report import expect, failed, guarded, passed
from .setup import clean_environ, free_port, run_tool, stop_process


def check_upstream_keepalive(server_port):
    """Connections from nginx to the registry left open after the requests: keep-alive works."""
    port = f"{int(server_port):04X}"
    established = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[2].endswith(":" + port) and fields[3] == "01":
                established += 1
    expect(established >= 1, f"upstream keep-alive: {established} idle connection(s) from nginx to the registry stay open after the requests")


def grep(pattern, text):
    """The lines of TEXT that match PATTERN (case-insensitive), like `grep -i`."""
    return [line for line in text.split("\n") if re.search(pattern, line, re.I)]


def admin_key(setup, server):
    r = subprocess.run([setup.cli, "create-admin-key", "--name", "deploy-check"], cwd=server.folder,
                       env={**clean_environ(), "PYRMUTE_REGISTRY_DATABASE_URL": f"sqlite:///{server.folder}/registry.db"},
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=setup.as_service_user)
    lines = r.stdout.split("\n")
    return next((lines[i + 1] for i, line in enumerate(lines[:-1]) if line.startswith("API Key (save this")), "")


def audited_client_ip(rows):
    """The client_ip of the audit row of the forged request, or ""."""
    if not isinstance(rows, list):
        rows = next((v for v in rows.values() if isinstance(v, list)), [])
    return next((str(r.get("client_ip")) for r in rows if r.get("correlation_id") == "deploy-check-xff"), "")


class Client:
    """curl to registry.example.com on the TLS port, trusting the throwaway certificate."""

    def __init__(self, folder, tls_port):
        self.url = f"https://registry.example.com:{tls_port}"
        self.headers_path = os.path.join(folder, "headers")
        self.curl = ["curl", "-sS", "--max-time", "10", "--resolve", f"registry.example.com:{tls_port}:127.0.0.1",
                     "--cacert", os.path.join(folder, "tls.crt")]

    def status(self, path, *options):
        """The status code (curl's error and "000" when it fails) and the answer's headers."""
        _, out = run_tool(self.curl + ["-o", "/dev/null", "-D", self.headers_path, "-w", "%{http_code}", *options,
                                       self.url + path])
        return out, self.headers()

    def code(self, path, *options):
        return run_tool(self.curl + ["-o", "/dev/null", "-w", "%{http_code}", *options, self.url + path])[1]

    def body(self, path, *options):
        r = subprocess.run(self.curl + [*options, self.url + path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           text=True)
        return r.stdout

    def headers(self):
        try:
            with open(self.headers_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def check_requests(setup, server, folder, tls_port, http_port):
    """Real requests through nginx: request ids, HSTS, the API key headers, X-Forwarded-For,
    upstream keep-alive and the HTTP->HTTPS redirect."""
    key = admin_key(setup, server)
    if not key:
        failed("create-admin-key gave no key")
    client = Client(folder, tls_port)

    status, headers = client.status("/health/live", "-H", "X-Request-ID: deploy-check-42")
    if status == "200" and re.search(r"^X-Correlation-ID: deploy-check-42", headers, re.I | re.M):
        passed("HTTPS through nginx: /health/live 200; the X-Request-ID sent comes back as X-Correlation-ID")
    else:
        failed(f"HTTPS through nginx: status {status}, headers: {headers.replace(chr(13), '').replace(chr(10), ' ')}")
    if re.search(r"^Strict-Transport-Security: max-age=", headers, re.I | re.M):
        passed("HSTS header on HTTPS answers")
    else:
        failed("no Strict-Transport-Security header")

    status, headers = client.status("/health/live")
    if re.search(r"^X-Correlation-ID: [0-9a-f]{32}\r?$", headers, re.I | re.M):
        passed("without X-Request-ID nginx makes one ($request_id), answered as X-Correlation-ID")
    else:
        failed(f"no nginx-made request id came back: {chr(10).join(grep('correlation', headers))}")

    for name, expected, auth in (("none", "401", []),
                                 ("x-api-key-valid", "200", ["-H", f"X-API-Key: {key}"]),
                                 ("bearer-valid", "200", ["-H", f"Authorization: Bearer {key}"]),
                                 ("x-api-key-invalid", "401", ["-H", "X-API-Key: not-a-key-0123456789"]),
                                 ("bearer-invalid", "401", ["-H", "Authorization: Bearer not-a-key-0123456789"])):
        code = client.code("/schemas", *auth)
        if code == expected:
            passed(f"GET /schemas through nginx with auth on, key: {name} -> {code}")
        else:
            failed(f"GET /schemas through nginx, key: {name} -> {code} (expected {expected})")

    # X-Forwarded-For: the client connects from 127.0.0.2 and forges an X-Forwarded-For; nginx
    # appends 127.0.0.2, connects to the registry from 127.0.0.1 (a trusted proxy); the audit row
    # must name 127.0.0.2.
    code = client.code("/schemas/deploy-check/versions", "--interface", "127.0.0.2", "-X", "POST",
                       "-H", "X-Forwarded-For: 198.51.100.7", "-H", "X-Request-ID: deploy-check-xff",
                       "-H", "X-API-Key: not-a-key-0123456789", "-H", "Content-Type: application/json", "--data", "{}")
    client_ip = ""
    for _ in range(40):
        try:
            client_ip = audited_client_ip(json.loads(
                client.body("/audit-logs?path_prefix=/schemas/deploy-check", "-H", f"X-API-Key: {key}")))
        except (ValueError, AttributeError):
            client_ip = ""
        if client_ip:
            break
        time.sleep(0.25)
    if code == "401" and client_ip == "127.0.0.2":
        passed("X-Forwarded-For through nginx: the audit trail records the client 127.0.0.2, not the forged "
               "198.51.100.7 nor nginx's 127.0.0.1")
    else:
        failed(f"X-Forwarded-For through nginx: status {code}, audited client_ip '{client_ip}' (expected 127.0.0.2)")

    guarded("upstream-keepalive", check_upstream_keepalive, server.port)

    _, status = run_tool(["curl", "-sS", "--max-time", "5", "-o", "/dev/null", "-D", client.headers_path,
                          "-w", "%{http_code}", "-H", "Host: registry.example.com",
                          f"http://127.0.0.1:{http_port}/schemas?x=1"])
    headers = client.headers()
    location = re.escape("https://registry.example.com/schemas?x=1")
    if status == "301" and re.search(r"^Location: " + location, headers, re.I | re.M):
        passed("plain HTTP answers 301 to https:// with the path and query")
    else:
        failed(f"plain HTTP: status {status}, {chr(10).join(grep('^Location', headers))}")


def answers(url):
    """Anything answers HTTP at URL (curl -s without -f)."""
    return run_tool(["curl", "-s", "-o", "/dev/null", "--max-time", "1", url])[0] == 0


def run(setup):
    folder = os.path.join(setup.work, "nginx")
    os.makedirs(os.path.join(folder, "logs"), exist_ok=True)
    os.makedirs(os.path.join(folder, "tmp"), exist_ok=True)
    if not shutil.which("nginx"):
        failed("nginx is not installed")
        return
    rc, out = run_tool(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "1", "-subj", "/CN=registry.example.com",
                        "-addext", "subjectAltName=DNS:registry.example.com",
                        "-keyout", os.path.join(folder, "tls.key"), "-out", os.path.join(folder, "tls.crt")])
    if rc != 0:
        failed(f"openssl could not make a throwaway certificate: {out}")
        return

    server = setup.start_server("nginx-server", PYRMUTE_REGISTRY_ENABLE_AUTH="true",
                                PYRMUTE_REGISTRY_TRUSTED_PROXIES="127.0.0.1")
    if not server:
        failed("a server behind nginx did not start")
        return
    try:
        tls_port, http_port = free_port(), free_port()
        if not guarded("nginx-conf", write_conf, os.path.join(setup.deploy, "nginx", "registry.conf"),
                       os.path.join(folder, "registry.conf"), tls_port, http_port, server.port,
                       os.path.join(folder, "tls.crt"), os.path.join(folder, "tls.key")):
            return
        main_conf = os.path.join(folder, "nginx.conf")
        with open(main_conf, "w") as f:
            f.write(nginx_main_conf(folder))

        rc, out = run_tool(["nginx", "-t", "-p", folder, "-c", main_conf])
        if rc == 0 and "test is successful" in out and not re.search(r"\[warn\]|\[emerg\]|\[alert\]", out):
            passed("nginx -t: syntax ok, test successful, no warnings")
        else:
            failed(f"nginx -t: {out}")
            return

        with open(os.path.join(folder, "logs", "stdout.log"), "w") as nginx_log:
            nginx = setup.start(["nginx", "-p", folder, "-c", main_conf, "-g", "daemon off;"], stdin=subprocess.DEVNULL,
                                stdout=nginx_log, stderr=subprocess.STDOUT)
        for _ in range(100):
            if answers(f"http://127.0.0.1:{http_port}/") or nginx.poll() is not None:
                break
            time.sleep(0.1)

        check_requests(setup, server, folder, tls_port, http_port)

        stop_process(nginx, "QUIT")
        if nginx.poll() is not None and not answers(f"http://127.0.0.1:{http_port}/"):
            passed("nginx stopped (nothing listens on its ports)")
        else:
            failed(f"nginx still runs (pid {nginx.pid})")
        errors = [line for line in read_lines(os.path.join(folder, "logs", "error.log"))
                  if re.search(r"\[emerg\]|\[alert\]|\[crit\]", line)]
        if errors:
            failed(f"nginx error log: {chr(10).join(errors[:3])}")
    finally:
        stop_process(server.process)


def read_lines(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()
    except OSError:
        return []
