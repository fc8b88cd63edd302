# A keep-alive HTTP/1.1 upstream for the http_faults e2e test, plus a TCP echo port for the
# non-HTTP case. Prints "listening HTTP_PORT ECHO_PORT" and serves until killed.
import http.server, socket, socketserver, sys, threading

connections = 0
requests = 0

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def setup(self):
        global connections
        connections += 1
        super().setup()
    def log_message(self, *args):
        pass
    def answer(self, body_wanted):
        global requests
        requests += 1
        if self.path == "/requests":  # how many requests came before this one
            body = str(requests - 1).encode()
        elif self.path == "/connections":
            body = str(connections).encode()
        else:
            body = ("path=" + self.path).encode()
        length = int(self.headers.get("Content-Length") or 0)
        seen = self.rfile.read(length) if length else b""
        if self.headers.get("X-Faultline-Abort") or self.headers.get("X-Faultline-Delay"):
            body = b"client fault header reached the upstream"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body_wanted:
            self.wfile.write(body)
    def do_GET(self):
        self.answer(True)
    def do_POST(self):
        self.answer(True)
    def do_HEAD(self):
        self.answer(False)

class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(65536)
            if not data:
                return
            self.request.sendall(data)

httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
echo = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
echo.daemon_threads = True
threading.Thread(target=echo.serve_forever, daemon=True).start()
print("listening", httpd.server_address[1], echo.server_address[1], flush=True)
httpd.serve_forever()
