"""Tests of the training-side reader (contract/python/tessera_dataset.py)
and of the golden export's generator.

    python3 -m unittest discover -s tests/contract -v
"""

import base64
import hashlib
import importlib.util
import json
import os
import pathlib
import shutil
import sys
import tempfile
import struct
import subprocess
import unittest
import zipfile
import zlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "contract" / "golden" / "export"
sys.path.insert(0, str(ROOT / "contract" / "python"))

from tessera_dataset import DatasetError, TesseraDataset, categories_hash, check_png  # noqa: E402

# The server binary, when built: `tessera verify` must reject what the
# reader rejects.
BIN = pathlib.Path(os.environ.get("TESSERA_BIN", ROOT / "build" / "tessera"))
GOLDEN_HASH = "sha256:e0f81055bb7f8336f3cb4cb05be17719dc6310ec99482439bd4a2702d6fe2fb7"
GOLDEN_PAIRS = [("17.png", 0), ("18.png", 1), ("21.png", 1)]


def zip_folder(folder, zip_path, extra=None):
    with zipfile.ZipFile(zip_path, "w") as z:
        for name in ["manifest.json", "annotations.json"] + sorted(
                "images/" + p.name for p in (folder / "images").iterdir()):
            z.write(folder / name, name)
        for name, data in (extra or {}).items():
            z.writestr(name, data)


