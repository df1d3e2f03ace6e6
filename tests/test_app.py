"""The real app server, on a free local port, driven through gradio_client and a real browser."""
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from PIL import Image

from colorizer import list_models
from conftest import ROOT, synthetic_photo

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(weights, cwd, **env_extra) -> dict:
    """app.py in a subprocess on a free port, serving the checkpoints in `weights`; waits until it answers."""
    port = _free_port()
    env = dict(os.environ, COLORIZER_WEIGHTS=str(weights), PYTHONPATH=str(ROOT), GRADIO_ANALYTICS_ENABLED="False",
               **env_extra)
    log_path = cwd.parent / f"app-{port}.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port)], cwd=cwd, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 240
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return {"url": url, "cwd": cwd, "proc": proc}
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(log_path.read_text())
            time.sleep(1)
    proc.kill()
    raise RuntimeError("app did not start: " + log_path.read_text())


def stop_app(server: dict) -> None:
    server["proc"].terminate()
    server["proc"].wait(timeout=30)


@pytest.fixture(scope="module")
def server(weights_dir, tmp_path_factory):
    cwd = tmp_path_factory.mktemp("cwd")  # the app must write nothing here
    s = start_app(weights_dir, cwd, COLORIZER_MAX_UPLOAD="1mb")
    yield s
    stop_app(s)


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
    api = client.view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/colorize", "/compare_all", "/checkpoints", "/colorize_video",
                                           "/colorize_batch"}  # no stray /colorize_1
    params = [p["parameter_name"] for p in api["named_endpoints"]["/colorize"]["parameters"]]
    assert params == ["image", "checkpoint", "size", "temperature", "hints", "restore", "strength", "repair", "reference",
                      "repair_mask"]


def test_a_batch_through_the_api(client, tmp_path):
    """Two photos and a broken file in: a zip of two results and a manifest of three rows out, the failure named."""
    import csv
    import io
    import zipfile
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    files = [handle_file(_photo(tmp_path, "a.jpg")), handle_file(_photo(tmp_path, "b.png")),
             handle_file(str(tmp_path / "broken.png"))]
    archive, text = client.predict(files, "resnet-mid", 1.0, False, api_name="/colorize_batch")
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == ["colorize.csv", "colorized/a_colorized.jpg", "colorized/b_colorized.png"]
        rows = list(csv.DictReader(io.TextIOWrapper(zf.open("colorize.csv"), "utf-8")))
    assert [r["status"] for r in rows] == ["written", "written", "failed"]
    assert "2 colorized" in text and "broken.png" in text and "gradio" not in text.lower()


def test_colour_strength_through_the_api(client, tmp_path):
    """strength 0 is gray (a calm end of the slider); a value out of range is a clear error, not a crash."""
    import numpy as np
    full, text = client.predict(handle_file(_photo(tmp_path)), "effnet-unet", 64, 0.3, "", None, 0.0,
                                api_name="/colorize")
    rgb = np.asarray(Image.open(full).convert("RGB")).astype(int)
    assert np.abs(rgb - rgb.mean(axis=2, keepdims=True)).max() <= 3 and "colour strength 0" in text
    with pytest.raises(Exception, match="greater than maximum value 2"):  # the slider's own range, checked by Gradio
        client.predict(handle_file(_photo(tmp_path)), "effnet-unet", 64, 0.3, "", None, 3.0, api_name="/colorize")


def test_color_upload(client, tmp_path):
    full, text = client.predict(handle_file(_photo(tmp_path)), "effnet-unet", 64, 0.3, "", api_name="/colorize")
    assert Image.open(full).size == (120, 90)
    assert Image.open(full).format == "JPEG"  # a JPEG photo: JPEG out
    assert "PSNR" in text and "CIEDE2000" in text
    png = tmp_path / "p.png"
    Image.open(_photo(tmp_path)).save(png)
    full, _ = client.predict(handle_file(str(png)), "effnet-unet", 64, 0.3, api_name="/colorize")  # hints optional
    assert Image.open(full).format == "PNG"


