#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""html_browser.py SEMISCOPE OUTDIR: the HTML report checked in a real browser (issue 15).

For every lab capture (tests/pcaps/lab/*/, with its status and error-log files) and a few plain
captures, semiscope writes its --html page; Debian's chromium, headless and driven through the
DevTools protocol, loads each page at 800 px and at 1280 px and checks:
  - no console error, no uncaught exception, no log entry of level error;
  - no network request leaving the file (anything but the file:// page itself);
  - every chart is drawn: each <svg> has a rendered size and data elements (marks that are not
    grid or axis lines);
  - nothing overflows horizontally: document.scrollWidth <= the viewport's width.
Screenshots of a few pages go to OUTDIR (the build directory's html_browser/) for a reviewer.

Exits 77 (SKIPPED for ctest) when chromium or python3-websocket is missing or chromium cannot
start; 1 on any failure. Every wait is bounded.
"""
import base64
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77
WIDTHS = (800, 1280)
CALL_TIMEOUT = 30.0
SCREENSHOTS = {"timeout_recovery", "master_semisync_off", "toggle", "plain_steady_drop30"}


def skip(why):
    print(f"SKIPPED: {why}")
    sys.exit(SKIP)


try:
    import websocket  # python3-websocket
except ImportError:
    skip("python3-websocket is not installed (apt-get install python3-websocket)")


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        p = shutil.which(name)
        if p:
            return p
    return None


class Browser:
    """One headless chromium; one page target driven over its websocket."""

    def __init__(self, exe, profile):
        args = [exe, "--headless=new", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--metrics-recording-only", "--mute-audio",
                "--remote-debugging-port=0", f"--user-data-dir={profile}",
                "--window-size=1280,900", "about:blank"]
        if os.geteuid() == 0:  # chromium refuses to run as root with its sandbox
            args.insert(1, "--no-sandbox")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.poll() is not None else ""
                self.close()
                skip("chromium could not start: " + (err.strip().splitlines() or ["timeout"])[-1])
            time.sleep(0.1)
        time.sleep(0.2)
        port = int(open(port_file).read().split()[0])
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(t for t in targets if t.get("type") == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=CALL_TIMEOUT,
                                              suppress_origin=True)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        deadline = time.time() + CALL_TIMEOUT
        while time.time() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)
        raise TimeoutError(method)

    def wait_event(self, name, timeout=CALL_TIMEOUT):
        for e in self.events:
            if e["method"] == name:
                return e
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg)
                if msg["method"] == name:
                    return msg
        raise TimeoutError(name)

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


MEASURE = r"""
(() => {
  const vw = window.innerWidth;
  const svgs = [...document.querySelectorAll('svg')].map(s => {
    const r = s.getBoundingClientRect();
    const marks = [...s.querySelectorAll('path,polyline,polygon,circle,rect,line')]
      .filter(e => !e.closest('.grid,.ax'));
    return {label: s.getAttribute('aria-label') || '', w: r.width, h: r.height,
            marks: marks.length};
  });
  const over = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > vw + 0.5)
    .slice(0, 5)
    .map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string'
         ? '.' + e.className.replace(/ /g, '.') : '') + ' right=' +
         Math.round(e.getBoundingClientRect().right));
  const scrolled = [...document.querySelectorAll('table')]
    .filter(t => t.scrollWidth > t.clientWidth + 1)
    .map(t => {
      let h = t.previousElementSibling;
      while (h && !/^H[1-4]$/.test(h.tagName)) h = h.previousElementSibling;
      return (h ? h.textContent.slice(0, 40) : 'table') + ' (' + t.scrollWidth + ' > ' +
             t.clientWidth + ')';
    });
  return {scrollWidth: document.documentElement.scrollWidth, viewport: vw, svgs, over, scrolled,
          height: document.documentElement.scrollHeight,
          masters: document.querySelectorAll('section.master').length};
})()
"""


def check_page(b, name, path, width, outdir):
    """Load one page at one width; return a list of failure strings."""
    fails = []
    b.events.clear()
    b.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1,
           mobile=False)
    b.call("Page.navigate", url="file://" + os.path.abspath(path))
    b.wait_event("Page.loadEventFired")
    time.sleep(0.2)
    m = b.call("Runtime.evaluate", expression=MEASURE, returnByValue=True)["result"]["value"]
    # drain whatever arrived meanwhile
    b.call("Runtime.evaluate", expression="1")
    for e in b.events:
        meth, p = e["method"], e.get("params", {})
        if meth == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            fails.append("console error: " + json.dumps(p.get("args"))[:200])
        elif meth == "Runtime.exceptionThrown":
            fails.append("exception: " + json.dumps(p.get("exceptionDetails"))[:200])
        elif meth == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            fails.append("log error: " + p["entry"].get("text", "")[:200])
        elif meth == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            if url != "file://" + os.path.abspath(path):
                fails.append("network request leaving the file: " + url[:200])
    if m["scrollWidth"] > m["viewport"]:
        fails.append(f"overflows horizontally by {m['scrollWidth'] - m['viewport']} px "
                     f"at {width} px: {'; '.join(m['over'])}")
    for t in m["scrolled"]:
        fails.append(f"table wider than the page at {width} px (it scrolls): {t}")
    if not m["svgs"] and m["masters"]:
        fails.append("no chart (svg) on the page")
    for s in m["svgs"]:
        if s["w"] < 50 or s["h"] < 20:
            fails.append(f"chart '{s['label']}' not drawn ({s['w']:.0f}x{s['h']:.0f} px)")
        elif s["marks"] == 0:
            fails.append(f"chart '{s['label']}' has no data marks")
    if name in SCREENSHOTS:
        shot = b.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                      clip={"x": 0, "y": 0, "width": width, "height": min(m["height"], 6000),
                            "scale": 1})
        with open(os.path.join(outdir, f"{name}-{width}.png"), "wb") as f:
            f.write(base64.b64decode(shot["data"]))
    return fails, m


def reports(semiscope, src, outdir):
    """(name, html path) for every lab capture and a few plain ones."""
    pcaps = os.path.join(src, "tests", "pcaps")
    jobs = []
    for d in sorted(glob.glob(os.path.join(pcaps, "lab", "*", ""))):
        name = os.path.basename(os.path.dirname(d))
        args = ["-r", os.path.join(d, "capture.pcap"), "-P", "13306"]
        for f in ("variables.tsv", "status.tsv"):
            if os.path.exists(os.path.join(d, f)):
                args += ["--status", os.path.join(d, f)]
        if os.path.exists(os.path.join(d, "error.log")):
            args += ["--error-log", os.path.join(d, "error.log")]
        jobs.append((name, args))
        jobs.append((name + "_wire", ["-r", os.path.join(d, "capture.pcap"), "-P", "13306"]))
    jobs.append(("plain_steady_drop30", ["-r", os.path.join(pcaps, "lab_drop", "steady_drop30.pcap")]))
    jobs.append(("plain_long_head", ["-r", os.path.join(pcaps, "lab_load", "long_head.pcap")]))
    jobs.append(("plain_rotation", ["-r", os.path.join(pcaps, "rotation", "timeout_part1.pcap"),
                                    "-r", os.path.join(pcaps, "rotation", "timeout_part2.pcap")]))
    jobs.append(("plain_multi", ["-r", os.path.join(pcaps, "synthetic", "multi.pcap")]))
    out = []
    env = dict(os.environ, TZ="UTC", LC_ALL="C")
    for name, args in jobs:
        html = os.path.join(outdir, name + ".html")
        r = subprocess.run([semiscope] + args + ["--html", html, "-O", os.devnull], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
        if r.returncode not in (0, 3) or not os.path.exists(html):
            print(f"FAIL: {name}: semiscope exited {r.returncode}: {r.stderr.decode()[:300]}")
            out.append((name, None))
        else:
            out.append((name, html))
    return out


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    semiscope, outdir = os.path.abspath(sys.argv[1]), sys.argv[2]
    src = os.environ.get("SEMISCOPE_SRC") or os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__))))
    exe = find_chromium()
    if not exe:
        skip("chromium is not installed (apt-get install chromium)")
    os.makedirs(outdir, exist_ok=True)
    pages = reports(semiscope, src, outdir)
    failed = any(p is None for _, p in pages)
    profile = tempfile.mkdtemp(prefix="semiscope-chromium-")
    b = None
    try:
        b = Browser(exe, profile)
        for domain in ("Page", "Runtime", "Log", "Network"):
            b.call(domain + ".enable")
        for name, html in pages:
            if html is None:
                continue
            for w in WIDTHS:
                fails, m = check_page(b, name, html, w, outdir)
                if fails:
                    failed = True
                    for f in fails:
                        print(f"FAIL: {name} at {w} px: {f}")
                else:
                    print(f"ok: {name} at {w} px: {len(m['svgs'])} charts drawn, "
                          f"width {m['scrollWidth']} <= {m['viewport']}")
    finally:
        if b:
            b.close()
        shutil.rmtree(profile, ignore_errors=True)
    print(f"screenshots and pages: {outdir}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
