"""The real app server, on a free local port, driven through gradio_client and a real browser."""
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from conftest import ROOT, synthetic_photo

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(weights_dir, tmp_path_factory):
    cwd = tmp_path_factory.mktemp("cwd")  # the app must write nothing here
    port = _free_port()
    env = dict(os.environ, COLORIZER_WEIGHTS=str(weights_dir), COLORIZER_MAX_UPLOAD="1mb",
               PYTHONPATH=str(ROOT), GRADIO_ANALYTICS_ENABLED="False")
    log = open(cwd.parent / "app.log", "w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port)], cwd=cwd, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError((cwd.parent / "app.log").read_text())
            time.sleep(1)
    else:
        proc.kill()
        raise RuntimeError("app did not start: " + (cwd.parent / "app.log").read_text())
    yield {"url": url, "cwd": cwd, "proc": proc}
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def client(server):
    return Client(server["url"], verbose=False)


def _photo(tmp_path, name="photo.jpg", h=90, w=120, gray=False) -> str:
    img = Image.fromarray(synthetic_photo(h, w))
    if gray:
        img = img.convert("L")
    path = tmp_path / name
    img.save(path)
    return str(path)


def test_named_endpoints(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/colorize", "/compare_all"} <= names


def test_color_upload(client, tmp_path):
    gray, pred, orig, slider, text, full, sheet = client.predict(
        handle_file(_photo(tmp_path)), "effnet-unet", 64, 0.3, api_name="/colorize")
    for p in (gray, pred, orig, full):
        assert Image.open(p).size == (120, 90)
    assert len(slider) == 2 and "PSNR" in text and "CIEDE2000" in text
    s = Image.open(sheet)
    assert s.width > 3 * 120 * 0  # a real image
    assert s.width > s.height  # three panels side by side


def test_grayscale_upload_says_so(client, tmp_path):
    gray, pred, orig, slider, text, full, sheet = client.predict(
        handle_file(_photo(tmp_path, "g.png", gray=True)), "effnet-unet", 64, 0.38, api_name="/colorize")
    assert orig is None and "grayscale" in text
    assert Image.open(pred).size == (120, 90)


@pytest.mark.parametrize("name", ["resnet-mid", "gray2rgb-cnn", "conv-autoencoder", "inception-fusion", "effnet-unet"])
def test_each_checkpoint(client, tmp_path, name):
    out = client.predict(handle_file(_photo(tmp_path, h=41, w=67)), name, 96, 0.38, api_name="/colorize")
    assert Image.open(out[1]).size == (67, 41) and f"**{name}**" in out[4]


def test_compare_all(client, tmp_path):
    gallery = client.predict(handle_file(_photo(tmp_path)), 64, 0.38, api_name="/compare_all")
    assert len(gallery) == 1 + 5
    assert gallery[0]["caption"] == "original"
    assert all(Image.open(g["image"]).size == (120, 90) for g in gallery)


def test_corrupt_file_gives_a_readable_error(client, tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff this is not really a jpeg")
    with pytest.raises(Exception) as info:
        client.predict(handle_file(str(bad)), "effnet-unet", 64, 0.38, api_name="/colorize")
    msg = str(info.value)
    assert "broken.jpg" in msg and ("not a recognised" in msg or "damaged" in msg)
    assert "Traceback" not in msg and "/tmp/" not in msg


def test_oversized_upload_is_refused(client, tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG" + os.urandom(1_300_000))  # over the 1 MB limit this server runs with
    with pytest.raises(Exception) as info:
        client.predict(handle_file(str(big)), "effnet-unet", 64, 0.38, api_name="/colorize")
    assert "size" in str(info.value).lower() or "413" in str(info.value) or "large" in str(info.value).lower()


def test_decompression_bomb_is_refused_before_decoding(client, tmp_path):
    buf = io.BytesIO()
    Image.new("L", (12000, 12000)).save(buf, format="PNG")  # ~150 KB file, 144 megapixels
    path = tmp_path / "bomb.png"
    path.write_bytes(buf.getvalue())
    with pytest.raises(Exception, match="megapixels"):
        client.predict(handle_file(str(path)), "effnet-unet", 64, 0.38, api_name="/colorize")


def test_nothing_written_to_working_directory(server, client, tmp_path):
    client.predict(handle_file(_photo(tmp_path)), "effnet-unet", 64, 0.38, api_name="/colorize")
    assert list(server["cwd"].iterdir()) == []


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.slow
def test_browser_upload_colorize_and_screenshot(server):
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it with apt)")
    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server["url"], wait_until="networkidle")
        page.locator("input[type=file]").first.set_input_files(str(ROOT / "examples" / "chelsea.jpg"))
        page.wait_for_timeout(1000)
        page.click("#colorize-btn")
        for panel in ("#panel-gray", "#panel-pred", "#panel-orig"):
            page.wait_for_selector(f"{panel} img", timeout=90_000)
        page.wait_for_function("document.querySelector('#metrics').innerText.includes('PSNR')", timeout=60_000)
        srcs = [page.locator(f"{p} img").first.get_attribute("src") for p in ("#panel-gray", "#panel-pred", "#panel-orig")]
        assert all(srcs) and len(set(srcs)) == 3
        page.screenshot(path=str(artifacts / "app.png"), full_page=True)
        browser.close()
    assert (artifacts / "app.png").stat().st_size > 10_000


def test_app_writes_no_files_into_the_repository(server):
    assert not (ROOT / "app.pyi").exists()


@pytest.mark.slow
def test_concurrent_clients_without_errors(server, tmp_path):
    import threading
    path = _photo(tmp_path, h=60, w=80)
    errors, done = [], []

    def worker():
        c = Client(server["url"], verbose=False)
        for _ in range(5):
            try:
                out = c.predict(handle_file(path), "resnet-mid", 64, 0.38, api_name="/colorize")
                done.append(Image.open(out[1]).size)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(str(exc))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(done) == 40 and set(done) == {(80, 60)}


@pytest.mark.slow
def test_full_queue_refuses_politely(weights_dir, tmp_path):
    port = _free_port()
    env = dict(os.environ, COLORIZER_WEIGHTS=str(weights_dir), COLORIZER_QUEUE_SIZE="1", COLORIZER_CONCURRENCY="1",
               PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(180):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(1)
        big = tmp_path / "big.png"
        Image.fromarray(synthetic_photo(600, 800)).save(big)
        client = Client(url, verbose=False)
        jobs = [client.submit(handle_file(str(big)), "inception-fusion", 1024, 0.38, api_name="/colorize")
                for _ in range(8)]
        outcomes = []
        for j in jobs:
            try:
                j.result(timeout=300)
                outcomes.append("ok")
            except Exception as exc:  # noqa: BLE001 - the refusal is what we look for
                outcomes.append(str(exc))
        refused = [o for o in outcomes if o != "ok"]
        assert "ok" in outcomes and refused
        assert all("queue" in o.lower() for o in refused), refused
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_mcp_flag_serves_colorize_as_a_tool(weights_dir, tmp_path):
    import json
    port = _free_port()
    env = dict(os.environ, COLORIZER_WEIGHTS=str(weights_dir), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), "--mcp"], cwd=tmp_path,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        schema = None
        for _ in range(180):
            try:
                schema = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/gradio_api/mcp/schema",
                                                           timeout=2).read())
                break
            except OSError:
                time.sleep(1)
        assert schema is not None
        tool = next(t for t in schema if t["name"] == "colorize")
        assert {"image", "checkpoint"} <= set(tool["inputSchema"]["properties"])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
