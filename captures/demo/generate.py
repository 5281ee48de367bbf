#!/usr/bin/env python3
"""Generate privaudit's bundled demo: one recorded session of "Mobile Office".

Mobile Office (Seeyon M3, first-party domain seeyon.com) is a Chinese
enterprise mobile-office app. This script replays one session of the app on
the loopback interface. The clients, the servers and the packets are all real:

  * a small DNS server (UDP, 127.0.0.53:53) answers the app's A queries with
    distinct loopback addresses, one for each host;
  * threaded HTTP/1.1 servers (http.server) listen on port 80 and 443 of each of
    those addresses. On port 443 the connection is wrapped with Python's ssl
    module, using a certificate from a throwaway demo CA made with openssl;
  * the "phone" (source address 127.0.5.10) resolves every host with a real DNS
    query, then talks to the answered address with http.client. It trusts the
    demo CA and writes its TLS secrets to an NSS key log
    (ssl.SSLContext.keylog_filename);
  * tcpdump records the traffic between the phone and the demo addresses
    (`tcpdump -i lo --immediate-mode -U -w ...`). Afterwards
    `editcap --inject-secrets tls,<keylog>` embeds the key log in the pcapng as
    a Decryption Secrets Block.

The script then checks the result with tshark and writes, next to itself:

  mobile-office.pcapng   the capture, with the TLS key log embedded
  mobile-office.keylog   the same key log as a separate file (SSLKEYLOGFILE format)
  device.toml            the test phone's identifiers
  consent.txt            RFC 3339 UTC time (microseconds) at which the user agreed
  README.md              what the session contains, step by step

The device values are fixed. Only things that are random on a real phone
(session UUIDs, DNS IDs, ports, TLS keys, timestamps) change between runs.

Run it as root (tcpdump and the privileged ports need root):

  sudo python3 captures/demo/generate.py [--out DIR]
  sudo python3 captures/demo/generate.py --next-release   # writes captures/demo/4.6.0/

`--next-release` records the app's next version (4.6.0) for version diffs: the
same session, except that Umeng no longer receives the Android ID (one data type
less) and a GrowingIO analytics SDK, new in this release, uploads an event with
the OAID and the device model over plain HTTP (one SDK more).

Python 3 standard library only, plus tcpdump, editcap, tshark and openssl.
"""

import argparse
import base64
import contextlib
import datetime as dt
import gzip
import hashlib
import http.client
import http.server
import json
import os
import random
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from pathlib import Path
from urllib.parse import quote_plus, urlencode, urlsplit

# ---------------------------------------------------------------------------
# The test phone. These values are fixed; device.toml is written from them.
# ---------------------------------------------------------------------------

DEVICE_NAME = "Xiaomi MI 9 test phone"
IMEI = "866910041573828"            # TAC 86691004, serial 157382, Luhn check digit 8
ANDROID_ID = "3f8a6c2e91b7d054"     # Settings.Secure.ANDROID_ID, 64 bits as hex
WIFI_MAC = "AC:C1:EE:5D:3A:91"      # Xiaomi OUI AC:C1:EE; unicast, globally administered
OAID = "7c2f9e41-5a3d-4b8e-9f16-2d0a8c4e6b13"
PHONE_NUMBER = "13911472658"        # China Mobile 139 range
MODEL = "MI 9"
BRAND = "Xiaomi"
OS_VERSION = "12"
LATITUDE = 39.984120                # Zhongguancun, Haidian District, Beijing (WGS-84)
LONGITUDE = 116.307480

# The user and the app.
LOGIN_NAME = "zhangwei"
PASSWORD = "Zw#M3demo2021"
ORG_ID = "-7273032013234748168"    # Seeyon ids are signed 64-bit numbers
APP_PACKAGE = "com.seeyon.cmp"
APP_VERSION = "4.5.0"
USER_AGENT = "okhttp/3.12.1"
PRIVACY_VERSION = "20210813"       # the agreement's release date, 2021/8/13

# The next release (--next-release): one SDK more, one data type less.
NEXT_VERSION = "4.6.0"
NEXT_SDK_HOST = "api.growingio.com"
NEXT_SDK_IP = "127.0.20.6"
GROWINGIO_PROJECT = "9a3b6c1d8e2f4a5b"
next_release = False

# SDK keys baked into the app (not personal data).
BUGLY_APPID = "e3f6a1c9b2"
UMENG_APPKEY = "5f1a2b3c4d5e6f7081920a3b"
AMAP_KEY = "7d3c9b1e5f2a48c6b0e4d8f1a3c5e7b9"
JPUSH_APPKEY = "a6c1e8f3b2d4907e5c1f3a8b"
GETUI_APPID = "djYjSlFVMf6p5YOy2OQUs8"

# ---------------------------------------------------------------------------
# Network layout (all on lo).
# ---------------------------------------------------------------------------

PHONE_IP = "127.0.5.10"
DNS_IP = "127.0.0.53"
HOSTS = {
    "m3.seeyon.com": "127.0.10.1",
    "api.seeyon.com": "127.0.10.2",
    "android.bugly.qq.com": "127.0.20.1",
    "alog.umeng.com": "127.0.20.2",
    "restapi.amap.com": "127.0.20.3",
    "tsis.jpush.cn": "127.0.20.4",
    "sdk.open.phone.igexin.com": "127.0.20.5",
}
# Server: header per host, as the real services roughly answer.
SERVER_BANNERS = {
    "m3.seeyon.com": "nginx",
    "api.seeyon.com": "nginx",
    "android.bugly.qq.com": "nginx",
    "alog.umeng.com": "Tengine",
    "restapi.amap.com": "Tengine",
    "tsis.jpush.cn": "nginx",
    "sdk.open.phone.igexin.com": "nginx",
}
DNS_TTL = 600
CAPTURE_FILTER = (f"host {PHONE_IP} and (host {DNS_IP} "
                  "or net 127.0.10.0/24 or net 127.0.20.0/24)")

# Pause before each step, in seconds (fixed, so runs look alike).
STEP_DELAYS = [0.21, 0.18, 0.26, 0.17, 0.23, 0.19, 0.28, 0.16, 0.22, 0.20]

