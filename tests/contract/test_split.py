"""The reader's split function (contract/python/tessera_dataset.py,
split_point / split_of_checksum) and class folder names (class_folder) on
the same vectors as the server's (tests/unit/export/test_split.c,
test_folder_name.c).

    python3 -m unittest discover -s tests/contract -v
"""

import hashlib
import json
import pathlib
import shutil
import sys
import tempfile
import unittest
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "contract" / "python"))

from tessera_dataset import (DatasetError, TesseraDataset, class_folder,  # noqa: E402
                             split_of_checksum, split_point)

GOLDEN_SPLIT = ROOT / "contract" / "golden" / "export_split"
GOLDEN_IMAGEFOLDER = ROOT / "contract" / "golden" / "export_imagefolder"


def h(text):
    return hashlib.sha256(text.encode()).hexdigest()


class SplitTest(unittest.TestCase):
    def test_points_match_the_server(self):
        two53 = float(1 << 53)
        self.assertEqual(split_point("s", h("0")) * two53, 1172149428190027.0)
        self.assertEqual(split_point("s", h("1")) * two53, 3007252494250094.0)
        self.assertEqual(split_point("s", h("8")) * two53, 7225066914877027.0)
        self.assertEqual(split_point("s", h("11")) * two53, 8172183954144215.0)
        self.assertEqual(split_point("seed-1", h("0")) * two53, 1141607073502185.0)
        self.assertEqual(split_point("\u00e9t\u00e9", h("0")) * two53, 4628808828229784.0)

    def test_buckets(self):
        s = {"seed": "s", "train": 0.8, "val": 0.1, "test": 0.1}
        self.assertEqual(split_of_checksum(s, h("0")), "train")
        self.assertEqual(split_of_checksum(s, h("8")), "val")
        self.assertEqual(split_of_checksum(s, h("11")), "test")
        self.assertEqual(split_of_checksum(dict(s, train=1.0, val=0.0, test=0.0), h("11")), "train")
        self.assertEqual(split_of_checksum(dict(s, val=0.0, test=0.2), h("8")), "test")

    def test_stable_and_close_to_the_fractions(self):
        s = {"seed": "seed", "train": 0.7, "val": 0.2, "test": 0.1}
        first = [split_of_checksum(s, h(str(i))) for i in range(2000)]
        self.assertTrue(1330 <= first.count("train") <= 1470)
        self.assertTrue(340 <= first.count("val") <= 460)
        self.assertTrue(150 <= first.count("test") <= 250)
        for i in reversed(range(0, 2000, 7)):
            self.assertEqual(split_of_checksum(s, h(str(i))), first[i])


class ClassFolderTest(unittest.TestCase):
    def test_names_match_the_server(self):
        self.assertEqual(class_folder(0, 1, "cat"), "0_cat")
        self.assertEqual(class_folder(2, 12, "a/b\\c"), "02_a_b_c")
        self.assertEqual(class_folder(10, 11, ".."), "10_._")
        self.assertEqual(class_folder(0, 3, "x\ty. "), "0_x_y._")
        self.assertEqual(class_folder(3, 1000, 'a:b*?"<>|'), "003_a_b______")
        self.assertEqual(class_folder(0, 2, ".hidden."), "0_.hidden_")
        self.assertEqual(class_folder(5, 100, "\u00e9" * 150), "05_" + "\u00e9" * 100)
        self.assertEqual(class_folder(0, 1, "a\x7fb"), "0_a_b")

    def test_distinct_and_in_class_index_order(self):
        names = ["a/b", "a\\b", "a:b", "z", "A", "a?b"]
        folders = [class_folder(i, 120, names[i % 6]) for i in range(120)]
        self.assertEqual(sorted(folders), folders)
        self.assertEqual(len(set(folders)), 120)
        for f in folders:
            self.assertNotIn("/", f)
            self.assertLess(len(f.encode("utf-8")), 255)


class ReaderSplitTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_golden_split(self):
        with TesseraDataset(GOLDEN_SPLIT) as ds:
            self.assertEqual(ds.split, {"seed": "golden", "train": 0.5, "val": 0.25, "test": 0.25})
            self.assertEqual([ds.split_of(f) for f, _ in ds.samples], ["test", "train", "train"])
            train = [(p.name, c) for p, c in ds.iter_split("train")]
            self.assertEqual(train, [(f, c) for f, c in ds.samples[1:]])
            self.assertEqual(list(ds.iter_split("val")), [])
            self.assertEqual(len(list(ds)), 3)
            with self.assertRaises(ValueError):
                list(ds.iter_split("dev"))

    def test_no_split(self):
        with TesseraDataset(ROOT / "contract" / "golden" / "export") as ds:
            self.assertIsNone(ds.split)
            self.assertIsNone(ds.split_of("17.png"))
            with self.assertRaises(DatasetError):
                list(ds.iter_split("train"))

    def _tampered(self, change_ann, change_man=None):
        out = pathlib.Path(tempfile.mkdtemp(dir=self.tmp)) / "x"
        shutil.copytree(GOLDEN_SPLIT, out)
        ann = json.loads((out / "annotations.json").read_text("utf-8"))
        change_ann(ann)
        data = json.dumps(ann, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        (out / "annotations.json").write_bytes(data)
        man = json.loads((out / "manifest.json").read_text("utf-8"))
        hexd = hashlib.sha256(data).hexdigest()
        man["hash"] = "sha256:" + hexd
        man["files"]["annotations.json"] = {"sha256": hexd, "bytes": len(data)}
        if change_man:
            change_man(man)
        (out / "manifest.json").write_text(json.dumps(man, indent=2, ensure_ascii=False) + "\n",
                                           "utf-8")
        return out

    def test_moved_image_refused(self):
        def move(ann):
            ann["images"][1]["split"] = "val"
        with self.assertRaisesRegex(DatasetError, "image 18: split 'val', but the seed and its "
                                                  "checksum give 'train'"):
            TesseraDataset(self._tampered(move))

    def test_other_seed_refused(self):
        def seed(ann):
            ann["info"]["split"]["seed"] = "golden-2"
        with self.assertRaisesRegex(DatasetError, "split"):
            TesseraDataset(self._tampered(seed))

    def test_manifest_must_agree(self):
        def same(ann):
            pass

        def fractions(man):
            man["selection"]["split"]["val"] = 0.5
        with self.assertRaisesRegex(DatasetError, "selection.split differs"):
            TesseraDataset(self._tampered(same, fractions))

        def counts(man):
            man["counts"]["per_split"]["val"] = 1
        with self.assertRaisesRegex(DatasetError, "per_split"):
            TesseraDataset(self._tampered(same, counts))


if __name__ == "__main__":
    unittest.main()


class ReaderImageFolderTest(unittest.TestCase):
    """The ImageFolder layout (1.3.0): <part>/<class folder>/<file_name>."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_golden_imagefolder(self):
        with TesseraDataset(GOLDEN_IMAGEFOLDER) as ds:
            self.assertEqual(ds.layout, "imagefolder")
            self.assertEqual(ds.manifest["schema_version"], "1.3.0")
            items = [(str(p.relative_to(GOLDEN_IMAGEFOLDER)), c) for p, c in ds]
            self.assertEqual(items, [("test/0_cat/17.png", 0), ("train/1_dog/18.png", 1),
                                     ("train/1_dog/21.png", 1)])
            # The class folder of each image is its class_index, as torchvision's
            # ImageFolder numbers sorted folder names.
            for rel, c in items:
                folder = rel.split("/")[1]
                self.assertEqual(folder, class_folder(c, len(ds.class_names), ds.class_names[c]))
            self.assertEqual([p.name for p, _ in ds.iter_split("train")], ["18.png", "21.png"])
        with TesseraDataset(ROOT / "contract" / "golden" / "export") as ds:
            self.assertIsNone(ds.layout)

    def test_golden_imagefolder_zip(self):
        zpath = pathlib.Path(self.tmp) / "x.zip"
        with zipfile.ZipFile(zpath, "w") as z:
            for p in sorted(GOLDEN_IMAGEFOLDER.rglob("*")):
                rel = str(p.relative_to(GOLDEN_IMAGEFOLDER))
                z.write(p, rel + "/" if p.is_dir() else rel)
        with TesseraDataset(zpath) as ds:
            self.assertEqual([c for _, c in ds], [0, 1, 1])

    def test_misplaced_image_is_refused(self):
        out = pathlib.Path(self.tmp) / "x"
        shutil.copytree(GOLDEN_IMAGEFOLDER, out)
        (out / "train" / "0_cat").mkdir()
        (out / "train" / "1_dog" / "21.png").rename(out / "train" / "0_cat" / "21.png")
        with self.assertRaisesRegex(DatasetError, "misplaced"):
            TesseraDataset(out)
