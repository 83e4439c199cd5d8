#!/usr/bin/env python3
"""Writes the golden example exports: contract/golden/export/
(classification_single, schema_version 1.0.0), export_multi/
(classification_multi) and export_detection/ (detection), both 1.1.0,
export_split/ (a split, 1.2.0), export_imagefolder/ (the ImageFolder
layout with the same split, 1.3.0) and export_segmentation/ (segmentation,
1.4.0).

Standard library only. The output is byte for byte reproducible: the PNGs
use stored (uncompressed) deflate blocks so they do not depend on the zlib
version, and annotations.json uses the canonical serialisation described in
contract/README.md (what jansson's json_dumps(JSON_COMPACT |
JSON_PRESERVE_ORDER) prints).

    python3 contract/golden/make_golden.py            # rewrite all three
    python3 contract/golden/make_golden.py --out DIR  # write elsewhere (DIR/export...)
    python3 contract/golden/make_golden.py --check    # exit 1 if one differs
"""

import argparse
import filecmp
import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = HERE
sys.path.insert(0, os.path.join(HERE, "..", "python"))
from tessera_dataset import object_area, rasterise, yolo_seg_lines  # noqa: E402


# --- canonical annotations.json bytes -------------------------------------

def _canonical_string(s):
    """A JSON string as jansson prints it: escapes only '"', '\\' and control
    characters (\\b \\f \\n \\r \\t, else \\u00XX with UPPERCASE hex); '/'
    and non-ASCII characters stay as they are (UTF-8)."""
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif c < 0x20:
            out.append({8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t"}.get(
                c, "\\u%04X" % c))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canonical_dumps(value):
    """Compact JSON, keys in insertion order, no spaces, no trailing newline."""
    if isinstance(value, dict):
        return "{" + ",".join(_canonical_string(k) + ":" + canonical_dumps(v)
                              for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical_dumps(v) for v in value) + "]"
    if isinstance(value, str):
        return _canonical_string(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # jansson's real: "%.17g", with ".0" when it reads as an integer.
        text = "%.17g" % value
        return text if any(c in text for c in ".eE") else text + ".0"
    raise TypeError("no canonical form for %r" % (value,))


def categories_hash(categories):
    data = json.dumps([{"id": c["id"], "name": c["name"]} for c in categories],
                      separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return "sha256:" + hashlib.sha256(data).hexdigest()


# --- tiny PNGs --------------------------------------------------------------

def _chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _zlib_stored(data):
    # One stored deflate block (data is far below 65535 bytes here).
    assert len(data) < 65536
    return (b"\x78\x01" + b"\x01" + struct.pack("<HH", len(data), len(data) ^ 0xFFFF)
            + data + struct.pack(">I", zlib.adler32(data) & 0xFFFFFFFF))


def png_rgb(width, height, pixel):
    """An 8-bit RGB PNG; pixel(x, y) -> (r, g, b)."""
    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter type None
        for x in range(width):
            raw.extend(pixel(x, y))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
            + _chunk(b"IDAT", _zlib_stored(bytes(raw))) + _chunk(b"IEND", b""))


# --- the example dataset ----------------------------------------------------

# Project "Pets": categories 1 cat, 2 dog (active), 3 bird (disabled: still
# exported), 4 fish (deleted: not exported; one asset labeled fish is counted
# in counts.excluded.deleted_category).
CATEGORIES = [
    {"id": 1, "name": "cat", "supercategory": "none"},
    {"id": 2, "name": "dog", "supercategory": "none"},
    {"id": 3, "name": "bird", "supercategory": "none"},
]
EXCLUDED_DELETED_CATEGORY = 1

# (asset id, width, height, original file name, source, category id, status,
# labeled_by, pixel function)
ASSETS = [
    (17, 4, 3, "café_01.png", {"type": "image"}, 1, "approved", "alice",
     lambda x, y: (40 * x, 60 * y, 200)),
    (18, 6, 4, "drive.mp4#frame=30",
     {"type": "video_frame", "video_id": 3, "video_file_name": "drive.mp4",
      "frame_index": 30, "timestamp_ms": 1000},
     2, "approved", "bob", lambda x, y: (255 - 30 * x, 50, 60 * y)),
    (21, 3, 3, "dog 2.png", {"type": "image"}, 2, "approved", "alice",
     lambda x, y: ((x + y) % 2 * 255, 128, 0)),
]

MANIFEST_VOLATILE = {
    "dataset_id": "7",
    "project_name": "Pets",
    "version": 1,
    "created_at": "2026-11-26T07:30:00.000Z",
    "created_by": "alice",
}


# The same images as other task types: classification_multi answers (asset
# id -> category ids; [] is "none of these") and detection boxes (asset id
# -> [(category id, [x, y, w, h])]; [] is "no objects").
MULTI = {17: [1, 3], 18: [2], 21: []}
BOXES = {
    17: [(2, [0.0, 0.0, 4.0, 3.0]), (1, [0.5, 0.25, 2.0, 1.5])],
    18: [(3, [1.0, 1.0, 3.75, 2.0]), (2, [0.0, 0.0, 1.0, 1.0]), (2, [5.0, 3.0, 1.0, 1.0])],
    21: [],
}


# Segmentation objects (asset id -> [(category id, rings)]): on 17 a
# rectangle with a triangular hole (written as RLE) and a triangle; on 18 a
# triangle and an object of two parts; 21 "no objects". Coordinates are
# floats so they print as jansson prints reals.
POLYGONS = {
    17: [(2, [[0.0, 0.0, 4.0, 0.0, 4.0, 3.0, 0.0, 3.0], [1.0, 1.0, 1.0, 2.0, 2.5, 2.0]]),
         (1, [[0.5, 0.25, 3.0, 0.5, 1.0, 2.75]])],
    18: [(3, [[1.0, 1.0, 5.0, 1.0, 3.0, 3.5]]),
         (2, [[0.0, 0.0, 1.0, 0.0, 1.0, 1.0], [5.0, 3.0, 6.0, 3.0, 6.0, 4.0, 5.0, 4.0]])],
    21: [],
}


def rle_string(mask, width, height):
    """COCO's compressed RLE counts string (pycocotools' rleToString) of a
    mask (rows of 0 and 1), run lengths in column-major order."""
    counts, cur, run = [], 0, 0
    for x in range(width):
        for y in range(height):
            if mask[y][x] != cur:
                counts.append(run)
                cur, run = mask[y][x], 0
            run += 1
    counts.append(run)
    out = []
    for i, c in enumerate(counts):
        v = c - counts[i - 2] if i > 2 else c
        more = True
        while more:
            ch = v & 0x1F
            v >>= 5
            more = v != -1 if ch & 0x10 else v != 0
            if more:
                ch |= 0x20
            out.append(chr(ch + 48))
    return "".join(out)


def segmentation_row(rings, width, height):
    """The COCO fields of a segmentation object: polygons when no ring is a
    hole, else the RLE of its mask and the rings beside it."""
    holes = any(sum(1 for j, r in enumerate(rings) if j != i and _inside(r, rings[i]))
                % 2 for i in range(len(rings)))
    xs = [r[k] for r in rings for k in range(0, len(r), 2)]
    ys = [r[k] for r in rings for k in range(1, len(r), 2)]
    row = {}
    if holes:
        row["segmentation"] = {"size": [height, width],
                               "counts": rle_string(rasterise(rings, width, height), width, height)}
        row["polygons"] = rings
    else:
        row["segmentation"] = rings
    row.update({"bbox": [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)],
                "area": object_area(rings), "iscrowd": 0})
    return row