CAPTURE = "mobile-office.pcapng"
KEYLOG = "mobile-office.keylog"
TOOLS = ("tcpdump", "editcap", "tshark", "openssl")


class DemoError(Exception):
    """A failure with a message meant for the user."""


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------
# Device value checks (the demo must only carry valid identifiers).
# ---------------------------------------------------------------------------

def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def check_device_values():
    assert re.fullmatch(r"86\d{13}", IMEI) and luhn_ok(IMEI), "IMEI"
    assert re.fullmatch(r"[0-9a-f]{16}", ANDROID_ID), "Android ID"
    octets = [int(x, 16) for x in WIFI_MAC.split(":")]
    assert len(octets) == 6 and not octets[0] & 1 and any(octets), "MAC"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", OAID), "OAID"
    assert re.fullmatch(r"1[3-9]\d{9}", PHONE_NUMBER), "phone number"
    # Haidian District lies roughly within 39.88..40.16 N, 116.04..116.39 E.
    assert 39.88 < LATITUDE < 40.16 and 116.04 < LONGITUDE < 116.39, "location"


# ---------------------------------------------------------------------------
# DNS: a minimal authoritative server and a minimal stub resolver.
# ---------------------------------------------------------------------------

def dns_encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        raw = label.encode("ascii")
        if not 0 < len(raw) < 64:
            raise ValueError(f"bad DNS label in {name!r}")
        out += bytes([len(raw)]) + raw
    return out + b"\x00"


def dns_read_name(msg, off):
    """Read a (possibly compressed) name; return (name, offset after it)."""
    labels, end, jumps = [], None, 0
    while True:
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            jumps += 1
            if jumps > 16:
                raise ValueError("DNS compression loop")
            continue
        off += 1
        if n == 0:
            break
        labels.append(msg[off:off + n].decode("ascii"))
        off += n
    return ".".join(labels), (end if end is not None else off)


class DnsServer:
    """Answers A queries for the demo hosts; NXDOMAIN for anything else."""

    def __init__(self, ip, table):
        self.table = {k.lower(): v for k, v in table.items()}
        self.queries = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.sock.bind((ip, 53))
        except OSError as e:
            self.sock.close()
            raise DemoError(f"cannot bind the demo DNS server to {ip}:53: {e}") from e
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dns", daemon=True)

    def start(self):
        self._thread.start()

    def close(self):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2)
        self.sock.close()

    def _run(self):
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(1500)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                reply = self.answer(data)
            except (ValueError, IndexError, struct.error):
                continue
            if reply:
                self.sock.sendto(reply, peer)

    def answer(self, query):
        qid, flags, qd, _an, _ns, _ar = struct.unpack(">HHHHHH", query[:12])
        if flags & 0x8000 or qd != 1:
            return None
        name, off = dns_read_name(query, 12)
        qtype, qclass = struct.unpack(">HH", query[off:off + 4])
        question = query[12:off + 4]
        addr = self.table.get(name.lower())
        self.queries.append((name, qtype, addr))
        rcode = 0 if addr else 3  # NXDOMAIN for names outside the demo
        opcode = (flags >> 11) & 0xF
        rflags = 0x8000 | (opcode << 11) | 0x0400 | (flags & 0x0100) | 0x0080 | rcode
        answers = b""
        if addr and qtype == 1 and qclass == 1:
            answers = (b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, DNS_TTL, 4)
                       + socket.inet_aton(addr))
        return (struct.pack(">HHHHHH", qid, rflags, 1, 1 if answers else 0, 0, 0)
                + question + answers)


class StubResolver:
    """The phone's resolver: one A query per host, cached like Android does."""

    def __init__(self, server_ip, source_ip):
        self.server = (server_ip, 53)
        self.source_ip = source_ip
        self.cache = {}

    def resolve(self, host):
        if host in self.cache:
            return self.cache[host]
        qid = random.getrandbits(16)
        query = (struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)  # RD=1
                 + dns_encode_name(host) + struct.pack(">HH", 1, 1))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((self.source_ip, 0))
            s.settimeout(2.0)
            s.sendto(query, self.server)
            while True:
                try:
                    reply, peer = s.recvfrom(1500)
                except socket.timeout as e:
                    raise DemoError(f"DNS query for {host} timed out") from e
                if peer == self.server and reply[:2] == query[:2]:
                    break
        addr = self._parse(host, reply)
        self.cache[host] = addr
        return addr

    @staticmethod
    def _parse(host, msg):
        _qid, flags, qd, an, _ns, _ar = struct.unpack(">HHHHHH", msg[:12])
        if not flags & 0x8000 or flags & 0xF:
            raise DemoError(f"DNS lookup of {host} failed (rcode {flags & 0xF})")
        off = 12
        for _ in range(qd):
            _, off = dns_read_name(msg, off)
            off += 4
        for _ in range(an):
            _, off = dns_read_name(msg, off)
            rtype, rclass, _ttl, rdlen = struct.unpack(">HHIH", msg[off:off + 10])
            off += 10
            if rtype == 1 and rclass == 1 and rdlen == 4:
                return socket.inet_ntoa(msg[off:off + 4])
            off += rdlen
        raise DemoError(f"DNS answer for {host} has no A record")


# ---------------------------------------------------------------------------
# Servers: what each service answers.
# ---------------------------------------------------------------------------

def tiny_png(width=16, height=16, rgb=(0x1F, 0x6F, 0xEB)):
    """A valid solid-colour PNG (the 'image' the app fetches)."""
    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def now_ms():
    return int(time.time() * 1000)


