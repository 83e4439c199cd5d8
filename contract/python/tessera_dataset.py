"""Read a Tessera dataset export (schema_version 1.x) for training.

Standard library only. An export is a folder, or a zip of one, holding
exactly manifest.json, annotations.json and images/<file_name> per image
(see CONTRACT.md). Opening one verifies it:

- manifest.hash and files["annotations.json"] match the bytes of
  annotations.json;
- categories_hash is recomputed from annotations.json's categories, and the
  manifest's categories (id, name, class_index 0..n-1) equal them;
- every annotation points at a listed image and category, one per image;
- the export holds exactly the listed files, with safe names;
- every image's SHA-256 equals its checksum_sha256: by default all images
  are hashed when the dataset is opened (verify_images="eager"); with
  verify_images="lazy" each image is hashed when iteration reaches it, and
  the error is raised there.

Any mismatch raises DatasetError. Usage:

    from tessera_dataset import TesseraDataset

    with TesseraDataset("exports/pets/3") as ds:      # or "pets-v3.zip"
        print(ds.version, ds.hash, ds.class_names)
        for image, class_index in ds:
            ...  # image: pathlib.Path (folder) or bytes (zip)

class_index is the position of the category in manifest.categories (sorted
by category id); a model's output i means ds.class_names[i]. Save
ds.categories_hash beside a trained model as its labels_hash.
"""

import hashlib
import json
import pathlib
import re
import zipfile

__all__ = ["DatasetError", "TesseraDataset", "categories_hash"]

SUPPORTED_MAJOR = 1
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_FILE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}$")
_CHUNK = 1 << 16


class DatasetError(Exception):
    """The export does not match its manifest or the dataset contract."""


