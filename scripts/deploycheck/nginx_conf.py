"""The nginx configuration to run deploy/nginx/registry.conf here: the file with this machine's
ports and certificate, inside a main nginx.conf that keeps everything in a temporary folder."""
import os
import re

from .report import expect


def write_conf(source, target, tls_port, http_port, server_port, cert, key):
    """A copy of the file with this machine's ports and certificate; every replaced piece must be
    found, so an edit of the file cannot leave a part of it untested. True when written."""
    with open(source, encoding="utf-8") as f:
        text = f.read()
    replacements = [
        (r"^(\s*)listen 443 ssl;", rf"\1listen 127.0.0.1:{tls_port} ssl;"),
        (r"^(\s*)listen 80;", rf"\1listen 127.0.0.1:{http_port};"),
        (r"^\s*listen \[::\]:(443 ssl|80);\n", ""),
        (r"^(\s*)server 127\.0\.0\.1:8000;", rf"\1server 127.0.0.1:{server_port};"),
        (r"/etc/nginx/tls/pyrmute-registry\.crt", cert),
        (r"/etc/nginx/tls/pyrmute-registry\.key", key),
    ]
    missing = []
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text, flags=re.M)
        if count == 0:
            missing.append(pattern)
    if not expect(not missing, "registry.conf: the listen, upstream and certificate lines to run it here are found",
                  f"not found: {missing}"):
        return False
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    location = re.search(r"location / \{(.*?)\n    \}", text, re.S)
    body = location.group(1) if location else ""
    required = ["proxy_http_version 1.1;", 'proxy_set_header Connection "";', "proxy_set_header X-Forwarded-For",
                "proxy_set_header X-Request-ID", "proxy_set_header X-API-Key $http_x_api_key;",
                "proxy_set_header Authorization $http_authorization;"]
    absent = [r for r in required if r not in body]
    upstream = re.search(r"upstream pyrmute_registry \{(.*?)\}", text, re.S)
    keepalive = bool(upstream and re.search(r"\bkeepalive \d+;", upstream.group(1)))
    expect(not absent and keepalive and "TRUSTED_PROXIES" in text,
           "registry.conf: location sets HTTP/1.1, Connection \"\", X-Forwarded-For, X-Request-ID, X-API-Key, "
           "Authorization; upstream keepalive; TRUSTED_PROXIES explained",
           f"not found: {absent + ([] if keepalive else ['upstream keepalive'])}")
    return True


def nginx_main_conf(folder):
    """The main nginx.conf around registry.conf: everything nginx writes stays in FOLDER."""
    lines = ["user root;"] if os.getuid() == 0 else []   # the workers read the temp prefix below
    lines += [
        "worker_processes 1;",
        f"pid {folder}/nginx.pid;",
        f"error_log {folder}/logs/error.log warn;",
        "events { worker_connections 128; }",
        "http {",
        f"    access_log {folder}/logs/access.log;",
        f"    client_body_temp_path {folder}/tmp/client_body;",
        f"    proxy_temp_path {folder}/tmp/proxy;",
        f"    fastcgi_temp_path {folder}/tmp/fastcgi;",
        f"    uwsgi_temp_path {folder}/tmp/uwsgi;",
        f"    scgi_temp_path {folder}/tmp/scgi;",
        f"    include {folder}/registry.conf;",
        "}",
    ]
    return "\n".join(lines) + "\n"