def route(host, path):
    """Return (status, content type, body) for a request."""
    def js(obj):
        return 200, "application/json;charset=UTF-8", json.dumps(obj, ensure_ascii=False).encode()

    if host == "android.bugly.qq.com" and path == "/rqd/async":
        return js({"ret": 0, "msg": "success", "serverTime": now_ms()})
    if host == "api.seeyon.com" and path == "/m3/privacy/agree":
        return js({"code": 0, "message": "ok", "data": {"version": PRIVACY_VERSION, "agreed": True}})
    if host == "m3.seeyon.com" and path == "/mobile_portal/api/verification/login":
        return js({"code": "200", "message": "", "data": {
            "ticket": uuid.uuid4().hex, "serverVersion": "V8.1SP2", "expire": 7200}})
    if host == "api.seeyon.com" and path == "/seeyon/rest/m3/contacts/sync":
        return js({"code": 0, "data": {"hasMore": False, "members": [], "syncTime": now_ms()}})
    if host == "alog.umeng.com" and path == "/app_logs":
        return js({"success": "ok"})
    if host == "restapi.amap.com" and path == "/v3/geocode/regeo":
        return js({"status": "1", "info": "OK", "infocode": "10000", "regeocode": {
            "formatted_address": "北京市海淀区中关村街道",
            "addressComponent": {"country": "中国", "province": "北京市", "city": [],
                                 "citycode": "010", "district": "海淀区", "adcode": "110108",
                                 "township": "中关村街道", "towncode": "110108010000"}}})
    if host == "tsis.jpush.cn" and path == "/v1/report":
        return js({"code": 0, "msg": "success"})
    if host == "sdk.open.phone.igexin.com" and path == "/api.php":
        return js({"result": "ok", "code": 0})
    if host == NEXT_SDK_HOST and path == f"/v3/projects/{GROWINGIO_PROJECT}/collect":
        return js({"status": "ok"})
    if host == "m3.seeyon.com" and path == "/mobile_portal/api/message/unread":
        return js({"code": "200", "data": {"total": 3, "im": 1, "collaboration": 2}})
    if host == "api.seeyon.com" and path == "/seeyon/fileUpload.do":
        return 200, "image/png", tiny_png()
    return 404, "application/json;charset=UTF-8", b'{"code":404,"message":"not found"}'


class AppHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive
    sys_version = ""
    timeout = 15
    disable_nagle_algorithm = True  # like nginx: no 40 ms Nagle/delayed-ACK stalls
    wbufsize = -1                   # status, headers and body leave in one write

    def version_string(self):
        return self.server.banner

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self._serve()

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        status, ctype, payload = route(host, urlsplit(self.path).path)
        self.server.seen.append((self.command, host, self.path, len(body)))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, fmt, *args):
        pass


class TlsAppHandler(AppHandler):
    def setup(self):
        # The TLS handshake runs in the connection's own thread.
        self.request.settimeout(self.timeout)
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request = self.server.tls_context.wrap_socket(self.request, server_side=True)
        super().setup()

    def finish(self):
        super().finish()
        # Answer the client's close_notify with ours, then close the TCP connection.
        # (socketserver only closes the raw socket, which the SSLSocket took over.)
        sock = self.request
        with contextlib.suppress(OSError, ValueError):
            sock = sock.unwrap()
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
        sock.close()


class DemoHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, addr, handler, banner, seen, tls_context=None):
        self.banner = banner
        self.seen = seen
        self.tls_context = tls_context
        super().__init__(addr, handler)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        self.seen.append(("ERROR", str(client_address), repr(exc), 0))


# ---------------------------------------------------------------------------
# Demo CA and server certificate (throwaway, made with openssl).
# ---------------------------------------------------------------------------

def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise DemoError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.strip()}")
    return proc.stdout


def make_certificates(work):
    ca_key, ca_crt = work / "ca.key", work / "ca.crt"
    key, csr, crt, ext = work / "server.key", work / "server.csr", work / "server.crt", work / "server.ext"
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(ca_key), "-out", str(ca_crt), "-days", "30", "-sha256",
         "-subj", "/O=privaudit demo/CN=privaudit throwaway demo CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", "/CN=m3.seeyon.com"])
    ext.write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\n"
        "subjectAltName=" + ",".join(f"DNS:{h}" for h in HOSTS) + "\n")
    run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key),
         "-set_serial", "0x" + os.urandom(8).hex(), "-days", "30", "-sha256",
         "-extfile", str(ext), "-out", str(crt)])
    return ca_crt, crt, key


# ---------------------------------------------------------------------------
# The phone: http.client with an OkHttp-like header set and connection pool.
# ---------------------------------------------------------------------------

class Phone:
    def __init__(self, resolver, tls_context):
        self.resolver = resolver
        self.tls_context = tls_context
        self.pool = {}

    def _connection(self, scheme, host):
        key = (scheme, host)
        if key in self.pool:
            return self.pool[key]
        ip = self.resolver.resolve(host)   # a real DNS query, once per host

        def create_connection(address, timeout=None, source_address=None):
            return socket.create_connection((ip, address[1]), timeout,
                                            source_address=(PHONE_IP, 0))

        if scheme == "https":
            conn = http.client.HTTPSConnection(host, 443, timeout=10, context=self.tls_context)
        else:
            conn = http.client.HTTPConnection(host, 80, timeout=10)
        conn._create_connection = create_connection
        self.pool[key] = conn
        return conn

    def request(self, method, url, body=None, content_type=None, extra_headers=(),
                before_send=None):
        # The moment the app starts the call (before DNS/connect); used for the consent time.
        sent_at = before_send() if before_send else None
        parts = urlsplit(url)
        conn = self._connection(parts.scheme, parts.hostname)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = [("X-App-Version", APP_VERSION), *extra_headers]
        if body is not None:
            headers += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        headers += [("Host", parts.hostname), ("Connection", "Keep-Alive"),
                    ("Accept-Encoding", "gzip"), ("User-Agent", USER_AGENT)]
        if conn.sock is None:
            conn.connect()             # DNS is already done; open TCP (and TLS) now
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise DemoError(f"{method} {url} -> HTTP {resp.status}")
        return {"method": method, "url": url, "host": parts.hostname, "target": target,
                "scheme": parts.scheme, "status": resp.status, "response_bytes": len(data),
                "request_bytes": len(body or b""), "body": body, "headers": headers,
                "sent_at": sent_at}

    def close(self, scheme, host):
        conn = self.pool.pop((scheme, host), None)
        if conn is None:
            return
        if isinstance(conn.sock, ssl.SSLSocket):
            # Send close_notify (as Android's SSLSocket.close() does) and wait for the server's.
            with contextlib.suppress(OSError, ValueError):
                conn.sock = conn.sock.unwrap()
        conn.close()

    def close_all(self):
        for key in list(self.pool):
            self.close(*key)


