"""The golden segmentation export (schema_version 1.4.0) and the reader's
geometry: polygons per object, holes by the even-odd rule, the scanline
mask equal to the RLE the export holds, and tampered copies refused by the
reader and by `tessera verify`.

    python3 -m unittest discover -s tests/contract -v
"""

import hashlib
import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "contract" / "python"))

from tessera_dataset import (DatasetError, TesseraDataset, object_area,  # noqa: E402
                             rasterise, rle_decode, rle_from_string)

GOLDEN = ROOT / "contract" / "golden" / "export_segmentation"
BIN = pathlib.Path(os.environ.get("TESSERA_BIN", ROOT / "build" / "tessera"))


def make_golden():
    spec = importlib.util.spec_from_file_location(
        "make_golden", ROOT / "contract" / "golden" / "make_golden.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class GeometryTest(unittest.TestCase):
    def test_area_with_holes(self):
        outer = [0, 0, 10, 0, 10, 10, 0, 10]
        hole = [2, 2, 4, 2, 4, 4, 2, 4]
        island = [2.5, 2.5, 3.5, 2.5, 3.5, 3.5, 2.5, 3.5]
        self.assertEqual(object_area([outer]), 100)
        self.assertEqual(object_area([outer, hole]), 96)
        self.assertEqual(object_area([outer, hole, island]), 97)

    def test_rasterise_pixel_centres(self):
        # Centres on the hypotenuse x + y = 4 are on a right edge: outside.
        self.assertEqual(rasterise([[0, 0, 4, 0, 0, 4]], 4, 4),
                         [[1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]])
        self.assertEqual(rasterise([[0, 0, 4, 0, 4, 4, 0, 4], [1, 1, 1, 3, 3, 3, 3, 1]], 4, 4),
                         [[1, 1, 1, 1], [1, 0, 0, 1], [1, 0, 0, 1], [1, 1, 1, 1]])

    def test_rle(self):
        # The server's unit test's case: 5, 10, 3, 2, 100.
        self.assertEqual(rle_from_string("5:3HQ3"), [5, 10, 3, 2, 100])
        mask = rle_decode({"size": [2, 3], "counts": "2111"})
        self.assertEqual(mask, [[0, 1, 1], [0, 0, 1]])
        with self.assertRaises(ValueError):
            rle_decode({"size": [2, 3], "counts": "211"})


class SegmentationGoldenTest(unittest.TestCase):
    def test_reproducible(self):
        mg = make_golden()
        with tempfile.TemporaryDirectory() as tmp:
            mg.build(tmp, "segmentation")
            self.assertTrue(mg.same_tree(tmp, str(GOLDEN)))

    def test_read(self):
        with TesseraDataset(GOLDEN) as ds:
            self.assertEqual(ds.task_type, "segmentation")
            self.assertEqual(ds.manifest["schema_version"], "1.4.0")
            got = [(p.name, objects, idx) for p, objects, idx in ds]
        self.assertEqual(got, [
            ("17.png", [[[0.5, 0.25, 3.0, 0.5, 1.0, 2.75]],
                        [[0.0, 0.0, 4.0, 0.0, 4.0, 3.0, 0.0, 3.0], [1.0, 1.0, 1.0, 2.0, 2.5, 2.0]]],
             [0, 1]),
            ("18.png", [[[0.0, 0.0, 1.0, 0.0, 1.0, 1.0],
                         [5.0, 3.0, 6.0, 3.0, 6.0, 4.0, 5.0, 4.0]],
                        [[1.0, 1.0, 5.0, 1.0, 3.0, 3.5]]], [1, 2]),
            ("21.png", [], []),
        ])

    def test_mask_equals_the_exported_rle(self):
        with TesseraDataset(GOLDEN) as ds:
            a = ds.annotations["annotations"][1]
            self.assertIsInstance(a["segmentation"], dict)
            mask = ds.object_mask(a["polygons"], 4, 3)
        # The hole's only pixel centre (1.5, 1.5) is left out.
        self.assertEqual(mask, [[1, 1, 1, 1], [1, 0, 1, 1], [1, 1, 1, 1]])
        self.assertEqual(mask, rle_decode(a["segmentation"]))

    def tamper(self, change):
        mg = make_golden()
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        path = pathlib.Path(tmp) / "e"
        shutil.copytree(GOLDEN, path)
        ann = json.loads((path / "annotations.json").read_text())
        change(ann["annotations"])
        data = mg.canonical_dumps(ann).encode()
        (path / "annotations.json").write_bytes(data)
        man = json.loads((path / "manifest.json").read_text())
        digest = hashlib.sha256(data).hexdigest()
        man["hash"] = "sha256:" + digest
        man["files"]["annotations.json"] = {"sha256": digest, "bytes": len(data)}
        (path / "manifest.json").write_text(json.dumps(man, indent=2) + "\n")
        return path

    def test_tampered(self):
        for change, message, verify in [
            (lambda a: a[0]["segmentation"][0].__setitem__(2, 4.5), "not inside", "not inside"),
            (lambda a: a[0]["segmentation"].__setitem__(0, [0.5, 0.25, 3.0, 0.5]),
             "at least 3 points", "not a ring"),
            (lambda a: a[0].__setitem__("area", 3.5), "area", "area"),
            (lambda a: a[0]["bbox"].__setitem__(2, 2.0), "bounds", "bbox"),
            (lambda a: a[1]["segmentation"].__setitem__("counts", "041"), "RLE", "counts"),
            (lambda a: a[1]["segmentation"].__setitem__("size", [4, 3]), "RLE", "size"),
        ]:
            path = self.tamper(change)
            with self.assertRaises(DatasetError) as cm:
                TesseraDataset(path)
            self.assertIn(message, str(cm.exception))
            if BIN.exists():
                r = subprocess.run([str(BIN), "verify", str(path)], capture_output=True, text=True)
                self.assertEqual(r.returncode, 1, r.stdout)
                self.assertIn(verify, r.stdout)
        # The labels hold no hole rings; a changed line is refused.
        self.assertEqual((GOLDEN / "labels" / "17.txt").read_text(),
                         "0 0.125000 0.083333 0.750000 0.166667 0.250000 0.916667\n"
                         "1 0.000000 0.000000 1.000000 0.000000 1.000000 1.000000 "
                         "0.000000 1.000000\n")
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        path = pathlib.Path(tmp) / "e"
        shutil.copytree(GOLDEN, path)
        (path / "labels" / "18.txt").write_text("")
        with self.assertRaises(DatasetError) as cm:
            TesseraDataset(path)
        self.assertIn("differs from the polygons", str(cm.exception))

    def test_verify_passes(self):
        if not BIN.exists():
            self.skipTest("build/tessera not built")
        r = subprocess.run([str(BIN), "verify", str(GOLDEN)], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout)


if __name__ == "__main__":
    unittest.main()
