"""A TLS-terminating proxy in front of a plain-HTTP server, for check-health over https://.

Usage: tls_proxy.py CERT KEY UPSTREAM_BASE_URL. Prints the port it listens on (127.0.0.1), then
forwards each GET to UPSTREAM_BASE_URL + path and answers with the upstream's status and body.
"""

import http.server
import ssl
import sys
import urllib.error
import urllib.request

cert, key, upstream = sys.argv[1], sys.argv[2], sys.argv[3].rstrip("/")


class Forward(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            with urllib.request.urlopen(upstream + self.path, timeout=5) as answer:
                status, body = answer.status, answer.read()
        except urllib.error.HTTPError as refused:
            status, body = refused.code, refused.read()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Forward)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
