"""The classroom dashboard in a real browser: Debian's Chromium driven by Playwright.

The page: Reset / ▶ / Step and the pace of Play on top (found by their
labels), named tabs below; class size, seed and horizon are Mesa's
``ModelCreator`` inputs in the *Scenario and levers* tab; the charts are
Vega-Lite drawn in the browser.  Every test waits on what the page shows (the
day, a notice, a drawn chart), never on a fixed time; Play runs at a pace in
days per second, so a test is never raced to the horizon.

One server per module (``servsim-demo --port <free port> --no-open``, bound to
127.0.0.1), a fresh browser page per test.  The tests skip, saying why, when
``/usr/bin/chromium`` or the ``dashboard`` extra (playwright, pytest-playwright)
is missing; ``.ci/run`` installs Chromium when it can.

Screenshots of a played run at 1280 x 720 and 1920 x 1080 are written to
``docs/dashboard-1280x720.png`` and ``docs/dashboard-1920x1080.png``.
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

from servsim import demo  # noqa: E402
from servsim.app import DEFAULT_PACE, TABS  # noqa: E402
from tests.conftest import ROOT, free_port  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SCREENSHOTS = {(1280, 720): ROOT / "docs" / "dashboard-1280x720.png",
               (1920, 1080): ROOT / "docs" / "dashboard-1920x1080.png"}
READY_TIMEOUT_S = 90
LOAD_MS = 60_000
"""First page load (the widgets' JavaScript) on a busy 2-core machine."""
STEP_MS = 30_000
"""A step, and the redraw of the charts it causes, on a busy machine."""
CHARTS = ("stages", "satisfaction", "complaints", "money", "staff", "profit-ab")
PLAY, PAUSE = "▶", "❚❚"
"""The Play / Pause button labels."""
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
    """A projector-sized window."""
    return {"viewport": {"width": 1280, "height": 720}}


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

DAY = ".kpi-day .servsim-kpi-value"


def kpi(page: Page, name: str) -> str:
    """The headline number ``name`` (day, customers, satisfaction, nps, cumulative-profit...)."""
    return page.locator(f".kpi-{name} .servsim-kpi-value").inner_text().strip()


def day(page: Page) -> int:
    """The day the page shows."""
    return int(kpi(page, "day"))


def button(page: Page, label: str):
    """A button (Reset, ▶ / ❚❚, Step, a lesson step) by its label."""
    return page.get_by_role("button", name=label, exact=True)


def open_tab(page: Page, name: str) -> None:
    """Click the tab ``name``."""
    page.get_by_role("tab", name=name).click()
    expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")


def mesa_input(page: Page, label: str):
    """An input of Mesa's ModelCreator (in the levers tab) by its label."""
    return page.locator(".v-input").filter(has_text=label)


def open_dashboard(page: Page, url: str) -> None:
    """Load the page: a new browser session starts a fresh run at day 0."""
    page.goto(url)
    button(page, "Reset").wait_for(timeout=LOAD_MS)
    expect(page.locator(DAY)).to_have_text("0", timeout=STEP_MS)


def step(page: Page) -> int:
    """Press Step and wait until the day moves; returns the new day."""
    before = kpi(page, "day")
    button(page, "Step").click()
    expect(page.locator(DAY)).not_to_have_text(before, timeout=STEP_MS)
    return day(page)


def wait_for_day(page: Page, at_least: int, timeout_ms: int = 4 * STEP_MS) -> None:
    """Wait until the page shows day ``at_least`` or later."""
    page.wait_for_function(
        f"() => Number(document.querySelector('{DAY}')?.innerText) >= {at_least}",
        timeout=timeout_ms)


def pause(page: Page) -> int:
    """Press Pause; returns the day once Play has stopped (▶ shown again)."""
    button(page, PAUSE).click()
    expect(button(page, PLAY)).to_be_visible(timeout=STEP_MS)
    expect(button(page, "Step")).to_be_enabled()
    return day(page)


def chart_drawn(page: Page, key: str):
    """The chart's canvas, once Vega has drawn it."""
    canvas = page.locator(f".chart-{key} canvas.marks").first
    canvas.wait_for(timeout=STEP_MS)
    page.wait_for_function("c => c.width > 200 && c.height > 100", arg=canvas.element_handle(),
                           timeout=STEP_MS)
    return canvas


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


@pytest.fixture
def cpu_load():
    """Two busy-loop processes (one per core of the CI machine) for the duration of a test."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        yield procs
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(timeout=10)


# --------------------------------------------------------------------------- tests


def test_server_binds_to_loopback_and_prints_its_url(server):
    addresses = _listening_addresses(server["port"])
    if not addresses:
        pytest.skip("no /proc/net/tcp to check the listening address")
    loopback = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1
    assert addresses <= loopback, f"listening on {addresses}, not only on 127.0.0.1"
    assert server["url"] in server["log"].read_text()


def test_page_loads_offline_with_named_tabs_values_and_charts(page: Page, server):
    requests: list[str] = []
    failures: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failures.append(f"{r.url} {r.failure}"))
    page.on("response", lambda r: failures.append(f"{r.url} {r.status}") if r.status >= 400
            else None)
    open_dashboard(page, server["url"])
    for name in TABS:
        expect(page.get_by_role("tab", name=name)).to_be_visible()
    expect(page.get_by_text("Page 0")).to_have_count(0)
    # the sliders on top say their value and unit
    expect(page.locator(".servsim-pace")).to_contain_text(f"{DEFAULT_PACE} days per second")
    expect(page.locator(".servsim-step-days")).to_contain_text("7 days")
    assert step(page) == 7  # a week per Step
    for key in CHARTS:
        chart_drawn(page, key)
    # the page fetched nothing from outside this machine, and nothing was missing
    outside = [u for u in requests
               if not u.startswith((server["url"], f"ws://127.0.0.1:{server['port']}",
                                    "data:", "blob:"))]
    assert not outside, f"requests left the machine: {outside[:5]}"
    assert not failures, f"failed requests: {failures[:5]}"
    assert int(kpi(page, "customers").replace(",", "")) > 0
    # every lever shows its value and unit
    open_tab(page, "Scenario and levers")
    expect(page.locator(".lever-strategy-price .servsim-lever-label")).to_contain_text(
        "× market price")
    expect(page.locator(".servsim-class-values")).to_contain_text("2,000 customers")


def test_step_play_and_pause_wait_on_the_model(page: Page, server):
    open_dashboard(page, server["url"])
    assert step(page) == 7
    assert step(page) == 14
    button(page, PLAY).click()
    expect(button(page, PAUSE)).to_be_visible(timeout=STEP_MS)
    expect(button(page, "Step")).to_be_disabled()
    wait_for_day(page, 21)  # at 10 days a second the horizon is more than a minute away
    paused_at = pause(page)
    assert 21 <= paused_at < 730
    # meanwhile another student opens the page: a run of their own, at day 0
    other = page.context.browser.new_page()
    try:
        open_dashboard(other, server["url"])
    finally:
        other.close()
    assert day(page) == paused_at  # paused means paused, and sessions do not share runs
    button(page, "Reset").click()
    expect(page.locator(DAY)).to_have_text("0", timeout=STEP_MS)


def test_play_keeps_its_pace_under_cpu_load(page: Page, server, cpu_load):
    """10 s of Play at the default pace with two busy loops running: steady, never a jump."""
    open_dashboard(page, server["url"])
    button(page, PLAY).click()
    wait_for_day(page, 1)
    samples = page.evaluate(f"""async () => {{
        const out = [];
        const t0 = performance.now();
        while (performance.now() - t0 < 10000) {{
            out.push([performance.now() - t0,
                      Number(document.querySelector('{DAY}').innerText)]);
            await new Promise(r => setTimeout(r, 50));
        }}
        return out;
    }}""")
    pause(page)
    changes = [t for (t, d), (_, before) in zip(samples[1:], samples, strict=False)
               if d != before]
    gaps = [b - a for a, b in zip([samples[0][0], *changes], changes, strict=False)]
    first, last = samples[0][1], samples[-1][1]
    elapsed = (samples[-1][0] - samples[0][0]) / 1000
    rate = (last - first) / elapsed
    detail = (f"{first}->{last} in {elapsed:.1f} s, longest gap {max(gaps):.0f} ms; gaps over "
              f"0.5 s: {[round(g) for g in gaps if g > 500]}")
    assert max(gaps) <= 1000, f"the day stood still for over a second: {detail}"
    assert last < 730, f"jumped to the horizon: {detail}"
    assert 0.6 * DEFAULT_PACE <= rate <= 1.1 * DEFAULT_PACE + 0.2, (
        f"pace {rate:.1f} days/s, chosen {DEFAULT_PACE}: {detail}")
    steps = [b - a for (_, a), (_, b) in zip(samples, samples[1:], strict=False)]
    assert max(steps) <= 2 * DEFAULT_PACE, f"a jump of {max(steps)} days: {detail}"


def test_hovering_a_chart_shows_its_values(page: Page, server):
    open_dashboard(page, server["url"])
    step(page)
    tooltip = page.locator("#vg-tooltip-element.visible")
    frames = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
    deadline = time.monotonic() + STEP_MS / 1000
    while time.monotonic() < deadline:  # sweep until the pointer is on a day of the drawn data
        box = chart_drawn(page, "money").bounding_box()
        x = box["x"] + box["width"] * 0.15
        while x < box["x"] + box["width"] * 0.85 and not tooltip.count():
            page.mouse.move(x, box["y"] + box["height"] * 0.5)
            page.evaluate(frames)  # the browser has handled the pointer event
            x += 3
        if tooltip.count():
            break
        page.mouse.move(0, 0)
    expect(tooltip).to_contain_text("profit")
    text = tooltip.inner_text()
    found = re.search(r"day\s*:?\s*(\d+)", text)
    assert found and 1 <= int(found.group(1)) <= 7, text
    assert re.search(r"revenue\s*:?\s*[\d,]+", text), text


def test_changed_inputs_are_named_until_reset(page: Page, server):
    open_dashboard(page, server["url"])
    button(page, "Reset").click()  # Reset with unchanged controls: the same run again
    expect(page.locator(".servsim-pending")).to_have_count(0)
    base_customers = int(kpi(page, "customers").replace(",", ""))
    step(page)
    open_tab(page, "Scenario and levers")
    choose(page, ".servsim-strategy", "premium")  # the positioning moves its sliders
    expect(page.locator(".lever-strategy-price .servsim-lever-label")).to_contain_text("1.40")
    pending = page.locator(".servsim-pending")
    expect(pending).to_contain_text("Positioning")
    expect(pending).to_contain_text("press Reset")
    # Mesa's own input, from the keyboard: the class size to its maximum
    slider_to_end(page, mesa_input(page, "Customers (class size)"), "5000")
    expect(page.locator(".servsim-class-values")).to_contain_text("5,000 customers")
    expect(pending).to_contain_text("Customers")
    assert kpi(page, "day") == "7"  # nothing applied before Reset
    button(page, "Reset").click()
    expect(page.locator(".servsim-running")).to_contain_text("premium", timeout=STEP_MS)
    expect(page.locator(".servsim-running")).to_contain_text("5,000 customers")
    expect(page.locator(".servsim-pending")).to_have_count(0)
    assert kpi(page, "day") == "0"
    assert int(kpi(page, "customers").replace(",", "")) > 2 * base_customers


def test_preset_loads_the_seed_scenario(page: Page, server):
    open_dashboard(page, server["url"])
    open_tab(page, "Scenario and levers")
    choose(page, ".servsim-preset", "Hotels: Shangri-La style (premium, inverted pyramid)")
    expect(page.locator(".servsim-market .v-select__selection")).to_have_text("hotels")
    expect(page.locator(".servsim-strategy .v-select__selection")).to_have_text("premium")
    expect(page.locator(".servsim-org .v-select__selection")).to_have_text("inverted")
    expect(page.locator(".lever-org-frontline_authority .servsim-lever-label")).to_contain_text(
        "0.80")
    expect(page.locator(".servsim-compare .v-select__selection")).to_have_text(
        "budget hotel (low cost, pyramid)")
    button(page, "Reset").click()
    running = page.locator(".servsim-running")
    expect(running).to_contain_text("market hotels", timeout=STEP_MS)
    expect(running).to_contain_text("inverted pyramid")
    expect(running).to_contain_text("budget hotel")
    open_tab(page, "A against B")
    chart_drawn(page, "compare")


def test_invalid_settings_show_one_line_and_keep_the_run(page: Page, server):
    open_dashboard(page, server["url"])
    step(page)
    open_tab(page, "Scenario and levers")
    box = page.locator(".servsim-extra input")
    error = page.locator(".servsim-error")
    for text, words in (("strategy.price=-1", ("strategy.price", "out of range")),
                        ("strategy.price=${oc.env:HOME}", ("not allowed",))):
        box.fill(text)
        box.press("Enter")
        button(page, "Reset").click()
        for word in words:
            expect(error).to_contain_text(word, timeout=STEP_MS)
        assert "\n" not in error.inner_text().strip()
        assert kpi(page, "day") == "7"  # the old run stays on screen and still steps
    assert step(page) == 14
    box.fill("")
    box.press("Enter")
    seed = page.get_by_role("textbox", name="Seed (same seed, same run)")
    seed.fill("abc")
    seed.press("Enter")
    button(page, "Reset").click()
    expect(error).to_contain_text("seed 'abc'", timeout=STEP_MS)
    assert kpi(page, "day") == "14"
    seed.fill("0")
    seed.press("Enter")
    button(page, "Reset").click()
    expect(page.locator(DAY)).to_have_text("0", timeout=STEP_MS)
    assert page.locator(".servsim-error").count() == 0


def test_network_view_draws_todays_word_of_mouth(page: Page, server):
    open_dashboard(page, server["url"])
    step(page)
    open_tab(page, "Word of mouth")
    count = page.locator(".servsim-wom-count")
    expect(count).to_have_text(re.compile(r"^Day 7: today \d+ good and \d+ bad words"))
    chart_drawn(page, "network")
    page.get_by_role("button", name="stage", exact=True).click()
    chart_drawn(page, "network")


def test_lesson_mode_guides_an_exercise(page: Page, server):
    open_dashboard(page, server["url"])
    open_tab(page, "Lesson")
    expect(page.get_by_text("1. Why does over-promising backfire?")).to_be_visible()
    button(page, "1. Set up this exercise").click()
    expect(page.locator(".servsim-running")).to_contain_text("over-promise", timeout=STEP_MS)
    expect(page.locator(".lesson-predict")).to_contain_text("Predict")
    button(page, "3. ▶ Play to day 90").click()
    wait_for_day(page, 90)
    expect(button(page, PLAY)).to_be_visible(timeout=STEP_MS)  # stopped at the checkpoint
    assert day(page) == 90
    button(page, "4. Read the result: what to look for").click()
    expect(page.locator(".lesson-look-for")).to_contain_text("day 90")
    expect(page.locator(".servsim-compare-table")).to_contain_text("cumulative profit")


@pytest.mark.parametrize("size", list(SCREENSHOTS))
def test_screenshot_of_a_played_run(browser, server, size):
    width, height = size
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        open_dashboard(page, server["url"])
        speed = page.locator(".servsim-pace")
        slider_to_end(page, speed, "60")
        expect(speed).to_contain_text("60 days per second")
        button(page, PLAY).click()
        wait_for_day(page, 120)
        assert 120 <= pause(page) < 730
        for key in CHARTS:
            chart_drawn(page, key)
        path = SCREENSHOTS[size]
        page.screenshot(path=str(path))
        assert path.stat().st_size > 50_000
    finally:
        page.close()
