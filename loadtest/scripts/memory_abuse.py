# Driver for loadtest/scripts/memory-abuse.sh: python3 memory_abuse.py PORT (see that script).
import socket, sys, threading, time, http.client
port = int(sys.argv[1])
def get(path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120); c.request("GET", path); r = c.getresponse(); b = r.read(); c.close(); return r.status, b[:40]
res = []
def hog():
    try: res.append(get("/hog"))
    except Exception as e: res.append(("err", str(e)))
for rnd in range(2):
    ts = [threading.Thread(target=hog) for _ in range(16)]
    [t.start() for t in ts]; [t.join() for t in ts]
from collections import Counter
print("hogs:", Counter((s, b.split(b'=')[0] if isinstance(b, bytes) else b) for s, b in res))
print("hello after hogs:", get("/"))
# 150 clients each holding a partly sent 2 MiB body
socks = []
chunk = b"x" * 65536
for i in range(150):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % (2 << 20))
    socks.append(s)
sent = 0
for k in range(31):  # 31 * 64 KiB = 1.94 MiB of each body
    for s in socks:
        try: s.sendall(chunk)
        except Exception as e: pass
print("150 partial 2 MiB bodies held; health:", get("/.well-known/spin/health"), "hello:", get("/"))
answers = Counter()
for s in socks:
    s.settimeout(0.2)
    try:
        d = s.recv(100); answers[d.split(b"\r\n")[0]] += 1
    except Exception: answers["no answer yet"] += 1
print("early answers to the body holders:", answers)
for s in socks: s.close()
time.sleep(1)
print("after:", get("/"), get("/.well-known/spin/health"))