def rfc3339_utc(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def run_session(phone):
    """The app session, in order. Returns the list of steps performed."""
    steps = []
    session_start_ms = now_ms()
    bugly_aid = str(uuid.uuid4())
    umeng_session = str(uuid.uuid4())
    imei_md5 = hashlib.md5(IMEI.encode("ascii")).hexdigest()
    location = f"{LONGITUDE:.6f},{LATITUDE:.6f}"            # AMap wants lng,lat
    consent = {}

    def step(key, title, delay, fn):
        time.sleep(delay)
        rec = fn()
        rec.update(key=key, title=title)
        steps.append(rec)
        log(f"  {key}. {rec['method']} {rec['url']} -> {rec['status']}")

    # a. App start, before consent: the Bugly crash SDK reports the Wi-Fi MAC.
    bugly_form = urlencode([("appid", BUGLY_APPID), ("sdkver", "3.4.4"), ("pkg", APP_PACKAGE),
                            ("appver", APP_VERSION), ("mac", WIFI_MAC), ("model", MODEL),
                            ("os", f"Android {OS_VERSION}")], safe=":").encode()
    step("a", "App start, before consent: Bugly receives the Wi-Fi MAC", STEP_DELAYS[0],
         lambda: phone.request("POST", f"http://android.bugly.qq.com/rqd/async?aid={bugly_aid}&p=1",
                               bugly_form, "application/x-www-form-urlencoded"))

    # b. The user taps "agree": the consent marker. The time is read when the app starts
    #    sending this request (before its DNS lookup), so every packet of it comes after.
    def mark_consent():
        consent["time"] = dt.datetime.now(dt.timezone.utc)
        return consent["time"]
    step("b", "Consent: the user agrees to the privacy agreement", STEP_DELAYS[1],
         lambda: phone.request("GET", f"http://api.seeyon.com/m3/privacy/agree?version={PRIVACY_VERSION}",
                               before_send=mark_consent))

    # c. First-party login over HTTPS.
    login = json.dumps({"loginName": LOGIN_NAME, "password": PASSWORD, "phone": PHONE_NUMBER,
                        "deviceModel": MODEL, "clientType": "android",
                        "appVersion": APP_VERSION}, separators=(",", ":")).encode()
    step("c", "First-party login over HTTPS (name, password, phone number, device model)",
         STEP_DELAYS[2],
         lambda: phone.request("POST", "https://m3.seeyon.com/mobile_portal/api/verification/login",
                               login, "application/json; charset=utf-8"))
    # The login client is separate from the app's main client and is shut down
    # after login, so the next HTTPS call opens a second TLS connection.
    phone.close("https", "m3.seeyon.com")

    # d. First-party call in plaintext carrying the phone number.
    step("d", "First-party contacts sync over plain HTTP with the phone number in the URL",
         STEP_DELAYS[3],
         lambda: phone.request("GET", "http://api.seeyon.com/seeyon/rest/m3/contacts/sync"
                                      f"?mobile={PHONE_NUMBER}&orgId={ORG_ID}&lastSyncTime=0"))

    # e. Umeng analytics: IMEI and Android ID in a gzip-compressed JSON body.
    umeng_header = {"appkey": UMENG_APPKEY, "imei": IMEI, "android_id": ANDROID_ID,
                    "device_model": MODEL, "os": "Android", "os_version": OS_VERSION,
                    "sdk_type": "Android", "sdk_version": "9.4.7", "app_version": APP_VERSION,
                    "package_name": APP_PACKAGE, "channel": "Umeng", "resolution": "2340*1080"}
    if next_release:
        # The next release stops sending the Android ID to Umeng.
        del umeng_header["android_id"]
    umeng = json.dumps({
        "header": umeng_header,
        "analytics": {"sessions": [{"id": umeng_session, "start_time": session_start_ms}]},
    }, separators=(",", ":")).encode()
    step("e", "Umeng receives the IMEI" + ("" if next_release else " and the Android ID")
         + " (gzip JSON)", STEP_DELAYS[4],
         lambda: phone.request("POST", "http://alog.umeng.com/app_logs",
                               gzip.compress(umeng, mtime=0), "application/json; charset=utf-8",
                               extra_headers=[("Content-Encoding", "gzip")]))

    # f. AMap reverse geocoding with the GPS fix.
    step("f", "AMap receives the GPS position (lng,lat)", STEP_DELAYS[5],
         lambda: phone.request("GET", f"http://restapi.amap.com/v3/geocode/regeo?key={AMAP_KEY}"
                                      f"&location={location}&extensions=base"))

    # g. JPush receives the MD5 of the IMEI.
    jpush = json.dumps({"platform": "a", "imei_md5": imei_md5, "appkey": JPUSH_APPKEY,
                        "sdk_ver": "4.2.4"}, separators=(",", ":")).encode()
    step("g", "JPush receives the MD5 of the IMEI", STEP_DELAYS[6],
         lambda: phone.request("POST", "http://tsis.jpush.cn/v1/report", jpush,
                               "application/json; charset=utf-8"))

    # h. GeTui receives the OAID inside base64-encoded JSON in a form field.
    getui_json = json.dumps({"oaid": OAID, "brand": BRAND, "appid": GETUI_APPID,
                             "sdk_version": "3.2.2.0"}, separators=(",", ":"))
    getui_b64 = base64.b64encode(getui_json.encode()).decode("ascii")
    getui_form = f"data={quote_plus(getui_b64)}".encode()
    step("h", "GeTui receives the OAID (base64 JSON in a form field)", STEP_DELAYS[7],
         lambda: phone.request("POST", "http://sdk.open.phone.igexin.com/api.php", getui_form,
                               "application/x-www-form-urlencoded"))

    # i. More first-party traffic: a second TLS connection, and an image (negative case).
    step("i1", "First-party unread-message count over HTTPS (second TLS connection)",
         STEP_DELAYS[8],
         lambda: phone.request("GET", "https://m3.seeyon.com/mobile_portal/api/message/unread"))
    step("i2", "First-party image fetch over plain HTTP, no personal data", STEP_DELAYS[9],
         lambda: phone.request("GET", "http://api.seeyon.com/seeyon/fileUpload.do"
                                      "?method=download&fileId=-5483916237450318622&type=image&size=small",
                               extra_headers=[("Accept", "image/webp,image/*,*/*;q=0.8")]))
    growingio = None
    if next_release:
        # j. New in the next release: GrowingIO analytics, OAID and model in plain HTTP.
        growingio = json.dumps([{"t": "vst", "d": APP_PACKAGE, "s": str(uuid.uuid4()),
                                 "oaid": OAID, "dm": MODEL, "av": APP_VERSION,
                                 "tm": now_ms()}], separators=(",", ":")).encode()
        step("j", "GrowingIO (new SDK) receives the OAID and the device model", STEP_DELAYS[9],
             lambda: phone.request("POST", f"http://{NEXT_SDK_HOST}/v3/projects/"
                                           f"{GROWINGIO_PROJECT}/collect?stm={now_ms()}",
                                   growingio, "application/json; charset=utf-8"))
    phone.close_all()

    values = {"growingio": growingio.decode() if growingio else None, "bugly_aid": bugly_aid, "umeng_session": umeng_session,
              "session_start_ms": session_start_ms, "imei_md5": imei_md5, "location": location,
              "getui_json": getui_json, "getui_b64": getui_b64, "consent_time": consent["time"],
              "bugly_form": bugly_form.decode(), "login": login.decode(), "umeng": umeng.decode(),
              "jpush": jpush.decode(), "getui_form": getui_form.decode()}
    return steps, values


# ---------------------------------------------------------------------------
# tcpdump
# ---------------------------------------------------------------------------

class Tcpdump:
    def __init__(self, path):
        self.path = path
        self.proc = None
        self.stderr_lines = []
        self._listening = threading.Event()

    def start(self):
        cmd = ["tcpdump", "-i", "lo", "--immediate-mode", "-U", "-n", "-Z", "root",
               "-w", str(self.path), CAPTURE_FILTER]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, start_new_session=True)
        threading.Thread(target=self._read_stderr, daemon=True).start()
        deadline = time.monotonic() + 10
        while not self._listening.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise DemoError("tcpdump did not start:\n" + "".join(self.stderr_lines).strip())
        time.sleep(0.5)  # let the capture settle before the first packet

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line)
            if "listening on" in line:
                self._listening.set()

    def stop(self):
        """SIGINT, then wait; returns tcpdump's own packet counts."""
        if self.proc is None:
            return {}
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        time.sleep(0.1)
        counts = {}
        for line in self.stderr_lines:
            m = re.match(r"(\d+) packets? (captured|received by filter|dropped by kernel)", line)
            if m:
                counts[m.group(2)] = int(m.group(1))
        self.proc = None
        return counts


