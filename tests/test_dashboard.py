"""The classroom dashboard in a real browser: Debian's Chromium driven by Playwright.

The page is Mesa's ``SolaraViz``: Reset / ▶ / Step are Mesa's ModelController
buttons (found by their labels), class size and seed are in Mesa's Model
Parameters card, the scenario cards and the charts are servsim's components.

One server per module (``servsim-demo --port <free port> --no-open``, bound to
127.0.0.1), a fresh browser page per test.  The tests skip, saying why, when
``/usr/bin/chromium`` or the ``dashboard`` extra (playwright, pytest-playwright)
is missing; ``.ci/run`` installs Chromium when it can.

The screenshot of a played run is saved as ``results/dashboard/screenshot.png``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is missing: "
                    "pip install -e '.[dashboard]' (make test installs it)")
pytest.importorskip("pytest_playwright", reason="pytest-playwright is missing: "
                    "pip install -e '.[dashboard]' (make test installs it)")

from playwright.sync_api import Page, expect  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402

from servsim import demo  # noqa: E402
from servsim.app import DEFAULT_HORIZON  # noqa: E402
from tests.conftest import ROOT, free_port  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SCREENSHOT = ROOT / "results" / "dashboard" / "screenshot.png"
READY_TIMEOUT_S = 90
LOAD_MS = 60_000
"""First page load (the widgets' JavaScript) on a busy 2-core machine."""
STEP_MS = 30_000
"""A step redraws seven charts on the server."""
CHARTS = ("stages", "satisfaction", "complaints", "money", "staff", "network", "compare")
PLAY, PAUSE = "▶", "❚❚"
"""Mesa's Play / Pause button labels."""
expect.set_options(timeout=STEP_MS)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing: apt-get install -y chromium "
                              "(.ci/run does it when run as root)"),
]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Drive Debian's Chromium (pytest-playwright cannot take a path on its command line)."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args():
    """A laptop-sized window."""
    return {"viewport": {"width": 1440, "height": 1000}}


def _listening_addresses(port: int) -> set[str]:
    """Local IPv4/IPv6 addresses listening on ``port`` (from /proc/net/tcp*), hex as there."""
    found = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            addr, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                found.add(addr)
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``servsim-demo`` on a free port; yields its URL; stopped (its process group) at the end."""
    port = free_port()
    workdir = tmp_path_factory.mktemp("dashboard")
    log_path = workdir / "server.log"
    cmd = [sys.executable, "-m", "servsim.demo", "--port", str(port), "--no-open"]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
                                env=demo.server_env(), start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"servsim-demo exited ({proc.returncode}):\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"dashboard not ready after {READY_TIMEOUT_S} s:\n"
                            f"{log_path.read_text()}")
            time.sleep(0.3)
        yield {"url": url, "port": port, "log": log_path}
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


# --------------------------------------------------------------------------- helpers


def kpi(page: Page, name: str) -> str:
    """The headline number ``name`` (day, customers, satisfaction, nps, cumulative-profit...)."""
    return page.locator(f".kpi-{name} .servsim-kpi-value").inner_text().strip()


def button(page: Page, label: str):
    """A button of Mesa's Controls card (Reset, ▶ / ❚❚, Step) by its label."""
    return page.get_by_role("button", name=label, exact=True)


def mesa_input(page: Page, label: str):
    """An input of Mesa's Model Parameters card (or Controls card) by its label."""
    return page.locator(".v-input").filter(has_text=label)


def open_dashboard(page: Page, url: str) -> None:
    """Load the page: a new browser session starts a fresh run at day 0.

    Each session owns its run (the state lives in the page, not in the module),
    so nothing carries over from earlier tests; the tests that need Reset's
    behaviour press it themselves.
    """
    page.goto(url)
    button(page, "Reset").wait_for(timeout=LOAD_MS)
    expect(page.locator(".kpi-day .servsim-kpi-value")).to_have_text("0", timeout=STEP_MS)


def step(page: Page) -> str:
    """Press Step and wait until the day moves; returns the new day."""
    before = kpi(page, "day")
    button(page, "Step").click()
    expect(page.locator(".kpi-day .servsim-kpi-value")).not_to_have_text(before,
                                                                          timeout=STEP_MS)
    return kpi(page, "day")


def reset(page: Page) -> None:
    """Press Mesa's Reset."""
    button(page, "Reset").click()


def settled_day(page: Page, quiet_ms: int = 3000) -> str:
    """The day shown once it has stopped changing for ``quiet_ms``."""
    deadline = time.monotonic() + STEP_MS / 1000
    day = kpi(page, "day")
    while time.monotonic() < deadline:
        page.wait_for_timeout(quiet_ms)
        now = kpi(page, "day")
        if now == day:
            return day
        day = now
    pytest.fail(f"the day kept changing after Pause (now {day})")