class GoldenReaderTest(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp())
        self.copy = self.tmp / "export"
        shutil.copytree(GOLDEN, self.copy)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def check_golden(self, ds):
        self.assertEqual(ds.version, 1)
        self.assertEqual(ds.hash, GOLDEN_HASH)
        self.assertEqual(ds.class_names, ["cat", "dog", "bird"])
        self.assertEqual(ds.category_ids, [1, 2, 3])
        self.assertEqual(ds.categories_hash, ds.manifest["categories_hash"])
        self.assertEqual(len(ds), 3)

    def test_folder(self):
        with TesseraDataset(GOLDEN) as ds:
            self.check_golden(ds)
            pairs = list(ds)
        self.assertEqual(pairs, [(GOLDEN / "images" / n, i) for n, i in GOLDEN_PAIRS])

    def test_zip(self):
        zip_path = self.tmp / "export.zip"
        zip_folder(self.copy, zip_path)
        with TesseraDataset(zip_path) as ds:
            self.check_golden(ds)
            pairs = list(ds)
        self.assertEqual(pairs, [((GOLDEN / "images" / n).read_bytes(), i)
                                 for n, i in GOLDEN_PAIRS])

    def test_categories_hash_matches_contract(self):
        cats = [{"id": 3, "name": "Ünïcödé 猫"}, {"id": 1, "name": "chat noir"}]
        self.assertEqual(categories_hash(cats),
                         "sha256:cb480df47024fe116d28016ab259dc63e18aeabf35ba532f3f9cb180f73c3817")

    def assertFails(self, path, fragment, **kw):
        with self.assertRaises(DatasetError) as cm:
            with TesseraDataset(path, **kw) as ds:
                list(ds)
        self.assertIn(fragment, str(cm.exception))

    def test_changed_image_byte(self):
        p = self.copy / "images" / "18.png"
        data = bytearray(p.read_bytes())
        data[len(data) // 2] ^= 1
        p.write_bytes(bytes(data))
        self.assertFails(self.copy, "images/18.png: checksum mismatch")
        zip_path = self.tmp / "export.zip"
        zip_folder(self.copy, zip_path)
        self.assertFails(zip_path, "images/18.png: checksum mismatch")
        # lazily: opening works, iteration reaches the bad image and raises
        with TesseraDataset(self.copy, verify_images="lazy") as ds:
            it = iter(ds)
            self.assertEqual(next(it)[1], 0)
            with self.assertRaises(DatasetError):
                next(it)

    def test_missing_image(self):
        (self.copy / "images" / "21.png").unlink()
        self.assertFails(self.copy, "missing images: images/21.png")

    def test_extra_file(self):
        (self.copy / "notes.txt").write_text("hi")
        self.assertFails(self.copy, "unexpected entries: notes.txt")
        (self.copy / "notes.txt").unlink()
        (self.copy / "images" / "99.png").write_bytes(b"x")
        self.assertFails(self.copy, "unexpected entries: images/99.png")
        (self.copy / "images" / "99.png").unlink()
        zip_path = self.tmp / "export.zip"
        zip_folder(self.copy, zip_path, {"../evil.png": b"x"})
        self.assertFails(zip_path, "unexpected entries: ../evil.png")

    def test_edited_annotations(self):
        p = self.copy / "annotations.json"
        p.write_bytes(p.read_bytes().replace(b'"labeled_by":"bob"', b'"labeled_by":"eve"'))
        self.assertFails(self.copy, "hash mismatch")

    def test_edited_manifest_category_name(self):
        p = self.copy / "manifest.json"
        p.write_text(p.read_text(encoding="utf-8").replace('"name": "dog"', '"name": "dgo"'),
                     encoding="utf-8")
        self.assertFails(self.copy, "manifest.json categories differ")

    def test_stale_categories_hash(self):
        p = self.copy / "manifest.json"
        m = json.loads(p.read_text(encoding="utf-8"))
        m["categories_hash"] = "sha256:" + "0" * 64
        p.write_text(json.dumps(m, indent=2), encoding="utf-8")
        self.assertFails(self.copy, "categories_hash mismatch")

    def test_not_an_export(self):
        self.assertFails(self.tmp / "nothing", "no such folder or zip")
        self.assertFails(self.copy / "manifest.json", "not a readable zip")


# A 64 x 48 baseline JPEG (ffmpeg testsrc), whole.
SMALL_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgQEBMQExYWFhYWFhoYGhsbGxoaGhobGxsdHR0i"
    "IiIdHR0bGx0dICAiIiUmJSMjIiMmJigoKDAwLi44ODpFRVP/xACxAAACAgMBAQAAAAAAAAAAAAAABwYIBAUDAgEBAAIDAQEB"
    "AAAAAAAAAAAAAAAGBwQIBQIBEAABAwIDAgcKDwEBAAAAAAABAgARBAMSBSFBMTJRcWEiEwaiFcGB0pKC4UNEs8OjwtHThOPi"
    "QqFidCNzkTURAAEDAgMCBwwJBQEAAAAAAAEAAgMEETEhBRMGQUODEmHSgYLiwsOjkcFRROMWQtFx0yIUMvCioSNyUpJjNP/A"
    "ABEIADAAQAMBEgACEgADEgD/2gAMAwEAAhEDEQA/AK/vcZfRrzCqs0yNDdVE6dFI1UqCUzhSCYmTEBiEITWoqI1Bxr0tju+Y"
    "c3GfEGwEITbSEpEAbg6FJSGY852TB+7oHR6z5k7MY1jQ1osBgE17w7wt0xpp6ch1U4dBEAPzOGBeRm1p/udlYHMFRUS1Ur5p"
    "nmSR5u5xxPoAAyAGQGQyS8JKjJ1L8tliiZAxscbQ1rRYAfrH1k5kqwtqwwx00bYomhjGCzWjg9JJxJOZOZVpLNja0LP6FcVj"
    "wAhNSEst7+tva4tIc0kEG4INiCMCD614UBNc5jg5pLXNIIINiCMCCMwQvCwaKv6w9XdPSPBVoMXMY0B4uPlcFBIIIMEagjY5"
    "bpK3aHmSH73yuwv0Hgv6vX9aTgSDcZEcKlfeHdgUjTVUTTsWj+rFcuMduMaSS5zOF1yS3H8uGj3sbI1zXNDmuBa5rgCHA5EE"
    "HIgjEK2Lh+RZj3zoLd4mbif67v8AokCTwUjpAhcJEDFGxtSFAiEjOxaEqzK4SkEpp1qSSASk47aZHEYJEjYSH07Ff+je/ir+"
    "FtMQhCabG1oWf0JasbShbrQlmxtaFn9CuKx4AQmpCWbG2IWf0JasbShbqQpv2GWoprU4jhBsKCZMAq6wEgbpISJO2A/HYX3/"
    "AOz/ABra0KAEKNZLQqpauzUpugm2T0SgwQpJSoSF6GCYOsHYXE7OdVNjgosnlCvAsNck1DZ8Xfuu9Vh9BFJiX9hHVTdNpWy4"
    "2/cW8JVJNTmlxbH2B3WVkup6OKf09bhdNnKlnBeCEg7lAEQf3So6c+x1fiTO34byvu1y4NOpXPtK+Vt8CHNsD03YcungUQza"
    "BsfaL8nbxhUza1pdQ2nMtGNq5ly+J4u5zf8Anzeb94f42JdwZ5HiuhwHhz6PrfBdZcUdUpHiP0t2ZvPz/Zbct7pdOPd2isHN"
    "lncCAQQ+Mgg4EER5hcGbevZH/wAl+Wt4pdR27VBUAPEs5DgCC18ZBBwIOzNwVoRkE+8fJ/ePXDPakfks+avy21wa/tvZ7cpf"
    "xYXRi0KmhwfN2uZ1FDB1a3E/v71XDpcB+aTzt6qcNRm3UeyxenHzS8y9ldi/wlXByFPhSXC8e6W09rtyPvVxmb1V0eEdN2tk"
    "+1XWh1ra8TblL+Ar8ej08WDpe0t6iUnffpYep7v8Dze9VjFOK7/1PkuRfhLK/wCL8j71cb4qrrW2dN/rJ9qlqHSdtx1u4v4Q"
    "VOLVJ4sGx9od1lokIxjfDlFFQKUkm7iQNwG5XKZ3DxatgfoPM9ovyffrpw1tVMCZWRsHAA1wd9Zu42C1fDVbUflt239Ch3Vd"
    "44dPc2GgMdQ4ZvkcefEARk1pjLec7hJBs3DM3t1yjME5NSmwLRvFVxVxSjcCRJAGicBgQkbydZPM2CezlIfaX/OR9W1qdux6"
    "f4+lfJXGbH+P0U6jRL8f5Pv1QGs1A+SLzO66/9k=")