# ---------------------------------------------------------------------------
# Checks on the finished capture.
# ---------------------------------------------------------------------------

def tshark_fields(pcap, display_filter, fields):
    cmd = ["tshark", "-r", str(pcap), "-o", "tls.keylog_file:", "-Y", display_filter,
           "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    out = run(cmd)
    return [line.split("\t") for line in out.splitlines() if line.strip()]


def pcapng_secrets(path):
    """Return the TLS key log data of each Decryption Secrets Block."""
    data = path.read_bytes()
    off, endian, found = 0, "<", []
    while off + 12 <= len(data):
        btype = struct.unpack_from(endian + "I", data, off)[0]
        if btype == 0x0A0D0D0A:
            endian = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        blen = struct.unpack_from(endian + "I", data, off + 4)[0]
        if blen < 12:
            raise DemoError("malformed pcapng block")
        if btype == 0x0000000A:
            stype, slen = struct.unpack_from(endian + "II", data, off + 8)
            if stype == 0x544C534B:
                found.append(data[off + 16:off + 16 + slen])
        off += blen
    return found


def verify(final, raw, keylog, steps, dns_server):
    problems = []
    # The key log is embedded and identical to the separate file.
    secrets = pcapng_secrets(final)
    if len(secrets) != 1 or secrets[0].rstrip(b"\n") != keylog.read_bytes().rstrip(b"\n"):
        problems.append("the pcapng does not carry exactly the key log as one Decryption Secrets Block")

    # DNS: one query and one answer for every host.
    dns_rows = tshark_fields(final, "dns", ["frame.number", "dns.flags.response", "dns.qry.name",
                                            "dns.a", "dns.id"])
    dns = {}
    for frame, is_resp, name, a, qid in dns_rows:
        entry = dns.setdefault(name, {})
        if is_resp in ("1", "True"):
            entry["answer_frame"], entry["a"] = int(frame), a
        else:
            entry["query_frame"] = int(frame)
    for host, ip in HOSTS.items():
        e = dns.get(host, {})
        if "query_frame" not in e or e.get("a") != ip:
            problems.append(f"DNS query/answer for {host} missing or wrong: {e}")
    if set(dns) != set(HOSTS):
        problems.append(f"unexpected DNS names: {sorted(set(dns) - set(HOSTS))}")

    # HTTP: every request, in order, with the HTTPS ones decrypted by the embedded secrets.
    fields = ["frame.number", "tcp.stream", "tcp.dstport", "http.request.method",
              "http.host", "http.request.uri"]
    rows = tshark_fields(final, "http.request", fields)
    got = [(r[3], r[4], r[5]) for r in rows]
    want = [(s["method"], s["host"], s["target"]) for s in steps]
    if got != want:
        problems.append("HTTP requests in the capture differ from the session:\n"
                        f"    capture: {got}\n    session: {want}")
    for s, r in zip(steps, rows):
        s["frame"], s["tcp_stream"], s["dstport"] = int(r[0]), int(r[1]), int(r[2])
    https_streams = {s["tcp_stream"] for s in steps if s["scheme"] == "https" and "tcp_stream" in s}
    if len(https_streams) != 2:
        problems.append(f"expected two TLS connections, got streams {sorted(https_streams)}")

    # Without the secrets (the raw tcpdump file) the HTTPS requests stay hidden.
    plain = tshark_fields(raw, "http.request", ["frame.number"])
    n_plain = sum(1 for s in steps if s["scheme"] == "http")
    if len(plain) != n_plain:
        problems.append(f"without secrets expected {n_plain} visible requests, got {len(plain)}")

    hellos = tshark_fields(final, "tls.handshake.type == 1",
                           ["frame.number", "tls.handshake.extensions_server_name"])
    errors = tshark_fields(final, "_ws.expert.severity == error", ["frame.number", "_ws.expert.message"])
    if errors:
        problems.append(f"tshark reports errors: {errors}")
    total = int(run(["tshark", "-r", str(final), "-T", "fields", "-e", "frame.number"]).split()[-1])
    return problems, dns, hellos, total


# ---------------------------------------------------------------------------
# Output files.
# ---------------------------------------------------------------------------

def device_toml():
    return f'''# The test phone the demo session was recorded on.
[device]
name = "{DEVICE_NAME}"
platform = "android"

[identifiers]
"device.identifier.imei" = "{IMEI}"
"device.identifier.android_id" = "{ANDROID_ID}"
"device.identifier.mac" = "{WIFI_MAC}"
"device.identifier.oaid" = "{OAID}"
"contact.phone_number" = "{PHONE_NUMBER}"
"device.hardware.model" = "{MODEL}"

[location]
latitude = {LATITUDE:.6f}
longitude = {LONGITUDE:.6f}
'''


def readme(steps, values, dns, hellos, total, capture_window):
    consent = rfc3339_utc(values["consent_time"])
    by_key = {s["key"]: s for s in steps}

    def f(key):
        return by_key[key]["frame"]

    def req_line(s):
        return f'`{s["method"]} {s["scheme"]}://{s["host"]}{s["target"]}`'

    lines = []
    add = lines.append
    add("# Demo capture: one session of Mobile Office (Seeyon M3)"
        + (f", version {APP_VERSION}" if next_release else "") + "\n")
    if next_release:
        add(f"The next release of the app, for version diffs (`privaudit diff`): the same session as")
        add("`../README.md` describes, except that Umeng no longer receives the Android ID and a new")
        add("SDK, GrowingIO analytics, uploads an event with the OAID (step j).\n")
    add("This directory holds privaudit's bundled demo: a real packet capture of one session of")
    add('"Mobile Office" (Seeyon M3, package `com.seeyon.cmp`, first-party domain `seeyon.com`),')
    add("a Chinese enterprise mobile-office app, together with the test phone's identifiers and the")
    add("moment the user agreed to the privacy agreement. Audit it against the app's")
    add("\"Mobile Office Privacy Protection Agreement\" (released and effective 2021/8/13).\n")
    add("The session was replayed by `generate.py` on the loopback interface: the DNS server, the")
    add("HTTP/HTTPS servers and the app's client are real programs talking over real sockets,")
    add("recorded by tcpdump. Nothing in the capture was written by hand.\n")
    add("## Files\n")
    add("| File | Contents |")
    add("|---|---|")
    add(f"| `{CAPTURE}` | the capture (pcapng, {total} frames), with the TLS key log embedded as a Decryption Secrets Block |")
    add(f"| `{KEYLOG}` | the same TLS key log (NSS `SSLKEYLOGFILE` format, TLS 1.3 secrets of the two HTTPS connections) |")
    add("| `device.toml` | the test phone's identifiers, to look for in the traffic |")
    add("| `consent.txt` | when the user tapped \"agree\" (RFC 3339, UTC, microseconds) |")
    add("| `generate.py` | the generator (Python 3 stdlib + tcpdump, editcap, tshark, openssl) |")
    add("")
    add("## The test phone\n")
    add("| What | Value |")
    add("|---|---|")
    add(f"| Device | {DEVICE_NAME}, Android {OS_VERSION}, model `{MODEL}` |")
    add(f"| IMEI | `{IMEI}` (15 digits, Luhn-valid) |")
    add(f"| IMEI MD5 | `{values['imei_md5']}` (MD5 of the 15 ASCII digits) |")
    add(f"| Android ID | `{ANDROID_ID}` |")
    add(f"| Wi-Fi MAC | `{WIFI_MAC}` |")
    add(f"| OAID | `{OAID}` |")
    add(f"| Phone number | `{PHONE_NUMBER}` |")
    add(f"| GPS fix | lat {LATITUDE:.6f}, lng {LONGITUDE:.6f} (Zhongguancun, Haidian, Beijing) |")
    add(f"| User | login name `{LOGIN_NAME}`, organisation id `{ORG_ID}` |")
    add("")
    add("All values are made up for the demo. The phone uses source address "
        f"`{PHONE_IP}`.\n")
    add("## Network\n")
    add(f"The phone resolves each host once, with a real DNS query to `{DNS_IP}:53` (A records, TTL {DNS_TTL}),")
    add("then connects to the answered address. Each address serves HTTP on port 80 and HTTPS on 443.\n")
    add("| Host | Owner | Address | DNS query / answer frame |")
    add("|---|---|---|---|")
    owners = {"m3.seeyon.com": "Seeyon (first party)", "api.seeyon.com": "Seeyon (first party)",
              "android.bugly.qq.com": "Tencent Bugly (crash reporting SDK)",
              "alog.umeng.com": "Umeng (analytics SDK)", "restapi.amap.com": "AMap / Gaode (maps SDK)",
              "tsis.jpush.cn": "JPush / Aurora (push SDK)",
              "sdk.open.phone.igexin.com": "GeTui (push SDK)",
              NEXT_SDK_HOST: "GrowingIO (analytics SDK, new in 4.6.0)"}
    for host, ip in sorted(HOSTS.items(), key=lambda kv: dns[kv[0]]["query_frame"]):
        add(f"| `{host}` | {owners[host]} | `{ip}` | {dns[host]['query_frame']} / {dns[host]['answer_frame']} |")
    add("")
    add("The HTTPS server certificate comes from a throwaway demo CA made by the generator; it is not")
    add("kept. TLS is 1.3 with ALPN `http/1.1`. The two TLS connections go to `m3.seeyon.com` "
        f"(ClientHello in frames {', '.join(h[0] for h in hellos)}).\n")
    add("## The session, step by step\n")
    add(f"Captured {capture_window}. Every request carries `User-Agent: {USER_AGENT}`, "
        f"`X-App-Version: {APP_VERSION}`,")
    add("`Connection: Keep-Alive` and `Accept-Encoding: gzip`; connections are kept alive per host")
    add("except the login connection (the login client is shut down after login). Frame numbers are")
    add(f"those of `tshark -r {CAPTURE} -Y http.request` (the frame that completes the request).\n")

    a = by_key["a"]
    add(f"**a. App start, before consent — Bugly gets the MAC** (frame {f('a')})  ")
    add(req_line(a) + "  ")
    add("Form body (`application/x-www-form-urlencoded`):  ")
    add(f"`{values['bugly_form']}`  ")
    add(f"The `aid` is a random session UUID (`{values['bugly_aid']}`). This is the only request sent")
    add("before the consent time.\n")

    add(f"**b. Consent** (frame {f('b')})  ")
    add(req_line(by_key["b"]) + "  ")
    add(f"The user tapped \"agree\" at **{consent}** (`consent.txt`): the clock was read when the")
    add("app started sending this request, just before its DNS lookup of `api.seeyon.com`, so every")
    add("packet of the consent request comes after it. The request is the consent marker and carries")
    add("no personal data.\n")

    add(f"**c. First-party login over HTTPS** (frame {f('c')}, decrypted with the embedded key log)  ")
    add(req_line(by_key["c"]) + "  ")
    add(f"JSON body: `{values['login']}`  ")
    add("Declared data (name, phone number, device model) to the first party, encrypted.\n")

    add(f"**d. Phone number in plaintext to the first party** (frame {f('d')})  ")
    add(req_line(by_key["d"]) + "  ")
    add(f"The phone number `{PHONE_NUMBER}` is in the query string of a plain-HTTP request.\n")

    add(f"**e. Umeng gets the IMEI{'' if next_release else ' and the Android ID'}** (frame {f('e')})  ")
    add(req_line(by_key["e"]) + "  ")
    add("`Content-Encoding: gzip`, `Content-Type: application/json`; the decompressed body is:  ")
    add(f"`{values['umeng']}`  ")
    add(f"(`start_time` is the app start in ms since the epoch; the session id is random.)\n")

    add(f"**f. AMap gets the GPS position** (frame {f('f')})  ")
    add(req_line(by_key["f"]) + "  ")
    add(f"`location={values['location']}` is longitude,latitude (AMap order), 6 decimals.\n")

    add(f"**g. JPush gets the MD5 of the IMEI** (frame {f('g')})  ")
    add(req_line(by_key["g"]) + "  ")
    add(f"JSON body: `{values['jpush']}`  ")
    add(f"`imei_md5` = MD5(`{IMEI}`).\n")

    add(f"**h. GeTui gets the OAID, base64-encoded** (frame {f('h')})  ")
    add(req_line(by_key["h"]) + "  ")
    add(f"Form body: `{values['getui_form']}`  ")
    add("The `data` field is form-encoded (`%2B`, `%2F`, `%3D` for `+`, `/`, `=`); form-decoded it is the")
    add(f"standard base64 `{values['getui_b64']}`, which decodes to:  ")
    add(f"`{values['getui_json']}`\n")

    add(f"**i. More first-party traffic** (frames {f('i1')} and {f('i2')})  ")
    add(req_line(by_key["i1"]) + " — over a second TLS connection, no request body.  ")
    add(req_line(by_key["i2"]) + " — a PNG image fetched over plain HTTP, no personal data.\n")

    if next_release:
        add(f"**j. New in {APP_VERSION}: GrowingIO gets the OAID and the device model** (frame {f('j')})  ")
        add(req_line(by_key["j"]) + "  ")
        add(f"JSON body: `{values['growingio']}`\n")

    add("### All requests\n")
    add("| Step | Frame | TCP stream | Port | Request |")
    add("|---|---|---|---|---|")
    for s in steps:
        add(f"| {s['key']} | {s['frame']} | {s['tcp_stream']} | {s['dstport']} | {req_line(s)} |")
    add("")
    add("## What an audit should find\n")
    add("The agreement declares device model, OS, unique device identifier, WLAN access point,")
    add("Bluetooth, base station, name, phone number, email and similar; it promises encryption")
    add("and storage in mainland China, and names no third-party SDKs at all.\n")
    add("| Step | Finding |")
    add("|---|---|")
    add(f"| a | Wi-Fi MAC sent to Tencent Bugly, an unnamed third party, **before consent** ({consent}) |")
    add("| d | phone number sent to the first party **unencrypted** (plain HTTP), against the encryption promise |")
    if next_release:
        add("| e | IMEI sent to Umeng, a third-party SDK the agreement does not name (no Android ID any more) |")
    else:
        add("| e | IMEI and Android ID sent to Umeng, a third-party SDK the agreement does not name |")
    add("| f | precise GPS location sent to AMap, an unnamed third party |")
    add("| g | MD5 of the IMEI (a derived device identifier) sent to JPush, an unnamed third party |")
    add("| h | OAID (base64 inside a form field) sent to GeTui, an unnamed third party |")
    if next_release:
        add("| j | OAID sent to GrowingIO, a new SDK the agreement does not name, in plain HTTP |")
    add("")
    add("Not findings: the consent marker (b), the HTTPS login (c: declared data, first party,")
    add("encrypted), the HTTPS unread count (i) and the image fetch (i: no personal data). The device")
    add("model also appears in a, c and e; it is declared.\n")
    add("## Regenerating\n")
    add("As root, on Linux with tcpdump, Wireshark's `editcap`/`tshark` and `openssl` installed:\n")
    add("```sh")
    add("sudo python3 captures/demo/generate.py            # writes into captures/demo/")
    add("sudo python3 captures/demo/generate.py --out DIR  # or somewhere else")
    add("```\n")
    add("The generator binds 127.0.0.53:53 and ports 80/443 on 127.0.10.1-2 and 127.0.20.1-5, runs")
    add(f"`tcpdump -i lo --immediate-mode -U -w tmp.pcap '{CAPTURE_FILTER}'`, replays the session,")
    add("stops tcpdump with SIGINT, runs `editcap --inject-secrets tls,<keylog>` and checks the result")
    add("with tshark (all DNS answers, all requests in order, the HTTPS ones visible only with the")
    add("embedded secrets). Device values are fixed; UUIDs, DNS ids, ports, TLS keys and times change")
    add("on every run, and so may frame numbers.\n")
    add("To look at it yourself:\n")
    add("```sh")
    add(f"tshark -r {CAPTURE} -Y dns -T fields -e frame.number -e dns.qry.name -e dns.a")
    add(f"tshark -r {CAPTURE} -Y http.request -T fields -e frame.number -e http.host -e http.request.uri")
    add("```")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="output directory (default: the script's directory, or its "
                             f"{NEXT_VERSION}/ subdirectory with --next-release)")
    parser.add_argument("--next-release", action="store_true",
                        help=f"record the next version ({NEXT_VERSION}): one SDK more, one data type less")
    args = parser.parse_args()
    if args.next_release:
        global next_release, APP_VERSION
        next_release = True
        APP_VERSION = NEXT_VERSION
        HOSTS[NEXT_SDK_HOST] = NEXT_SDK_IP
        SERVER_BANNERS[NEXT_SDK_HOST] = "nginx"
    if args.out is None:
        here = Path(__file__).resolve().parent
        args.out = here / NEXT_VERSION if args.next_release else here

    if os.geteuid() != 0:
        sys.exit("generate.py must run as root: tcpdump needs to capture on lo and the demo servers "
                 "bind ports 53, 80 and 443.\nRun: sudo python3 " + sys.argv[0])
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        sys.exit(f"generate.py needs these tools on PATH: {', '.join(missing)}")
    check_device_values()

    out = args.out.resolve()
    # SIGTERM unwinds like Ctrl-C, so the cleanup below always runs.
    def on_sigterm(signum, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_sigterm)

    with contextlib.ExitStack() as cleanup:
        work = Path(tempfile.mkdtemp(prefix="privaudit-demo-"))
        cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        raw_pcap, keylog, final = work / "tmp.pcap", work / KEYLOG, work / CAPTURE

        log("Making the throwaway demo CA and server certificate ...")
        ca_crt, srv_crt, srv_key = make_certificates(work)
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(srv_crt, srv_key)
        server_ctx.set_alpn_protocols(["http/1.1"])
        client_ctx = ssl.create_default_context(cafile=str(ca_crt))
        client_ctx.set_alpn_protocols(["http/1.1"])
        client_ctx.keylog_filename = str(keylog)

        log(f"Starting the DNS server on {DNS_IP}:53 and HTTP/HTTPS servers ...")
        dns_server = DnsServer(DNS_IP, HOSTS)
        cleanup.callback(dns_server.close)
        seen = []
        for host, ip in HOSTS.items():
            for port, handler, ctx in ((80, AppHandler, None), (443, TlsAppHandler, server_ctx)):
                try:
                    srv = DemoHTTPServer((ip, port), handler, SERVER_BANNERS[host], seen, ctx)
                except OSError as e:
                    raise DemoError(f"cannot bind {ip}:{port} for {host}: {e}") from e
                cleanup.callback(srv.server_close)
                cleanup.callback(srv.shutdown)
                threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1},
                                 name=f"{host}:{port}", daemon=True).start()
        dns_server.start()

        log(f"Starting tcpdump on lo, filter: {CAPTURE_FILTER}")
        tcpdump = Tcpdump(raw_pcap)
        cleanup.callback(tcpdump.stop)
        tcpdump.start()
        started = dt.datetime.now(dt.timezone.utc)

        log("Replaying the session:")
        phone = Phone(StubResolver(DNS_IP, PHONE_IP), client_ctx)
        cleanup.callback(phone.close_all)
        steps, values = run_session(phone)
        time.sleep(0.5)   # let the last FIN/ACKs reach the capture
        ended = dt.datetime.now(dt.timezone.utc)
        counts = tcpdump.stop()
        log(f"tcpdump: {counts}")
        if counts.get("dropped by kernel", 0):
            raise DemoError("tcpdump reports dropped packets; run again")
        errors = [s for s in seen if s[0] == "ERROR"]
        if errors:
            raise DemoError(f"server errors during the session: {errors}")

        log("Embedding the TLS key log with editcap ...")
        run(["editcap", "-F", "pcapng", "--inject-secrets", f"tls,{keylog}", str(raw_pcap), str(final)])

        log("Checking the capture with tshark ...")
        problems, dns, hellos, total = verify(final, raw_pcap, keylog, steps, dns_server)
        if problems:
            raise DemoError("the capture failed its checks:\n  - " + "\n  - ".join(problems))

        window = (f"{started.strftime('%Y-%m-%d %H:%M:%S')}–{ended.strftime('%H:%M:%S')} UTC")
        files = {
            CAPTURE: final.read_bytes(),
            KEYLOG: keylog.read_bytes(),
            "device.toml": device_toml().encode(),
            "consent.txt": (rfc3339_utc(values["consent_time"]) + "\n").encode(),
            "README.md": readme(steps, values, dns, hellos, total, window).encode(),
        }
        out.mkdir(parents=True, exist_ok=True)
        owner = out.stat()
        for name, data in files.items():
            tmp = out / f".{name}.tmp"
            tmp.write_bytes(data)
            os.chmod(tmp, 0o644)
            if owner.st_uid != 0:   # keep the files owned like the directory
                os.chown(tmp, owner.st_uid, owner.st_gid)
            os.replace(tmp, out / name)

    # Summary.
    log("")
    log(f"Wrote {', '.join(files)} to {out}")
    log(f"Capture: {total} frames, {len(steps)} HTTP requests, {len(hellos)} TLS connections, "
        f"{len(dns)} DNS lookups")
    log("DNS (query/answer frames):")
    for host in sorted(dns, key=lambda h: dns[h]["query_frame"]):
        log(f"  {dns[host]['query_frame']:>4}/{dns[host]['answer_frame']:<4} {host} -> {dns[host]['a']}")
    log("HTTP requests (frame, step, request):")
    for s in steps:
        log(f"  {s['frame']:>4}  {s['key']:<2}  {s['method']} {s['scheme']}://{s['host']}{s['target']}")
    log(f"Consent time: {rfc3339_utc(values['consent_time'])}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except DemoError as e:
        print(f"generate.py: error: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("generate.py: interrupted; servers and tcpdump were stopped", file=sys.stderr)
        sys.exit(130)