def choose(page: Page, css: str, option: str) -> None:
    """Pick ``option`` in the (Vuetify) select inside ``css``."""
    page.click(f"{css} .v-select__slot")
    menu = page.locator(".menuable__content__active .v-list-item")
    menu.filter(has_text=option).first.click()
    expect(page.locator(f"{css} .v-select__selection")).to_have_text(option, timeout=STEP_MS)


def slider_to_end(page: Page, box, value: str) -> None:
    """Move the slider inside ``box`` (a locator) to its maximum ``value`` from the keyboard."""
    slider = box.locator("[role=slider]")
    for _ in range(3):  # a keystroke landing during a redraw can be lost
        slider.focus()
        page.keyboard.press("End")
        try:
            expect(slider).to_have_attribute("aria-valuenow", value, timeout=5_000)
            return
        except AssertionError:
            continue
    expect(slider).to_have_attribute("aria-valuenow", value)


def chart_image(page: Page, key: str) -> dict:
    """Size and source of the chart's image (waits until it has loaded)."""
    img = page.locator(f".chart-{key} img").first
    img.wait_for(timeout=STEP_MS)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=img.element_handle(), timeout=STEP_MS)
    return img.evaluate("img => ({w: img.naturalWidth, h: img.naturalHeight, src: img.src})")


# --------------------------------------------------------------------------- tests


def test_server_binds_to_loopback_and_prints_its_url(server):
    addresses = _listening_addresses(server["port"])
    if not addresses:
        pytest.skip("no /proc/net/tcp to check the listening address")
    loopback = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1
    assert addresses <= loopback, f"listening on {addresses}, not only on 127.0.0.1"
    assert server["url"] in server["log"].read_text()


def test_page_loads_offline_and_every_chart_renders(page: Page, server):
    requests: list[str] = []
    failures: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failures.append(f"{r.url} {r.failure}"))
    page.on("response", lambda r: failures.append(f"{r.url} {r.status}") if r.status >= 400
            else None)
    open_dashboard(page, server["url"])
    expect(page.get_by_text("Customers by relationship stage")).to_be_visible()
    # the page is Mesa's SolaraViz: its Controls, Model Parameters and Information cards
    for text in ("Controls", "Play Interval (ms)", "Render Interval (steps)",
                 "Model Parameters", "Customers (class size)", "Information", "Page 0"):
        expect(page.get_by_text(text, exact=True).first).to_be_visible()
    expect(page.get_by_text("Time: 0.0")).to_be_visible()
    step(page)
    expect(page.get_by_text("Time: 7.0")).to_be_visible()  # one Mesa step is one day
    sizes = {key: chart_image(page, key) for key in CHARTS}
    for key, size in sizes.items():
        assert size["w"] >= 300 and size["h"] >= 150, f"chart {key} is {size}"
    # the page fetched nothing from outside this machine, and nothing was missing
    outside = [u for u in requests
               if not u.startswith((server["url"], f"ws://127.0.0.1:{server['port']}",
                                    "data:", "blob:"))]
    assert not outside, f"requests left the machine: {outside[:5]}"
    assert not failures, f"failed requests: {failures[:5]}"
    assert int(kpi(page, "customers").replace(",", "")) > 0


def test_step_advances_time_and_play_pause(page: Page, server):
    open_dashboard(page, server["url"])
    before = chart_image(page, "stages")["src"]
    assert step(page) == "7"  # a week per step by default
    assert step(page) == "14"
    expect(page.locator(".chart-stages img").first).not_to_have_attribute("src", before)
    assert kpi(page, "satisfaction") != "–"
    button(page, PLAY).click()
    expect(button(page, PAUSE)).to_be_visible(timeout=STEP_MS)
    expect(button(page, "Step")).to_be_disabled()
    expect(page.locator(".kpi-day .servsim-kpi-value")).not_to_have_text(
        re.compile(r"^(14|21)$"), timeout=STEP_MS)
    button(page, PAUSE).click()
    expect(button(page, PLAY)).to_be_visible(timeout=STEP_MS)
    expect(button(page, "Step")).to_be_enabled()
    paused_at = settled_day(page)  # a tick already in flight may still land
    # meanwhile another student opens the page: a run of their own, at day 0
    other = page.context.browser.new_page()
    try:
        open_dashboard(other, server["url"])
    finally:
        other.close()
    assert kpi(page, "day") == paused_at
    assert int(paused_at) >= 28
    reset(page)
    expect(page.locator(".kpi-day .servsim-kpi-value")).to_have_text("0", timeout=STEP_MS)


