#!/usr/bin/env python3
"""Render chunkwise's performance-report template with a JSON file, for tests by hand.

    python3 tests/servers/render_report.py DATA.json [--out report.html]
        [--screenshot shot.png] [--size 1300,1400] [--dump dom.html]

Substitutes DATA.json into src/diagnostics/report.html the way the Rust side should (the
JSON with every `<` written `\\u003c`, or with --escape slash only `</` written `<\\/`,
which `<!--` in the data breaks; the title HTML-escaped), writes the page, then runs
headless Chromium: `--dump-dom` (saved to --dump, if given) and `--screenshot`, if given.
Prints `status <s>` (the body's data-status: ok, error, loading) and `rects <n>` (rects
inside #task-stream, counted in the dumped DOM), and the contents of #errors when not
empty. Exit status 0 when the status is ok.

Python 3 standard library only; needs chromium on PATH (or $CHROMIUM).
"""

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATE = os.path.join(ROOT, "src", "diagnostics", "report.html")


def render(data, template=TEMPLATE, escape="all"):
    with open(template, encoding="utf-8") as f:
        page = f.read()
    text = json.dumps(data)
    text = text.replace("<", "\\u003c") if escape == "all" else text.replace("</", "<\\/")
    page = page.replace("__CHUNKWISE_TITLE__", html.escape(str(data.get("title", "chunkwise"))), 1)
    return page.replace("__CHUNKWISE_DATA__", text, 1)


def chromium(args, timeout=120):
    exe = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="chromium-")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--user-data-dir=" + profile] + args
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return out.stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--out")
    ap.add_argument("--screenshot")
    ap.add_argument("--size", default="1300,1400")
    ap.add_argument("--dump")
    ap.add_argument("--escape", choices=["all", "slash"], default="all")
    ap.add_argument("--budget-ms", default="3000", help="--virtual-time-budget")
    a = ap.parse_args()
    with open(a.data, encoding="utf-8") as f:
        data = json.load(f)
    out = a.out or os.path.splitext(a.data)[0] + ".html"
    with open(out, "w", encoding="utf-8") as f:
        f.write(render(data, escape=a.escape))
    url = "file://" + os.path.abspath(out)
    common = ["--window-size=" + a.size, "--virtual-time-budget=" + a.budget_ms]
    dom = chromium(common + ["--dump-dom", url])
    if a.dump:
        with open(a.dump, "w", encoding="utf-8") as f:
            f.write(dom)
    m = re.search(r'<body[^>]*data-status="([^"]*)"', dom)
    status = m.group(1) if m else "missing"
    stream = re.search(r'<div id="task-stream"[^>]*>(.*?)</div>\s*</section>', dom, re.S)
    print("status", status)
    print("rects", stream.group(1).count("<rect") if stream else 0)
    errs = re.search(r'<pre id="errors">(.*?)</pre>', dom, re.S)
    if errs and errs.group(1).strip():
        print("errors:", html.unescape(errs.group(1)))
    if a.screenshot:
        chromium(common + ["--screenshot=" + os.path.abspath(a.screenshot), url])
        print("screenshot", a.screenshot)
    return 0 if status == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