def png_chunk(ctype, body):
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def png_of(w, h, raw=None, idat=None):
    """An RGB PNG with good CRCs: only its data can be damaged."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
            + png_chunk(b"IDAT", idat if idat is not None else zlib.compress(raw))
            + png_chunk(b"IEND", b""))


def rgb_rows(w, h, filter_type=0):
    row = bytes([filter_type]) + bytes((x * 7) & 0xFF for x in range(w * 3))
    return row * h


def inflate_bomb():
    """8 x 8 rows followed by 200 MB of zeros, deflated (about 200 KB)."""
    z = zlib.compressobj(9)
    out = [z.compress(rgb_rows(8, 8))]
    zero = bytes(1 << 20)
    for _ in range(200):
        out.append(z.compress(zero))
    out.append(z.flush())
    return png_of(8, 8, idat=b"".join(out))


def jpeg_sof(data, w, h):
    """data with its frame header claiming w x h."""
    p = 2
    while True:
        m, length = data[p + 1], struct.unpack(">H", data[p + 2:p + 4])[0]
        if m in (0xC0, 0xC1, 0xC2):
            return data[:p + 5] + struct.pack(">HH", h, w) + data[p + 9:]
        p += 2 + length


def slip_in(folder, name, data):
    """Replaces images/<name> and re-seals the export around it (its
    checksum, the annotations hash), as an exporter that never decoded its
    images would have written it: only the image check can object."""
    path = folder / "images" / name
    old = hashlib.sha256(path.read_bytes()).hexdigest().encode()
    path.write_bytes(data)
    ann = folder / "annotations.json"
    before = ann.read_bytes()
    after = before.replace(old, hashlib.sha256(data).hexdigest().encode())
    ann.write_bytes(after)
    man = folder / "manifest.json"
    man.write_bytes(man.read_bytes().replace(
        hashlib.sha256(before).hexdigest().encode(), hashlib.sha256(after).hexdigest().encode()))


class DamagedImageTest(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp())

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def export_with(self, data, tag):
        folder = self.tmp / tag
        shutil.copytree(GOLDEN, folder)
        slip_in(folder, "18.png", data)
        return folder

    def test_whole_images_pass(self):
        for tag, data in [("png", png_of(16, 16, rgb_rows(16, 16))), ("jpeg", SMALL_JPEG)]:
            folder = self.export_with(data, tag)
            with TesseraDataset(folder) as ds:
                self.assertEqual(len(list(ds)), 3)
            if BIN.exists():
                r = subprocess.run([str(BIN), "verify", str(folder)], capture_output=True,
                                   text=True, check=False)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_damaged_images_are_rejected(self):
        cases = {
            "random IDAT": (png_of(32, 32, idat=b"\x78\x9c" + bytes(range(256)) * 3),
                            "compressed image data is corrupt"),
            "missing rows": (png_of(32, 32, rgb_rows(32, 20)), "stops before its last row"),
            "bad filter": (png_of(32, 32, rgb_rows(32, 32, 7)), "filter type other than 0 to 4"),
            "200 MB inflate": (inflate_bomb(), "more image data than its size allows"),
            "JPEG garbage scan": (SMALL_JPEG[:len(SMALL_JPEG) // 2] + b"\xff\x12garbage"
                                  + SMALL_JPEG[len(SMALL_JPEG) // 2 + 9:], "marker"),
            "JPEG SOF 9000 x 9000": (jpeg_sof(SMALL_JPEG, 9000, 9000), "claims 9000 x 9000"),
            "not an image": (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "accepted format"),
        }
        for i, (kind, (data, why)) in enumerate(cases.items()):
            with self.subTest(kind):
                folder = self.export_with(data, "case%d" % i)
                with self.assertRaises(DatasetError) as cm:
                    TesseraDataset(folder)
                self.assertIn("images/18.png: damaged image: ", str(cm.exception))
                self.assertIn(why, str(cm.exception))
                zip_path = self.tmp / ("case%d.zip" % i)
                zip_folder(folder, zip_path)
                with self.assertRaises(DatasetError):
                    TesseraDataset(zip_path)
                if BIN.exists():
                    for path in (folder, zip_path):
                        r = subprocess.run([str(BIN), "verify", str(path)], capture_output=True,
                                           text=True, check=False)
                        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                        self.assertIn("images/18.png: the image does not decode", r.stdout)

    def test_inflate_bomb_stops_early(self):
        # Inflation stops one byte past the 8 rows: 200 MB are never made.
        import time
        data = inflate_bomb()
        t0 = time.monotonic()
        with self.assertRaises(ValueError):
            check_png(data)
        self.assertLess(time.monotonic() - t0, 0.5)


class GoldenGeneratorTest(unittest.TestCase):
    def test_golden_is_reproducible(self):
        spec = importlib.util.spec_from_file_location(
            "make_golden", ROOT / "contract" / "golden" / "make_golden.py")
        make_golden = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(make_golden)
        with tempfile.TemporaryDirectory() as tmp:
            make_golden.build(tmp)
            self.assertTrue(make_golden.same_tree(tmp, str(GOLDEN)),
                            "contract/golden/export differs from make_golden.py output")

    def test_canonical_bytes(self):
        spec = importlib.util.spec_from_file_location(
            "make_golden", ROOT / "contract" / "golden" / "make_golden.py")
        make_golden = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(make_golden)
        data = (GOLDEN / "annotations.json").read_bytes()
        self.assertFalse(data.endswith(b"\n"))
        self.assertFalse(data.startswith(b"\xef\xbb\xbf"))
        doc = json.loads(data)
        self.assertEqual(make_golden.canonical_dumps(doc).encode("utf-8"), data)
        self.assertEqual(make_golden.canonical_dumps({"a": "x/\x01\x1f\"é"}),
                         '{"a":"x/\\u0001\\u001F\\"é"}')


if __name__ == "__main__":
    unittest.main()


class NewTaskTypesGoldenTest(unittest.TestCase):
    """The golden exports of classification_multi and detection
    (schema_version 1.1.0): reproducible, read by the reader as category
    lists and boxes, and refused when a box is tampered with."""

    def make_golden(self):
        spec = importlib.util.spec_from_file_location(
            "make_golden", ROOT / "contract" / "golden" / "make_golden.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod

    def test_reproducible(self):
        mg = self.make_golden()
        for name, task, split, layout in mg.KINDS:
            with tempfile.TemporaryDirectory() as tmp:
                mg.build(tmp, task, split, layout)
                self.assertTrue(mg.same_tree(tmp, str(ROOT / "contract" / "golden" / name)), name)

    def test_multi(self):
        root = ROOT / "contract" / "golden" / "export_multi"
        with TesseraDataset(root) as ds:
            self.assertEqual(ds.task_type, "classification_multi")
            self.assertEqual(ds.manifest["schema_version"], "1.1.0")
            got = [(p.name, idx) for p, idx in ds]
        # 17: cat, bird; 18: dog; 21: "none of these".
        self.assertEqual(got, [("17.png", [0, 2]), ("18.png", [1]), ("21.png", [])])

    def test_detection(self):
        root = ROOT / "contract" / "golden" / "export_detection"
        with TesseraDataset(root) as ds:
            self.assertEqual(ds.task_type, "detection")
            got = [(p.name, boxes, idx) for p, boxes, idx in ds]
        self.assertEqual(got, [
            ("17.png", [[0.5, 0.25, 2.0, 1.5], [0.0, 0.0, 4.0, 3.0]], [0, 1]),
            ("18.png", [[0.0, 0.0, 1.0, 1.0], [5.0, 3.0, 1.0, 1.0], [1.0, 1.0, 3.75, 2.0]],
             [1, 1, 2]),
            ("21.png", [], []),
        ])

    def test_detection_tampered(self):
        mg = self.make_golden()
        for change, message in [
            (lambda a: a["annotations"][0]["bbox"].__setitem__(2, 100.0), "not inside"),
            (lambda a: a["annotations"][0]["bbox"].__setitem__(3, 0.0), "> 0"),
            (lambda a: a["annotations"][0].__setitem__("area", 2.0), "area"),
        ]:
            with tempfile.TemporaryDirectory() as tmp:
                shutil.copytree(ROOT / "contract" / "golden" / "export_detection", tmp + "/e")
                path = pathlib.Path(tmp) / "e"
                ann = json.loads((path / "annotations.json").read_text())
                change(ann)
                data = mg.canonical_dumps(ann).encode()
                (path / "annotations.json").write_bytes(data)
                man = json.loads((path / "manifest.json").read_text())
                digest = hashlib.sha256(data).hexdigest()
                man["hash"] = "sha256:" + digest
                man["files"]["annotations.json"] = {"sha256": digest, "bytes": len(data)}
                (path / "manifest.json").write_text(json.dumps(man, indent=2) + "\n")
                with self.assertRaises(DatasetError) as cm:
                    TesseraDataset(path)
                self.assertIn(message, str(cm.exception))

    def test_yolo_labels(self):
        root = ROOT / "contract" / "golden" / "export_detection"
        self.assertEqual((root / "labels" / "17.txt").read_text(),
                         "0 0.375000 0.333333 0.500000 0.500000\n"
                         "1 0.500000 0.500000 1.000000 1.000000\n")
        self.assertEqual((root / "labels" / "21.txt").read_text(), "")  # no objects
        for change, message in [
            (lambda p: (p / "labels" / "17.txt").write_text("0 0.5 0.5 0.5 0.5\n"), "differs"),
            (lambda p: (p / "labels" / "21.txt").unlink(), "labels/21.txt"),
            (lambda p: (p / "labels" / "99.txt").write_text(""), "labels/99.txt"),
        ]:
            with tempfile.TemporaryDirectory() as tmp:
                path = pathlib.Path(tmp) / "e"
                shutil.copytree(root, path)
                change(path)
                with self.assertRaises(DatasetError) as cm:
                    TesseraDataset(path)
                self.assertIn(message, str(cm.exception))
                if BIN.exists():
                    r = subprocess.run([str(BIN), "verify", str(path)], capture_output=True,
                                       text=True)
                    self.assertEqual(r.returncode, 1, r.stdout)
                    self.assertIn("labels/", r.stdout)
        # A classification export holds no labels/.
        with tempfile.TemporaryDirectory() as tmp:
            path = pathlib.Path(tmp) / "e"
            shutil.copytree(ROOT / "contract" / "golden" / "export_multi", path)
            (path / "labels").mkdir()
            (path / "labels" / "17.txt").write_text("")
            with self.assertRaises(DatasetError):
                TesseraDataset(path)
            if BIN.exists():
                r = subprocess.run([str(BIN), "verify", str(path)], capture_output=True, text=True)
                self.assertEqual(r.returncode, 1, r.stdout)