def test_hints_through_the_api(client, tmp_path):
    photo = handle_file(_photo(tmp_path))
    plain = client.predict(photo, "effnet-unet", 64, 0.3, "", api_name="/colorize")
    hinted = client.predict(photo, "effnet-unet", 64, 0.3, "[[60, 45, [0, 0, 255]], [5, 5, [255, 0, 0]]]",
                            api_name="/colorize")
    assert "2 hints" in hinted[1]
    import numpy as np
    assert not np.array_equal(np.asarray(Image.open(plain[0])), np.asarray(Image.open(hinted[0])))
    with pytest.raises(Exception, match="outside the image"):
        client.predict(photo, "effnet-unet", 64, 0.3, "[[500, 5, [0, 0, 255]]]", api_name="/colorize")
    with pytest.raises(Exception, match="does not take color hints"):
        client.predict(photo, "resnet-mid", 64, 0.3, "[[5, 5, [0, 0, 255]]]", api_name="/colorize")
    with pytest.raises(Exception, match="not valid JSON"):
        client.predict(photo, "effnet-unet", 64, 0.3, "[[5, 5", api_name="/colorize")


def test_grayscale_upload_says_so(client, tmp_path):
    full, text = client.predict(
        handle_file(_photo(tmp_path, "g.png", gray=True)), "effnet-unet", 64, 0.38, "", api_name="/colorize")
    assert "grayscale" in text
    assert Image.open(full).size == (120, 90) and Image.open(full).mode == "RGB"


@pytest.mark.parametrize("name", ["resnet-mid", "gray2rgb-cnn", "conv-autoencoder", "inception-fusion", "effnet-unet"])
def test_each_checkpoint(client, tmp_path, name):
    out = client.predict(handle_file(_photo(tmp_path, h=41, w=67)), name, 96, 0.38, api_name="/colorize")
    assert Image.open(out[0]).size == (67, 41) and f"**{name}**" in out[1]


def test_compare_all(client, tmp_path):
    gallery = client.predict(handle_file(_photo(tmp_path)), 64, 0.38, api_name="/compare_all")
    assert len(gallery) == 1 + len(list_models())  # the original + every checkpoint in the test weights folder
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
                done.append(Image.open(out[0]).size)
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
        assert {"image", "checkpoint", "hints"} <= set(tool["inputSchema"]["properties"])
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_colorize_video_through_the_api(client, tmp_path):
    from colorizer.video.stream import probe, write_video
    frames = [synthetic_photo(48, 64, i)[..., 0] for i in range(6)]
    clip = tmp_path / "clip.mp4"
    write_video(frames, clip, fps=6)
    out, text = client.predict(handle_file(str(clip)), "effnet-unet", 0, None, api_name="/colorize_video")
    path = out["video"] if isinstance(out, dict) else out
    info = probe(path)
    assert (info.width, info.height, info.frames) == (64, 48, 6) and "6 frames" in text
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(Exception, match="not a readable video"):
        client.predict(handle_file(str(bad)), "effnet-unet", 0, None, api_name="/colorize_video")
    params = [p["parameter_name"] for p in client.view_api(print_info=False, return_format="dict")
              ["named_endpoints"]["/colorize_video"]["parameters"]]
    assert params == ["video", "checkpoint", "start", "end", "reference"]
    colour = tmp_path / "reference.png"
    Image.fromarray(synthetic_photo(48, 64, 9)).save(colour)
    out, text = client.predict(handle_file(str(clip)), "effnet-unet", 0, None, handle_file(str(colour)),
                               api_name="/colorize_video")
    assert "reference photo" in text
    with pytest.raises(Exception, match="reference photo is gray"):
        client.predict(handle_file(str(clip)), "effnet-unet", 0, None, handle_file(_photo(tmp_path, "g.png", gray=True)),
                       api_name="/colorize_video")