def test_changed_levers_take_effect_on_reset(page: Page, server):
    open_dashboard(page, server["url"])
    reset(page)  # Reset with unchanged controls: the same run again
    expect(page.locator(".servsim-pending")).to_have_count(0)
    base_customers = int(kpi(page, "customers").replace(",", ""))
    step(page)
    base_profit = kpi(page, "cumulative-profit")
    # a select: the positioning moves its sliders to the preset's values
    choose(page, ".servsim-strategy", "premium")
    expect(page.locator(".lever-strategy-price .servsim-lever-label")).to_contain_text("1.4")
    expect(page.locator(".servsim-pending")).to_be_visible()
    # a slider of Mesa's Model Parameters, from the keyboard: the class size to its maximum
    slider_to_end(page, mesa_input(page, "Customers (class size)"), "5000")
    assert kpi(page, "day") == "7"  # nothing applied before Reset
    reset(page)
    expect(page.locator(".servsim-running")).to_contain_text("premium", timeout=STEP_MS)
    expect(page.locator(".servsim-running")).to_contain_text("5,000 customers")
    assert kpi(page, "day") == "0"
    assert int(kpi(page, "customers").replace(",", "")) > 2 * base_customers
    step(page)
    assert kpi(page, "cumulative-profit") != base_profit
    assert page.locator(".servsim-error").count() == 0


def test_preset_loads_the_seed_scenario(page: Page, server):
    open_dashboard(page, server["url"])
    choose(page, ".servsim-preset", "Hotels: Shangri-La style (premium, inverted pyramid)")
    # the preset is the composed config: group options and their lever values
    expect(page.locator(".servsim-market .v-select__selection")).to_have_text("hotels")
    expect(page.locator(".servsim-strategy .v-select__selection")).to_have_text("premium")
    expect(page.locator(".servsim-org .v-select__selection")).to_have_text("inverted")
    expect(page.locator(".lever-org-frontline_authority .servsim-lever-label")).to_contain_text(
        "0.8")
    expect(page.locator(".lever-market-imitation .servsim-lever-label")).to_contain_text("0.04")
    expect(page.locator(".servsim-compare .v-select__selection")).to_have_text(
        "budget hotel (low cost, pyramid)")
    reset(page)
    running = page.locator(".servsim-running")
    expect(running).to_contain_text("market hotels", timeout=STEP_MS)
    expect(running).to_contain_text("inverted pyramid")
    expect(page.locator(".servsim-compare-labels")).to_contain_text("budget hotel")
    assert chart_image(page, "compare")["w"] >= 300


def test_invalid_settings_show_one_line_and_keep_the_run(page: Page, server):
    open_dashboard(page, server["url"])
    step(page)
    box = page.locator(".servsim-extra input")
    box.fill("strategy.price=-1")
    box.press("Enter")
    reset(page)
    error = page.locator(".servsim-error")
    expect(error).to_contain_text("strategy.price", timeout=STEP_MS)
    expect(error).to_contain_text("out of range")
    assert "\n" not in error.inner_text().strip()
    assert kpi(page, "day") == "7"  # the old run stays on screen and still steps
    assert step(page) == "14"
    expect(page.get_by_text("Time: 14.0")).to_be_visible()  # Mesa's clock follows the kept run
    box.fill("")
    box.press("Enter")
    # a bad seed in Mesa's Model Parameters card: refused the same way
    seed = page.get_by_role("textbox", name="Seed (same seed, same run)")
    seed.fill("abc")
    seed.press("Enter")
    reset(page)
    expect(error).to_contain_text("seed 'abc'", timeout=STEP_MS)
    assert kpi(page, "day") == "14"
    seed.fill("0")
    seed.press("Enter")
    reset(page)
    expect(page.locator(".kpi-day .servsim-kpi-value")).to_have_text("0", timeout=STEP_MS)
    assert page.locator(".servsim-error").count() == 0


def test_screenshot_of_a_played_run(page: Page, server):
    page.set_viewport_size({"width": 1440, "height": 2400})
    open_dashboard(page, server["url"])
    button(page, PLAY).click()  # a week per tick until four months have run
    page.wait_for_function(
        "() => Number(document.querySelector('.kpi-day .servsim-kpi-value')"
        "?.innerText) >= 120", timeout=4 * STEP_MS)
    try:
        button(page, PAUSE).click(timeout=5_000)
    except PlaywrightTimeoutError:
        # the model runs ahead of the charts: on a busy machine it may reach the horizon
        # (which stops Play and disables Pause) before the page shows day 120
        expect(page.locator(".kpi-day .servsim-kpi-value")).to_have_text(
            str(DEFAULT_HORIZON), timeout=STEP_MS)
    expect(button(page, PLAY)).to_be_visible()
    assert int(settled_day(page)) >= 120
    for key in CHARTS:
        chart_image(page, key)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 50_000