def _inside(outer, ring):
    from tessera_dataset import ring_contains
    return ring_contains(outer, ring[0], ring[1])


# The split of golden/export_split/: fractions exact in binary, so Python's
# json and jansson print them alike ("0.5", "0.25").
SPLIT = {"seed": "golden", "train": 0.5, "val": 0.25, "test": 0.25}


def split_of(split, checksum):
    """The image's part: SHA-256(seed || checksum hex), first 8 bytes
    big-endian >> 11, / 2**53, bucketed by the fractions (CONTRACT.md)."""
    d = hashlib.sha256(split["seed"].encode("utf-8") + checksum.encode("ascii")).digest()
    u = (int.from_bytes(d[:8], "big") >> 11) / float(1 << 53)
    if u < split["train"]:
        return "train"
    if u < split["train"] + split["val"]:
        return "val"
    return "test"


def class_folder(class_index, n_classes, name):
    """The ImageFolder class folder (CONTRACT.md): the class_index padded to
    the digits of n_classes - 1, "_", the name. The golden names need none
    of the rule's replacements (contract/python/tessera_dataset.py has the
    whole rule)."""
    assert all(ch.isalnum() for ch in name)
    return "%0*d_%s" % (len(str(max(n_classes - 1, 0))), class_index, name)


def build(out_dir, task_type="classification_single", split=None, layout=None):
    images_dir = os.path.join(out_dir, "images")
    class_index = {c["id"]: i for i, c in enumerate(CATEGORIES)}

    images = []
    annotations = []
    for (asset_id, w, h, original, source, cat, status, who, pixel) in sorted(
            ASSETS, key=lambda a: a[0]):
        data = png_rgb(w, h, pixel)
        file_name = "%d.png" % asset_id
        folder = images_dir
        if layout == "imagefolder":
            part = split_of(split, hashlib.sha256(data).hexdigest()) if split else "train"
            folder = os.path.join(out_dir, part, class_folder(
                class_index[cat], len(CATEGORIES), CATEGORIES[class_index[cat]]["name"]))
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, file_name), "wb") as f:
            f.write(data)
        images.append({
            "id": asset_id, "file_name": file_name, "width": w, "height": h,
            "mime_type": "image/png",
            "checksum_sha256": hashlib.sha256(data).hexdigest(),
            "original_file_name": original, "source": source,
        })
        if split:
            images[-1]["split"] = split_of(split, images[-1]["checksum_sha256"])
        if task_type == "classification_single":
            annotations.append((asset_id, cat, 0, None, status, who))
        elif task_type == "classification_multi":
            for c in MULTI[asset_id]:
                annotations.append((asset_id, c, 0, None, status, who))
        elif task_type == "segmentation":
            for seq, (c, rings) in enumerate(POLYGONS[asset_id]):
                annotations.append((asset_id, c, seq, segmentation_row(rings, w, h), status, who))
        else:
            for seq, (c, box) in enumerate(BOXES[asset_id]):
                annotations.append((asset_id, c, seq, box, status, who))

    annotations.sort(key=lambda a: (a[0], a[1], a[2]))
    rows = []
    for i, a in enumerate(annotations):
        row = {"id": i + 1, "image_id": a[0], "category_id": a[1]}
        if isinstance(a[3], dict):
            row.update(a[3])
        elif a[3] is not None:
            row.update({"bbox": a[3], "area": a[3][2] * a[3][3], "iscrowd": 0})
        row.update({"status": a[4], "labeled_by": a[5]})
        rows.append(row)
    annotations = rows
    version = "1.0.0" if task_type == "classification_single" else "1.1.0"
    if split:
        version = "1.2.0"
    if layout:
        version = "1.3.0"
    if task_type == "segmentation":
        version = "1.4.0"
    info = {"schema_version": version, "task_type": task_type}
    if split:
        info["split"] = split
    if layout:
        info["layout"] = layout

    doc = {
        "info": info,
        "licenses": [],
        "images": images,
        "annotations": annotations,
        "categories": CATEGORIES,
    }
    if task_type in ("detection", "segmentation"):
        # YOLO labels: labels/<stem>.txt per image, objects in annotations order.
        class_index = {c["id"]: i for i, c in enumerate(CATEGORIES)}
        os.makedirs(os.path.join(out_dir, "labels"), exist_ok=True)
        for im in images:
            text = ""
            for a in annotations:
                if a["image_id"] == im["id"] and task_type == "segmentation":
                    rings = a.get("polygons", a["segmentation"])
                    text += yolo_seg_lines(class_index[a["category_id"]], rings, im["width"],
                                           im["height"])
                elif a["image_id"] == im["id"]:
                    x, y, w, h = a["bbox"]
                    text += "%d %.6f %.6f %.6f %.6f\n" % (
                        class_index[a["category_id"]], (x + w / 2) / im["width"],
                        (y + h / 2) / im["height"], w / im["width"], h / im["height"])
            with open(os.path.join(out_dir, "labels", im["file_name"].rsplit(".", 1)[0] + ".txt"),
                      "w") as f:
                f.write(text)
    ann_bytes = canonical_dumps(doc).encode("utf-8")
    with open(os.path.join(out_dir, "annotations.json"), "wb") as f:
        f.write(ann_bytes)
    ann_hex = hashlib.sha256(ann_bytes).hexdigest()

    per_category = {str(c["id"]): 0 for c in CATEGORIES}
    for a in annotations:
        per_category[str(a["category_id"])] += 1

    manifest = {
        "schema_version": version,
        "dataset_id": MANIFEST_VOLATILE["dataset_id"],
        "project_name": MANIFEST_VOLATILE["project_name"],
        "version": MANIFEST_VOLATILE["version"],
        "task_type": task_type,
        "created_at": MANIFEST_VOLATILE["created_at"],
        "created_by": MANIFEST_VOLATILE["created_by"],
        "selection": dict({"statuses": ["approved"]}, **({"split": split} if split else {}),
                          **({"layout": layout} if layout else {})),
        "categories": [{"id": c["id"], "name": c["name"], "class_index": i}
                       for i, c in enumerate(CATEGORIES)],
        "categories_hash": categories_hash(CATEGORIES),
        "counts": {"images": len(images), "annotations": len(annotations),
                   "per_category": per_category,
                   "excluded": {"deleted_category": EXCLUDED_DELETED_CATEGORY}},
        "files": {"annotations.json": {"sha256": ann_hex, "bytes": len(ann_bytes)}},
        "hash": "sha256:" + ann_hex,
    }
    if split:
        per_split = {"train": 0, "val": 0, "test": 0}
        for im in images:
            per_split[im["split"]] += 1
        counts = manifest["counts"]
        manifest["counts"] = {"images": counts["images"], "annotations": counts["annotations"],
                              "per_category": counts["per_category"], "per_split": per_split,
                              "excluded": counts["excluded"]}
    with open(os.path.join(out_dir, "manifest.json"), "wb") as f:
        f.write((json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def same_tree(a, b):
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(same_tree(os.path.join(a, d), os.path.join(b, d)) for d in cmp.common_dirs)


KINDS = (("export", "classification_single", None, None),
         ("export_multi", "classification_multi", None, None),
         ("export_detection", "detection", None, None),
         ("export_split", "classification_single", SPLIT, None),
         ("export_imagefolder", "classification_single", SPLIT, "imagefolder"),
         ("export_segmentation", "segmentation", None, None))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary folder and compare with --out")
    args = ap.parse_args()
    if args.check:
        for name, task, split, layout in KINDS:
            with tempfile.TemporaryDirectory() as tmp:
                build(tmp, task, split, layout)
                if not same_tree(tmp, os.path.join(args.out, name)):
                    print("golden export differs from make_golden.py output: %s"
                          % os.path.join(args.out, name), file=sys.stderr)
                    return 1
        print("golden exports are up to date: %s" % args.out)
        return 0
    for name, task, split, layout in KINDS:
        out = os.path.join(args.out, name)
        if os.path.isdir(out):
            shutil.rmtree(out)
        build(out, task, split, layout)
        print("wrote %s" % out)
    return 0

if __name__ == "__main__":
    sys.exit(main())
