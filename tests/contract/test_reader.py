"""Tests of the training-side reader (contract/python/tessera_dataset.py)
and of the golden export's generator.

    python3 -m unittest discover -s tests/contract -v
"""

import importlib.util
import json
import os
import pathlib
import shutil
import sys
import tempfile
import unittest
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "contract" / "golden" / "export"
sys.path.insert(0, str(ROOT / "contract" / "python"))

from tessera_dataset import DatasetError, TesseraDataset, categories_hash  # noqa: E402

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