def categories_hash(categories):
    """'sha256:<hex>' of the id-sorted [{"id", "name"}] list, as CONTRACT.md
    defines it (the value a model carries as its labels_hash)."""
    items = [{"id": c["id"], "name": c["name"]}
             for c in sorted(categories, key=lambda c: c["id"])]
    data = json.dumps(items, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _sha256_stream(f):
    h = hashlib.sha256()
    for chunk in iter(lambda: f.read(_CHUNK), b""):
        h.update(chunk)
    return h.hexdigest()


class _Folder:
    def __init__(self, root):
        self.root = pathlib.Path(root)

    def names(self):
        found = []
        for p in sorted(self.root.iterdir()):
            if p.name == "images" and p.is_dir() and not p.is_symlink():
                found.append("images/")
                for q in sorted(p.iterdir()):
                    kind = "/" if q.is_dir() else ""
                    if q.is_symlink() or not (q.is_dir() or q.is_file()):
                        kind = "?"
                    found.append("images/" + q.name + kind)
            else:
                kind = "/" if p.is_dir() else ""
                if p.is_symlink() or not (p.is_dir() or p.is_file()):
                    kind = "?"
                found.append(p.name + kind)
        return found

    def read(self, name):
        return (self.root / name).read_bytes()

    def sha256(self, name):
        with open(self.root / name, "rb") as f:
            return _sha256_stream(f)

    def item(self, name):
        return self.root / name

    def close(self):
        pass


class _Zip:
    def __init__(self, path):
        try:
            self.zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as e:
            raise DatasetError("%s: not a readable zip: %s" % (path, e)) from None

    def names(self):
        return [i.filename for i in self.zip.infolist()]

    def read(self, name):
        return self.zip.read(name)

    def sha256(self, name):
        with self.zip.open(name) as f:
            return _sha256_stream(f)

    def item(self, name):
        return self.zip.read(name)

    def close(self):
        self.zip.close()


class TesseraDataset:
    """A verified export. Iterating yields (image, class_index) per
    annotation in annotations.json order (sorted by image id): image is a
    pathlib.Path for a folder, the image bytes for a zip.

    Attributes: manifest, annotations (the parsed JSON files), version,
    hash, categories_hash, class_names and category_ids (both in
    class_index order), samples (list of (file_name, class_index))."""

    def __init__(self, path, verify_images="eager"):
        if verify_images not in ("eager", "lazy"):
            raise ValueError("verify_images must be 'eager' or 'lazy'")
        self.path = pathlib.Path(path)
        self._lazy = verify_images == "lazy"
        if self.path.is_dir():
            self._src = _Folder(self.path)
        elif self.path.is_file():
            self._src = _Zip(self.path)
        else:
            raise DatasetError("%s: no such folder or zip" % path)
        try:
            self._load()
        except BaseException:
            self._src.close()
            raise

    # --- loading and verification --------------------------------------

    def _fail(self, message):
        raise DatasetError("%s: %s" % (self.path, message))

    def _read_json(self, name, names):
        if name not in names:
            self._fail("%s is missing" % name)
        data = self._src.read(name)
        try:
            return data, json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            self._fail("%s is not valid JSON: %s" % (name, e))

    def _load(self):
        names = self._src.names()
        if len(names) != len(set(names)):
            self._fail("duplicate entries in the zip")
        ann_bytes, ann = self._read_json("annotations.json", names)
        _, man = self._read_json("manifest.json", names)
        self.manifest = man
        self.annotations = ann

        try:
            major = int(str(man["schema_version"]).split(".")[0])
        except (KeyError, ValueError):
            self._fail("manifest.json: missing or bad schema_version")
        if major != SUPPORTED_MAJOR:
            self._fail("schema_version %s is not supported (this reader reads %d.x)"
                       % (man["schema_version"], SUPPORTED_MAJOR))

        try:
            images = ann["images"]
            annotations = ann["annotations"]
            categories = ann["categories"]
            m_categories = man["categories"]
            self.version = man["version"]
            self.hash = man["hash"]
            self.categories_hash = man["categories_hash"]
            files_entry = man["files"]["annotations.json"]
        except (KeyError, TypeError) as e:
            self._fail("required field missing: %s" % e)

        digest = "sha256:" + hashlib.sha256(ann_bytes).hexdigest()
        if self.hash != digest:
            self._fail("hash mismatch: manifest.json says %s, annotations.json is %s"
                       % (self.hash, digest))
        if files_entry.get("sha256") != digest[7:] or files_entry.get("bytes") != len(ann_bytes):
            self._fail('manifest.json: files["annotations.json"] does not match annotations.json')

        computed = categories_hash(categories)
        if computed != self.categories_hash:
            self._fail("categories_hash mismatch: manifest.json says %s, categories give %s"
                       % (self.categories_hash, computed))
        ids = [c["id"] for c in categories]
        if ids != sorted(set(ids)):
            self._fail("annotations.json: categories not sorted by id or ids repeated")
        expect = [(c["id"], c["name"], i) for i, c in enumerate(categories)]
        got = [(c.get("id"), c.get("name"), c.get("class_index")) for c in m_categories]
        if got != expect:
            self._fail("manifest.json categories differ from annotations.json "
                       "(id, name, class_index): %r != %r" % (got, expect))
        self.category_ids = ids
        self.class_names = [c["name"] for c in categories]
        class_index = {c["id"]: i for i, c in enumerate(categories)}

        by_id = {}
        for im in images:
            fn = im.get("file_name")
            if not isinstance(fn, str) or not _FILE_NAME.match(fn):
                self._fail("image %r: unsafe file_name %r" % (im.get("id"), fn))
            if not isinstance(im.get("checksum_sha256"), str) or not _HEX64.match(im["checksum_sha256"]):
                self._fail("image %r: bad checksum_sha256" % im.get("id"))
            if im.get("id") in by_id:
                self._fail("image id %r repeated" % im.get("id"))
            by_id[im["id"]] = im
        if [im["id"] for im in images] != sorted(by_id):
            self._fail("annotations.json: images not sorted by id")

        expected_files = {"images/" + im["file_name"] for im in images}
        if len(expected_files) != len(images):
            self._fail("annotations.json: file_name repeated")
        allowed = expected_files | {"manifest.json", "annotations.json", "images/"}
        extra = sorted(n for n in names if n not in allowed)
        if extra:
            self._fail("unexpected entries: %s" % ", ".join(extra))
        missing = sorted(expected_files - set(names))
        if missing:
            self._fail("missing images: %s" % ", ".join(missing))

        samples = []
        per_image = {}
        for i, a in enumerate(annotations):
            if a.get("id") != i + 1:
                self._fail("annotation ids are not 1..n")
            if a.get("image_id") not in by_id:
                self._fail("annotation %d: unknown image_id %r" % (i + 1, a.get("image_id")))
            if a.get("category_id") not in class_index:
                self._fail("annotation %d: unknown category_id %r" % (i + 1, a.get("category_id")))
            per_image[a["image_id"]] = per_image.get(a["image_id"], 0) + 1
            samples.append((by_id[a["image_id"]]["file_name"], class_index[a["category_id"]]))
        if any(per_image.get(i) != 1 for i in by_id):
            self._fail("every image needs exactly one annotation (classification_single)")
        counts = man.get("counts", {})
        if counts.get("images") != len(images) or counts.get("annotations") != len(annotations):
            self._fail("manifest.json counts differ from annotations.json")
        self.samples = samples
        self._checksum = {im["file_name"]: im["checksum_sha256"] for im in images}
        self._verified = set()
        if not self._lazy:
            for im in images:
                self._verify_image(im["file_name"])

    def _verify_image(self, file_name):
        if file_name in self._verified:
            return
        got = self._src.sha256("images/" + file_name)
        if got != self._checksum[file_name]:
            self._fail("images/%s: checksum mismatch (expected %s, got %s)"
                       % (file_name, self._checksum[file_name], got))
        self._verified.add(file_name)

    # --- use ------------------------------------------------------------

    def __len__(self):
        return len(self.samples)

    def __iter__(self):
        for file_name, index in self.samples:
            yield self[file_name], index

    def __getitem__(self, file_name):
        """The image of file_name: a Path (folder) or bytes (zip)."""
        if self._lazy:
            self._verify_image(file_name)
        return self._src.item("images/" + file_name)

    def close(self):
        self._src.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
