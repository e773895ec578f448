"""Accessibility checks for the browser tests: axe-core in the page, the Nu HTML Checker (v.Nu)
on the HTML the server sent.

`Audit.check(page, label)` runs the vendored axe-core (tests/e2e/vendor/axe.min.js) on the
page as it stands and sends the last HTML document the page received to a v.Nu checker
started once per session (`java -cp vnu.jar nu.validator.servlet.Main`, bound to 127.0.0.1).
Problems are collected, not raised at once, so one run lists every page that falls short;
`Audit.assert_clean()` fails the test with the whole list. docs/ACCESSIBILITY.md explains.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).parent
AXE_JS = HERE / "vendor" / "axe.min.js"
REPO = HERE.parent.parent
# `make test` and .ci/run install vnu-jar from the npm registry here (see the Makefile).
VNU_JAR = Path(os.environ.get("VNU_JAR", REPO / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"))
# WCAG 2.0, 2.1 and 2.2 A and AA, plus axe's best practices (reported; serious ones fail too).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = ("serious", "critical")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Vnu:
    """One v.Nu checker service for the session; started at once, waited for on first use."""

    def __init__(self, jar: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/?out=json"
        self.proc = subprocess.Popen(
            ["java", "-Xss2m", "-Xmx512m", "-Dnu.validator.servlet.bind-address=127.0.0.1",
             "-cp", str(jar), "nu.validator.servlet.Main", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.ready = False

    def _wait(self) -> None:
        deadline = time.monotonic() + 90
        while not self.ready:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the v.Nu checker exited with {self.proc.returncode}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2).close()
                self.ready = True
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError("the v.Nu checker did not start within 90 s") from None
                time.sleep(0.2)

    def errors(self, html: str) -> list[str]:
        """Return v.Nu's errors (not its warnings or notes) for one HTML document."""
        self._wait()
        request = urllib.request.Request(self.url, data=html.encode(), method="POST",
                                         headers={"Content-Type": "text/html; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=60) as response:
            messages = json.load(response)["messages"]
        return [f"line {m.get('lastLine', '?')}: {m['message']} [{m.get('extract', '').strip()}]"
                for m in messages if m["type"] in ("error", "non-document-error")]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_vnu() -> Vnu:
    """Start the checker, or fail (CI) / skip loudly (elsewhere) when Java or vnu.jar is missing."""
    missing = []
    if not VNU_JAR.is_file():
        missing.append(f"vnu.jar not found at {VNU_JAR} (run 'make tools' or set VNU_JAR)")
    # Looked up first: running a missing program raises instead of returning an exit code.
    if shutil.which("java") is None or subprocess.run(["java", "-version"],
                                                      capture_output=True).returncode != 0:
        missing.append("java not found: install a Java 17 runtime (apt-get install default-jre-headless)")
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail("; ".join(missing))
        pytest.skip("; ".join(missing))
    return Vnu(VNU_JAR)


@dataclass
class Audit:
    """Collects axe-core violations and v.Nu errors for the page states a test visits."""

    vnu: Vnu
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    minor: list[str] = field(default_factory=list)  # moderate/minor axe findings: reported only
    _documents: dict = field(default_factory=dict)

    def watch(self, page) -> None:
        """Remember the last HTML document each page receives (for v.Nu)."""
        def keep(response):
            request = response.request
            if (request.resource_type == "document" and request.frame == page.main_frame
                    and not 300 <= response.status < 400):
                self._documents[id(page)] = response
        page.on("response", keep)

    def check(self, page, label: str) -> None:
        """Run axe-core on the page as it is and v.Nu on the HTML it was sent."""
        self.checked.append(label)
        # Check the page as a person sees it: stylesheets applied and fonts ready. On a busy
        # machine a check right after a click could otherwise meet an unstyled page, whose
        # plain inline links fail target-size.
        page.wait_for_load_state("load")
        page.evaluate("() => document.fonts.ready.then(() => true)")
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(AXE_JS.read_text(encoding="utf-8"))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})", AXE_TAGS)
        for v in result["violations"]:
            targets = ", ".join(" ".join(n["target"]) if isinstance(n["target"], list)
                                else str(n["target"]) for n in v["nodes"][:4])
            line = f"{label}: axe {v['impact']} {v['id']} ({v['help']}) at {targets}"
            (self.problems if v["impact"] in BLOCKING else self.minor).append(line)
        response = self._documents.get(id(page))
        if response is None:
            self.problems.append(f"{label}: no HTML document was recorded for {page.url}")
            return
        for error in self.vnu.errors(response.text()):
            self.problems.append(f"{label}: v.Nu {error}")

    def assert_clean(self, at_least: int = 1) -> None:
        if os.environ.get("A11Y_REPORT"):  # for measuring: every finding, blocking or not
            with open(os.environ["A11Y_REPORT"], "a", encoding="utf-8") as out:
                json.dump({"checked": self.checked, "problems": self.problems,
                           "minor": self.minor}, out, indent=1)
        assert len(self.checked) >= at_least, self.checked
        report = "\n".join(self.problems)
        assert not self.problems, f"{len(self.problems)} accessibility problem(s):\n{report}"
