#!/usr/bin/env bash
# Checks LeanXnioProxy.java (the proxy-client probe) against a Python upstream: headers both ways, query and escaped
# path, a chunked body, Connection: close, 204, HEAD, what it answers 502 to (a request body, a close-framed response),
# a 200 MiB body read slowly (byte-identical, not buffered), a pooled connection whose upstream restarted, a client gone
# mid-body, and 32 connections on the chunked answer. Exits non-zero at the first failed check.
# Usage: [PROBE_PORT=4720 UPSTREAM_PORT=4721] [EDGE_JAR=gateway/target/edge.jar] lean-probe-check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
P=${PROBE_PORT:-4720} U=${UPSTREAM_PORT:-4721} jar=${EDGE_JAR:-gateway/target/edge.jar}
work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cat > "$work/upstream.py" <<'PY'
import http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        p = self.path
        if p.startswith("/echo"):
            body = ("%s %s\n" % (self.command, self.path) + "".join("%s: %s\n" % kv for kv in self.headers.items())).encode()
            self.send_response(200); self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "keep-alive, X-Drop"); self.send_header("X-Drop", "1"); self.send_header("Keep-Alive", "timeout=5")
            self.end_headers(); self.wfile.write(body)
        elif p == "/chunked":
            self.send_response(200); self.send_header("Transfer-Encoding", "chunked"); self.send_header("Trailer", "X-T"); self.end_headers()
            for i in range(50):
                c = (("chunk%d-" % i) * 100).encode()
                self.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(c), c))
            self.wfile.write(b"0\r\nX-T: yes\r\n\r\n")
        elif p == "/big":
            n = 200 * 1024 * 1024
            self.send_response(200); self.send_header("Content-Length", str(n)); self.end_headers()
            blk = bytes(range(256)) * 256
            for _ in range(n // len(blk)): self.wfile.write(blk)
        elif p == "/close":
            self.send_response(200); self.send_header("Content-Length", "7"); self.send_header("Connection", "close"); self.end_headers()
            self.wfile.write(b"closing"); self.close_connection = True
        elif p == "/nolen":
            self.send_response(200); self.send_header("Connection", "close"); self.end_headers(); self.wfile.write(b"until close"); self.close_connection = True
        elif p == "/204":
            self.send_response(204); self.end_headers()
        else:
            self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
    do_HEAD = do_GET
    do_POST = do_GET
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
start_upstream() {
  python3 "$work/upstream.py" "$U" >> "$work/upstream.log" 2>&1 & up=$!; pids+=($up)  # its resets when the probe cuts a body: expected
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$U/x" && return 0; sleep 0.1; done; echo "upstream did not start" >&2; exit 1
}
check() { if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got '$2', want '$3'" >&2; exit 1; fi; }
start_upstream
java -Xmx512m -cp "$jar" loadtest/scripts/LeanXnioProxy.java 127.0.0.1:$P http://127.0.0.1:$U 1 > "$work/probe.log" 2>&1 & probe=$!; pids+=($probe)
for _ in $(seq 1 300); do curl -s -o /dev/null http://127.0.0.1:$P/echo && break; sleep 0.1; done
curl -s -D "$work/h" -o "$work/b" -H 'X-Forwarded-For: 1.2.3.4' -H 'Connection: X-Secret' -H 'X-Secret: s' -H 'X-Keep: k' \
  "http://127.0.0.1:$P/echo/a%20b?q=1&r=2"
check "request line" "$(head -1 "$work/b")" "GET /echo/a%20b?q=1&r=2"
check "Host passed" "$(grep -c "^Host: 127.0.0.1:$P$" "$work/b")" 1
check "end-to-end header passed" "$(grep -c '^X-Keep: k$' "$work/b")" 1
check "Connection-named request header dropped" "$(grep -ci '^X-Secret' "$work/b" || true)" 0
check "X-Forwarded-For appended" "$(grep -c '^X-Forwarded-For: 1.2.3.4, 127.0.0.1$' "$work/b")" 1
check "X-Forwarded-Proto/-Host" "$(grep -c -e '^X-Forwarded-Proto: http$' -e "^X-Forwarded-Host: 127.0.0.1:$P$" "$work/b")" 2
check "response hop-by-hop and Connection-named headers dropped" "$(grep -ci -e '^X-Drop' -e '^Keep-Alive' "$work/h" || true)" 0
check "chunked body" "$(curl -s http://127.0.0.1:$P/chunked | md5sum)" "$(curl -s http://127.0.0.1:$U/chunked | md5sum)"
check "Connection: close upstream" "$(curl -s -w ' %{http_code}' http://127.0.0.1:$P/close)" "closing 200"
check "after it, a new connection" "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$P/echo)" 200
check "204" "$(curl -s -o /dev/null -w '%{http_code} %{size_download}' http://127.0.0.1:$P/204)" "204 0"
check "HEAD" "$(curl -sI -o /dev/null -w '%{http_code}' http://127.0.0.1:$P/echo)" 200
check "a request body: 502 (omitted)" "$(curl -s -o /dev/null -w '%{http_code}' -d abc http://127.0.0.1:$P/echo)" 502
check "a close-framed response: 502 (omitted)" "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$P/nolen)" 502
check "404 passed" "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$P/x)" 404
check "200 MiB read at 40 MB/s" "$(curl -s --limit-rate 40M http://127.0.0.1:$P/big | md5sum)" "$(curl -s http://127.0.0.1:$U/big | md5sum)"
rss=$(ps -o rss= -p $probe); echo "     probe RSS after it: $((rss / 1024)) MiB (-Xmx512m)"
kill $up; wait $up 2>/dev/null || true; start_upstream; sleep 0.3
check "pooled connection whose upstream restarted" "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$P/echo)" 200
curl -s -m 1 --limit-rate 10M http://127.0.0.1:$P/big > /dev/null || true; sleep 0.3
check "after a client gone mid-body" "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$P/echo)" 200
out=$(wrk -t1 -c32 -d3s http://127.0.0.1:$P/chunked)
check "32 connections on the chunked answer: no errors" "$(grep -cE 'Non-2xx|Socket errors' <<<"$out" || true)" 0
echo "all checks passed; $(grep 'requests in' <<<"$out")"
