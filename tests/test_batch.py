"""A shoebox of prints: the app's batch (colorizer.demo.batch) takes many photos or a .zip, refuses hostile
archives member by member, writes nothing outside the request's folder, and returns one zip with a manifest."""
import csv
import io
import stat
import zipfile
from pathlib import Path

from PIL import Image

from conftest import synthetic_photo
from colorizer.demo.batch import BatchLimits, gather, run_batch


def _png(seed=0, h=24, w=32) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(synthetic_photo(h, w, seed)).save(buf, "PNG")
    return buf.getvalue()


def _zip(path: Path, members: list[tuple[str, bytes]], links: tuple[str, ...] = ()) -> str:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
        for name in links:  # a symbolic link member, as `zip --symlinks` stores one
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return str(path)


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def test_hostile_archive_members_are_skipped_with_a_reason(tmp_path):
    inner = _zip(tmp_path / "inner.zip", [("x.png", _png(1))])
    bomb = b"\0" * (3 * 2**20)  # unpacks to 3 MB from a few KB, over this batch's 1 MB a photo
    archive = _zip(tmp_path / "album.zip", [
        ("good/a.png", _png(0)), ("../escape.png", _png(2)), ("/etc/abs.png", _png(3)), ("C:/win.png", _png(4)),
        ("nested.zip", Path(inner).read_bytes()), ("notes.txt", b"hello"), ("bomb.png", bomb),
        ("__MACOSX/._a.png", b"fork")], links=("link.png",))
    got = gather([archive], BatchLimits(file_bytes=2**20))
    assert [n for n, _ in got.photos] == ["album.zip: good/a.png"]
    why = dict(got.skipped)
    assert "climbs out" in why["album.zip: ../escape.png"]
    assert "absolute" in why["album.zip: /etc/abs.png"] and "absolute" in why["album.zip: C:/win.png"]
    assert "archive inside the archive" in why["album.zip: nested.zip"]
    assert "not a photo" in why["album.zip: notes.txt"]
    assert "over the limit" in why["album.zip: bomb.png"]
    assert "symbolic link" in why["album.zip: link.png"]
    assert not any("MACOSX" in n for n in why)


def test_an_archive_of_thousands_of_members_is_not_opened(tmp_path):
    archive = _zip(tmp_path / "many.zip", [(f"{i}.png", b"x") for i in range(60)])
    got = gather([archive], BatchLimits(members=50))
    assert not got.photos and "60 entries" in got.skipped[0][1]


def test_limits_on_count_and_total_size_hold_before_decoding(tmp_path):
    files = []
    for i in range(5):
        files.append(tmp_path / f"{i}.png")
        files[-1].write_bytes(_png(i))
    got = gather([str(f) for f in files], BatchLimits(files=3))
    assert len(got.photos) == 3 and all("limit of 3 photos" in w for _, w in got.skipped)
    size = files[0].stat().st_size
    got = gather([str(f) for f in files], BatchLimits(total_bytes=int(size * 2.5)))
    assert len(got.photos) == 2 and "in all" in got.skipped[0][1]
    (tmp_path / "not.zip").write_bytes(b"PK\x03\x04 broken")
    got = gather([str(tmp_path / "not.zip")])
    assert "not a readable .zip" in got.skipped[0][1]


def test_a_batch_writes_only_its_own_folder_and_returns_a_zip_with_its_manifest(weights_dir, tmp_path):
    from colorizer.inference import Colorizer
    c = Colorizer.load(weights_dir / "resnet-mid.safetensors")
    root = tmp_path / "requests"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.png").write_bytes(_png(0))
    (outside / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    archive = _zip(outside / "album.zip", [("x/a.png", _png(1)), ("y/a.png", _png(2)), ("../../evil.png", _png(3))])
    before = _files_under(tmp_path)
    seen = []
    r = run_batch(c, [str(outside / "a.png"), str(outside / "broken.jpg"), archive], str(root),
                  progress=lambda done, total, name: seen.append((done, total)), size=48)
    created = _files_under(tmp_path) - before
    assert created and all(root in p.parents for p in created)  # nothing outside the request's folder
    assert seen[-1] == (4, 4) and len(r.tiles) == 3 and len(r.pairs) == 3
    assert {n for n, _ in r.failed} == {"broken.jpg", "album.zip: ../../evil.png"}
    with zipfile.ZipFile(r.zip_path) as zf:
        names = sorted(zf.namelist())
        rows = list(csv.DictReader(io.TextIOWrapper(zf.open("colorize.csv"), "utf-8")))
    # three results named a_colorized...: none replaces another
    assert names == ["colorize.csv", "colorized/a_colorized-2.png", "colorized/a_colorized-3.png", "colorized/a_colorized.png"]
    assert [r_["status"] for r_ in rows] == ["written", "failed", "written", "written"]
    assert rows[1]["input"] == "broken.jpg" and rows[1]["error"] and str(outside) not in rows[1]["error"]
    assert "3 colorized**, 2 failed" in r.summary() and "broken.jpg" in r.summary()


def test_a_batch_with_nothing_to_colorize_gives_no_zip(weights_dir, tmp_path):
    from colorizer.inference import Colorizer
    c = Colorizer.load(weights_dir / "resnet-mid.safetensors")
    (tmp_path / "notes.txt").write_text("not a photo")
    r = run_batch(c, [str(tmp_path / "notes.txt")], str(tmp_path))
    assert r.zip_path is None and r.failed and not r.tiles
