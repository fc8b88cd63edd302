# Drives one keep-alive connection through the proxy while toxics come and go through the API.
# Usage: keepalive_client.py API_PORT PROXY_NAME PROXY_PORT. Prints one "name=value" per check.
import http.client, json, sys, time, urllib.request

api, proxy, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])

def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{api}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return r.status, r.read()

def add(toxic):
    status, body = call("POST", f"/proxies/{proxy}/toxics", toxic)
    return json.loads(body)

conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
def get(path, method="GET", headers={}):
    conn.request(method, path, headers=headers)
    r = conn.getresponse()
    return r, r.read()

r, body = get("/a")
print("plain", r.status, body.decode())
sock = conn.sock

added = add({"name": "partner-down", "type": "http_abort",
             "attributes": {"status": 503, "path": "/data*", "retry_after": 2}})
print("added_attrs", json.dumps(added["attributes"], sort_keys=True))
r, body = get("/data/1?x=1")
print("abort", r.status, r.getheader("X-Faultline-Fault"), r.getheader("Retry-After"))
r, body = get("/b")
print("after_abort", r.status, body.decode())
print("same_socket", conn.sock is sock)

add({"name": "slow", "type": "http_delay", "attributes": {"latency": "300", "path": "/slow"}})
t = time.monotonic()
r, body = get("/slow")
print("delay", r.status, int((time.monotonic() - t) * 1000) >= 250)

add({"name": "teapot", "type": "http_status", "attributes": {"status": 418, "method": "HEAD"}})
r, body = get("/h", method="HEAD")
print("status", r.status, r.getheader("X-Faultline-Fault"), len(body))

call("DELETE", f"/proxies/{proxy}/toxics/partner-down")
r, body = get("/data/2")
print("removed", r.status, body.decode())

r, body = get("/connections")
print("upstream_connections", body.decode())
print("same_socket_end", conn.sock is sock)

add({"name": "cut", "type": "http_reset", "attributes": {"when": "headers", "mode": "close", "path": "/cut"}})
try:
    r, body = get("/cut")
    print("cut", "complete", r.status, len(body))
except (http.client.IncompleteRead, http.client.RemoteDisconnected, ConnectionError) as e:
    print("cut", type(e).__name__)
