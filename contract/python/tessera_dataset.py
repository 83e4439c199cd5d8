"""Read a Tessera dataset export (schema_version 1.x) for training.

Standard library only. An export is a folder, or a zip of one, holding
exactly manifest.json, annotations.json and images/<file_name> per image
(or, in the ImageFolder layout of schema_version 1.3.0,
<part>/<class folder>/<file_name> per image; see CONTRACT.md). Opening one
verifies it:

- manifest.hash and files["annotations.json"] match the bytes of
  annotations.json;
- categories_hash is recomputed from annotations.json's categories, and the
  manifest's categories (id, name, class_index 0..n-1) equal them;
- every annotation points at a listed image and category, one per image;
- the export holds exactly the listed files, with safe names;
- every image's SHA-256 equals its checksum_sha256, and every image is
  whole: an accepted format by its magic bytes (JPEG, PNG, WebP, GIF, TIFF,
  HEIF), every PNG checked chunk by chunk and row by row and every JPEG
  marker by marker (see contract/README.md for exactly what is checked).
  By default all images are checked when the dataset is opened
  (verify_images="eager"); with verify_images="lazy" each image is checked
  when iteration reaches it, and the error is raised there.

Any mismatch raises DatasetError. Usage:

    from tessera_dataset import TesseraDataset

    with TesseraDataset("exports/pets/3") as ds:      # or "pets-v3.zip"
        print(ds.version, ds.hash, ds.class_names)
        for image, class_index in ds:
            ...  # image: pathlib.Path (folder) or bytes (zip)
        # classification_multi:  for image, class_indexes in ds
        # detection:             for image, boxes, class_indexes in ds
        #   (boxes: [x, y, w, h] in pixels of the exported image)
        # segmentation:          for image, objects, class_indexes in ds
        #   (objects: each a list of rings [x1, y1, x2, y2, ...]; a ring
        #   inside an odd number of the object's other rings is a hole;
        #   rasterise(rings, width, height) gives its mask)

class_index is the position of the category in manifest.categories (sorted
by category id); a model's output i means ds.class_names[i]. Save
ds.categories_hash beside a trained model as its labels_hash.
"""

import hashlib
import json
import math
import pathlib
import re
import struct
import zipfile
import zlib

__all__ = ["DatasetError", "TesseraDataset", "categories_hash", "check_image", "check_jpeg",
           "check_png", "image_format", "object_area", "rasterise", "rle_decode",
           "rle_from_string"]

SUPPORTED_MAJOR = 1
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_FILE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}$")
_CHUNK = 1 << 16


def yolo_name(file_name):
    """The YOLO label file of an image file name: "17.png" -> "17.txt"."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    return stem + ".txt"


def yolo_line(class_index, bbox, width, height):
    """One YOLO label line: class index, then the box's centre and size
    divided by the image's width and height, each "%.6f"."""
    x, y, w, h = bbox
    return "%d %.6f %.6f %.6f %.6f\n" % (class_index, (x + w / 2) / width, (y + h / 2) / height,
                                          w / width, h / height)


def ring_area(ring):
    """The shoelace area of a ring [x1, y1, x2, y2, ...] (positive)."""
    n = len(ring) // 2
    s = 0.0
    for i in range(n):
        j = (i + 1) % n
        s += ring[2 * i] * ring[2 * j + 1] - ring[2 * j] * ring[2 * i + 1]
    return abs(s / 2)


def ring_contains(ring, x, y):
    """(x, y) inside the ring by the rasteriser's even-odd rule: a point on a
    left or top edge is inside, on a right or bottom edge outside."""
    n = len(ring) // 2
    inside = False
    for i in range(n):
        j = (i + 1) % n
        x0, y0, x1, y1 = ring[2 * i], ring[2 * i + 1], ring[2 * j], ring[2 * j + 1]
        if (y0 <= y) != (y1 <= y) and x0 + (y - y0) * (x1 - x0) / (y1 - y0) <= x:
            inside = not inside
    return inside


def ring_depth(rings, i):
    """How many of the other rings of an object ring i lies inside (its
    first point); odd: a hole."""
    return sum(1 for j, r in enumerate(rings)
               if j != i and ring_contains(r, rings[i][0], rings[i][1]))


def object_area(rings):
    """An object's area: its parts' areas minus its holes' areas."""
    return sum(ring_area(r) * (-1 if ring_depth(rings, i) % 2 else 1)
               for i, r in enumerate(rings))


def rasterise(rings, width, height):
    """The mask of an object, rows of 0 and 1 (mask[y][x]), by the rule the
    server uses (server/domain/polygon.h): a pixel is set when its centre
    (x + 0.5, y + 0.5) is inside by the even-odd rule over all the rings,
    with each row's edge crossings at x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    and the pixels whose centre lies in [c[2k], c[2k+1]) set. A small
    scanline fill, standard library only."""
    edges = []
    for r in rings:
        n = len(r) // 2
        for i in range(n):
            j = (i + 1) % n
            x0, y0, x1, y1 = r[2 * i], r[2 * i + 1], r[2 * j], r[2 * j + 1]
            if y0 != y1:
                edges.append((x0, y0, x1, y1, min(y0, y1), max(y0, y1)))
    mask = []
    for row in range(height):
        y = row + 0.5
        line = [0] * width
        xs = sorted(x0 + (y - y0) * (x1 - x0) / (y1 - y0)
                    for x0, y0, x1, y1, lo, hi in edges if lo <= y < hi)
        for k in range(0, len(xs) - 1, 2):
            a = max(math.ceil(xs[k] - 0.5), 0)
            b = min(math.ceil(xs[k + 1] - 0.5), width)
            for x in range(a, b):
                line[x] = 1
        mask.append(line)
    return mask


def rle_from_string(s):
    """COCO's compressed RLE counts string (pycocotools' rleFrString) as a
    list of counts."""
    counts = []
    p = 0
    while p < len(s):
        x = k = 0
        more = True
        while more:
            if p >= len(s):
                raise ValueError("the RLE string ends inside a count")
            c = ord(s[p]) - 48
            if not 0 <= c <= 63 or k >= 12:
                raise ValueError("the RLE string is malformed at %d" % p)
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and c & 0x10:
                x -= 1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def rle_counts(seg):
    """The counts of a COCO RLE {"size": [h, w], "counts": ...} (a
    compressed string or a list), checked: each count positive but the
    first (>= 0), adding up to h * w."""
    h, w = seg["size"]
    counts = seg["counts"]
    if isinstance(counts, str):
        counts = rle_from_string(counts)
    if (any(not isinstance(c, int) or c < (0 if i == 0 else 1) for i, c in enumerate(counts))
            or sum(counts) != h * w):
        raise ValueError("the RLE's counts do not add up to its %d x %d pixels" % (h, w))
    return counts


def rle_decode(seg):
    """The mask (rows of 0 and 1, mask[y][x]) of a COCO RLE: counts of
    alternate runs of 0 and 1, starting with 0, in column-major order."""
    h, w = seg["size"]
    mask = [[0] * w for _ in range(h)]
    p = 0
    for i, c in enumerate(rle_counts(seg)):
        if i % 2:
            for q in range(p, p + c):
                mask[q % h][q // h] = 1
        p += c
    return mask


def yolo_seg_lines(class_index, rings, width, height):
    """The YOLO segmentation lines of an object: one per ring that is not a
    hole, "class x1 y1 x2 y2 ..." with x / width and y / height, "%.6f"."""
    out = []
    for i, r in enumerate(rings):
        if ring_depth(rings, i) % 2:
            continue
        out.append("%d" % class_index + "".join(
            " %.6f %.6f" % (r[k] / width, r[k + 1] / height) for k in range(0, len(r), 2)) + "\n")
    return "".join(out)


def split_point(seed, checksum_sha256):
    """The number in [0, 1) that places an image in a split: the first 8
    bytes of SHA-256(seed (UTF-8) || checksum_sha256 (64 lowercase hex
    ASCII)), big-endian, shifted right by 11, divided by 2**53. The server's
    twin is server/export/split.c."""
    d = hashlib.sha256(seed.encode("utf-8") + checksum_sha256.encode("ascii")).digest()
    return (int.from_bytes(d[:8], "big") >> 11) / float(1 << 53)


def split_of_checksum(split, checksum_sha256):
    """"train", "val" or "test" for an image, given a split
    {"seed": ..., "train": ..., "val": ..., "test": ...}. Depends only on the
    image's own checksum, so an image keeps its split in every version."""
    u = split_point(split["seed"], checksum_sha256)
    if u < split["train"]:
        return "train"
    if u < split["train"] + split["val"]:
        return "val"
    return "test"


_UNSAFE_IN_FOLDER = set('/\\<>:"|?*') | {chr(c) for c in range(0x20)} | {"\x7f"}


def class_folder(class_index, n_classes, name):
    """The class folder of a category in the ImageFolder layout:
    class_index zero-padded to the digits of n_classes - 1, "_", and the
    name with / \\ < > : " | ? * and control characters replaced by "_", a
    trailing "." or space replaced by "_", cut to at most 200 UTF-8 bytes at
    a character boundary. Sorting the folders gives class_index order, as
    torchvision's ImageFolder numbers them. The server's twin is
    server/export/folder_name.c."""
    width = len(str(max(n_classes - 1, 0)))
    safe, size = [], 0
    for ch in name:
        ch = "_" if ch in _UNSAFE_IN_FOLDER else ch
        n = len(ch.encode("utf-8"))
        if size + n > 200:
            break
        safe.append(ch)
        size += n
    safe = "".join(safe)
    if safe.endswith((".", " ")):
        safe = safe[:-1] + "_"
    return "%0*d_%s" % (width, class_index, safe)


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


# --- image structure ---------------------------------------------------------

_PNG_SIG = b"\x89PNG\r\n\x1a\n"
# Channels per PNG colour type, and the bit depths each allows.
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
# Adam7 passes: x0, y0, dx, dy.
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
          (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis",
                b"hevm", b"hevs", b"mif1", b"msf1", b"avif", b"avis")


def image_format(data):
    """'jpeg', 'png', 'webp', 'gif', 'tiff', 'heif' from the magic bytes, or
    None (not an accepted format)."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == _PNG_SIG:
        return "png"
    if data[:4] == b"RIFF" and data[8:15] == b"WEBPVP8":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if len(data) >= 16 and data[4:8] == b"ftyp":
        n = min(struct.unpack(">I", data[:4])[0], len(data))
        brands = [data[8:12]] + [data[i:i + 4] for i in range(16, n - 3, 4)]
        if any(b in _HEIF_BRANDS for b in brands):
            return "heif"
    return None


def _png_rows(width, height, depth, channels, interlace):
    """The (row count, bytes per row including its filter byte) of each pass."""
    bits = depth * channels
    if not interlace:
        return [(height, (width * bits + 7) // 8 + 1)]
    passes = []
    for x0, y0, dx, dy in _ADAM7:
        pw = (width - x0 + dx - 1) // dx if width > x0 else 0
        ph = (height - y0 + dy - 1) // dy if height > y0 else 0
        if pw and ph:
            passes.append((ph, (pw * bits + 7) // 8 + 1))
    return passes


def check_png(data):
    """Raises ValueError with the reason unless data is a whole PNG: the
    signature; every chunk complete with a good CRC up to IEND; IHDR first
    and sane; PLTE before the data for palette images; IDAT chunks
    consecutive; their zlib stream inflating to exactly the rows the header
    promises (inflation stops one byte past that size), each row's filter
    type 0 to 4; the stream ending there. Bytes after IEND are ignored."""
    if data[:8] != _PNG_SIG:
        raise ValueError("not a PNG signature")
    p, first, header, plte = 8, True, None, False
    idat_state = 0  # 0 none yet, 1 in the IDAT run, 2 after it
    inflater = zlib.decompressobj()
    passes, pass_i, rows_left, row_len, row_left = [], 0, 0, 0, 0
    expected = got = 0
    while True:
        if p + 12 > len(data):
            raise ValueError("the PNG ends before IEND")
        length, ctype = struct.unpack(">I4s", data[p:p + 8])
        if length > len(data) - p - 12:
            raise ValueError("a PNG chunk runs past the end of the file")
        body = data[p + 8:p + 8 + length]
        crc = struct.unpack(">I", data[p + 8 + length:p + 12 + length])[0]
        if zlib.crc32(data[p + 4:p + 8 + length]) != crc:
            raise ValueError("bad CRC in PNG chunk %r" % ctype.decode("latin-1"))
        p += 12 + length
        if first:
            if ctype != b"IHDR" or length != 13:
                raise ValueError("the PNG does not start with IHDR")
            w, h, depth, colour, comp, filt, interlace = struct.unpack(">IIBBBBB", body)
            if (not 0 < w < 2 ** 31 or not 0 < h < 2 ** 31 or colour not in _PNG_DEPTHS
                    or depth not in _PNG_DEPTHS[colour] or comp or filt or interlace > 1):
                raise ValueError("the PNG header (IHDR) is not valid")
            header = (w, h, colour)
            passes = _png_rows(w, h, depth, _PNG_CHANNELS[colour], interlace)
            expected = sum(n * size for n, size in passes)
            first = False
            continue
        if ctype == b"IEND":
            break
        if ctype == b"PLTE":
            plte = True
        if ctype != b"IDAT":
            if idat_state == 1:
                idat_state = 2
            continue
        if idat_state == 2:
            raise ValueError("the PNG's IDAT chunks are not consecutive")
        if header[2] == 3 and not plte:
            raise ValueError("a palette PNG has no PLTE before its data")
        idat_state = 1
        pending = body
        while pending:
            if inflater.eof:
                raise ValueError("the PNG has data after the end of its zlib stream")
            try:
                out = inflater.decompress(pending, expected + 1 - got)
            except zlib.error:
                raise ValueError("the PNG's compressed image data is corrupt") from None
            pending = inflater.unconsumed_tail
            if inflater.unused_data:
                raise ValueError("the PNG has data after the end of its zlib stream")
            i = 0
            while i < len(out):
                if got >= expected:
                    raise ValueError("the PNG holds more image data than its size allows")
                if row_left == 0:
                    while rows_left == 0:
                        rows_left, row_len = passes[pass_i]
                        pass_i += 1
                    if out[i] > 4:
                        raise ValueError("a PNG row has a filter type other than 0 to 4")
                    row_left = row_len
                    rows_left -= 1
                take = min(len(out) - i, row_left)
                i += take
                row_left -= take
                got += take
            if not out and pending:
                break
    if idat_state == 0:
        raise ValueError("the PNG has no image data (IDAT)")
    if got < expected:
        raise ValueError("the PNG's image data stops before its last row")
    if not inflater.eof:
        raise ValueError("the PNG's zlib stream does not end after the last row")


# SOF markers by kind: Huffman-coded sequential/progressive frames are the
# ones whose data size can be bounded below.
_SOF_HUFFMAN = (0xC0, 0xC1, 0xC2)
_SOF_ALL = tuple(m for m in range(0xC0, 0xD0) if m not in (0xC4, 0xC8, 0xCC))


def check_jpeg(data):
    """Raises ValueError with the reason unless data is a structurally whole
    JPEG: SOI; every marker segment complete; no reserved marker; one frame
    header (SOF) with a non-zero size and 1 to 4 components before the first
    scan; at least one scan (SOS) whose entropy-coded data holds only
    stuffed 0xFF00 and restart markers RST0..7 in order; EOI at the end of
    the last scan (bytes after EOI are ignored). For Huffman-coded frames
    the entropy-coded data must hold at least one bit per 8x8 block of the
    full-resolution component (every block codes at least its DC value), so
    a frame header claiming 9000 x 9000 over 320 x 240 of data fails."""
    n = len(data)
    if data[:2] != b"\xff\xd8":
        raise ValueError("the JPEG does not start with SOI")
    p, sof, scans, scan_bytes = 2, None, 0, 0
    while True:
        if p >= n or data[p] != 0xFF:
            raise ValueError("the JPEG has bytes where a marker should be")
        while p < n and data[p] == 0xFF:
            p += 1
        if p >= n:
            raise ValueError("the JPEG ends inside a marker")
        m = data[p]
        p += 1
        if m == 0xD9:
            break
        if m == 0x01 or 0xD0 <= m <= 0xD7:
            continue
        if m < 0xC0 or m == 0xD8:
            raise ValueError("the JPEG has a reserved or misplaced marker 0x%02X" % m)
        if p + 2 > n:
            raise ValueError("the JPEG ends inside a marker segment")
        length = struct.unpack(">H", data[p:p + 2])[0]
        if length < 2 or p + length > n:
            raise ValueError("a JPEG marker segment runs past the end of the file")
        seg = data[p + 2:p + length]
        p += length
        if m in _SOF_ALL:
            if sof is not None:
                raise ValueError("the JPEG has more than one frame header")
            if len(seg) < 6:
                raise ValueError("the JPEG frame header is too short")
            h, w, comps = struct.unpack(">HHB", seg[1:6])
            if not w or not h or not 1 <= comps <= 4 or len(seg) < 6 + 3 * comps:
                raise ValueError("the JPEG frame header gives no size or bad components")
            sof = (m, w, h)
            continue
        if m != 0xDA:
            continue
        if sof is None:
            raise ValueError("the JPEG has a scan before its frame header")
        scans += 1
        start, rst = p, 0
        while True:
            q = data.find(b"\xff", p)
            if q < 0 or q + 1 >= n:
                raise ValueError("the JPEG's scan data runs to the end of the file (no EOI)")
            b = data[q + 1]
            if b == 0x00:
                p = q + 2
                continue
            if 0xD0 <= b <= 0xD7:
                if b - 0xD0 != rst:
                    raise ValueError("the JPEG's restart markers are out of order")
                rst = (rst + 1) % 8
                p = q + 2
                continue
            if b == 0xFF:
                p = q + 1
                continue
            p = q
            break
        scan_bytes += p - start
    if sof is None or scans == 0:
        raise ValueError("the JPEG has no frame header or no scan")
    kind, w, h = sof
    if kind in _SOF_HUFFMAN:
        blocks = ((w + 7) // 8) * ((h + 7) // 8)
        if scan_bytes * 8 < blocks:
            raise ValueError("the JPEG's frame header claims %d x %d pixels but its data is "
                             "only %d bytes" % (w, h, scan_bytes))


def check_image(data):
    """Raises ValueError unless data is an accepted format, and for PNG
    and JPEG structurally whole (check_png, check_jpeg)."""
    fmt = image_format(data)
    if fmt is None:
        raise ValueError("not an image in an accepted format (JPEG, PNG, WebP, GIF, TIFF, HEIF)")
    if fmt == "png":
        check_png(data)
    elif fmt == "jpeg":
        check_jpeg(data)


class _Folder:
    def __init__(self, root):
        self.root = pathlib.Path(root)

    @staticmethod
    def _kind(p):
        if p.is_symlink() or not (p.is_dir() or p.is_file()):
            return "?"
        return "/" if p.is_dir() else ""

    def names(self):
        """Every entry as a zip would name it: images/ and labels/ are
        listed with their files, train/, val/ and test/ (the ImageFolder
        layout) with their folders and the files in those."""
        found = []
        for p in sorted(self.root.iterdir()):
            kind = self._kind(p)
            found.append(p.name + kind)
            if kind != "/" or p.name not in ("images", "labels", "train", "val", "test"):
                continue
            for q in sorted(p.iterdir()):
                qkind = self._kind(q)
                found.append(p.name + "/" + q.name + qkind)
                if qkind == "/" and p.name in ("train", "val", "test"):
                    for r in sorted(q.iterdir()):
                        found.append(p.name + "/" + q.name + "/" + r.name + self._kind(r))
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

    Attributes: manifest, annotations (the parsed JSON files), task_type,
    version, hash, categories_hash, class_names and category_ids (both in
    class_index order), layout ("imagefolder" or None), samples (list of (file_name, class_index), or of
    (file_name, [class_index, ...]) for classification_multi, or of
    (file_name, boxes, [class_index, ...]) for detection, or of
    (file_name, objects, [class_index, ...]) for segmentation, each object
    a list of rings [x1, y1, x2, y2, ...])."""

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

        if len({im["file_name"] for im in images}) != len(images):
            self._fail("annotations.json: file_name repeated")
        self.layout = ann.get("info", {}).get("layout")
        if self.layout not in (None, "imagefolder"):
            self._fail("annotations.json: layout %r is not supported" % (self.layout,))
        if man.get("selection", {}).get("layout") != self.layout:
            self._fail("manifest.json selection.layout differs from annotations.json info.layout")
        # Where each image's file is: images/<file_name>, or in the
        # ImageFolder layout <part>/<class folder>/<file_name> (set below,
        # once the classes and the split are known).
        self._rel = {im["file_name"]: "images/" + im["file_name"] for im in images}
        label_files = {}
        if (man.get("task_type") in ("detection", "segmentation")
                and ann.get("info", {}).get("task_type") == man.get("task_type")):
            label_files = {"labels/" + yolo_name(im["file_name"]): im for im in images}
            allowed_labels = set(label_files) | {"labels/"}
        else:
            allowed_labels = set()
        if self.layout is None:
            self._check_files(names, {"images/"} | allowed_labels, set(label_files))

        task = man.get("task_type")
        if task != ann.get("info", {}).get("task_type"):
            self._fail("manifest.json: task_type differs from annotations.json")
        if task not in ("classification_single", "classification_multi", "detection",
                        "segmentation"):
            self._fail("task_type %r is not supported" % (task,))
        self.task_type = task
        per_image = {i: [] for i in by_id}
        prev = None
        for i, a in enumerate(annotations):
            if a.get("id") != i + 1:
                self._fail("annotation ids are not 1..n")
            if a.get("image_id") not in by_id:
                self._fail("annotation %d: unknown image_id %r" % (i + 1, a.get("image_id")))
            if a.get("category_id") not in class_index:
                self._fail("annotation %d: unknown category_id %r" % (i + 1, a.get("category_id")))
            key = (a["image_id"], a["category_id"])
            objects = task in ("detection", "segmentation")
            if prev is not None and (key < prev or (key == prev and not objects)):
                self._fail("annotation %d: not sorted by (image_id, category_id) or repeated"
                           % (i + 1))
            prev = key
            box = a.get("bbox")
            if objects != (box is not None):
                self._fail("annotation %d: a bbox belongs to detection and segmentation "
                           "annotations only" % (i + 1))
            if task == "segmentation":
                im = by_id[a["image_id"]]
                rings = self._check_segmentation(i + 1, a, im)
                per_image[a["image_id"]].append((class_index[a["category_id"]], rings))
                continue
            if box is not None:
                im = by_id[a["image_id"]]
                if (not isinstance(box, list) or len(box) != 4
                        or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                   for v in box)):
                    self._fail("annotation %d: bbox is not [x, y, w, h]" % (i + 1))
                x, y, w, h = box
                if not (w > 0 and h > 0):
                    self._fail("annotation %d: bbox width and height must be > 0" % (i + 1))
                if x < 0 or y < 0 or x + w > im["width"] or y + h > im["height"]:
                    self._fail("annotation %d: bbox %r is not inside image %r (%dx%d)"
                               % (i + 1, box, im["id"], im["width"], im["height"]))
                if abs(a.get("area", -1) - w * h) > 1e-9 * (1 + w * h) or a.get("iscrowd") != 0:
                    self._fail("annotation %d: area is not w * h, or iscrowd is not 0" % (i + 1))
            per_image[a["image_id"]].append((class_index[a["category_id"]], box))
        samples = []
        if task == "classification_single":
            if any(len(v) != 1 for v in per_image.values()):
                self._fail("every image needs exactly one annotation (classification_single)")
            for im in images:
                samples.append((im["file_name"], per_image[im["id"]][0][0]))
        elif task == "classification_multi":
            for im in images:
                samples.append((im["file_name"], [c for c, _ in per_image[im["id"]]]))
        else:
            for im in images:
                objs = per_image[im["id"]]
                samples.append((im["file_name"], [list(b) for _, b in objs], [c for c, _ in objs]))
        for name, im in label_files.items():
            objs = per_image[im["id"]]
            line = yolo_seg_lines if task == "segmentation" else yolo_line
            want = "".join(line(c, b, im["width"], im["height"]) for c, b in objs)
            if self._src.read(name) != want.encode("ascii"):
                self._fail("%s differs from the %s of image %r in annotations.json"
                           % (name, "polygons" if task == "segmentation" else "boxes", im["id"]))
        per_cat = man.get("counts", {}).get("per_category", {})
        got_per_cat = {}
        for a in annotations:
            got_per_cat[str(a["category_id"])] = got_per_cat.get(str(a["category_id"]), 0) + 1
        if any(per_cat.get(str(c), 0) != got_per_cat.get(str(c), 0) for c in ids):
            self._fail("manifest.json counts.per_category differ from annotations.json")
        counts = man.get("counts", {})
        if counts.get("images") != len(images) or counts.get("annotations") != len(annotations):
            self._fail("manifest.json counts differ from annotations.json")
        self._check_split(ann, man, images)
        if self.layout == "imagefolder":
            if task != "classification_single":
                self._fail("the ImageFolder layout is for classification_single exports only")
            for im in images:
                part = self._split_of.get(im["file_name"], "train")
                c = per_image[im["id"]][0][0]
                self._rel[im["file_name"]] = "%s/%s/%s" % (
                    part, class_folder(c, len(categories), categories[c]["name"]), im["file_name"])
            dirs = set()
            for rel in self._rel.values():
                part, folder, _ = rel.split("/")
                dirs |= {part + "/", part + "/" + folder + "/"}
            self._check_files(names, dirs, set())
        self.samples = samples
        self._checksum = {im["file_name"]: im["checksum_sha256"] for im in images}
        self._verified = set()
        if not self._lazy:
            for im in images:
                self._verify_image(im["file_name"])

    def _check_files(self, names, allowed_dirs, label_names):
        """The export holds exactly the images (where they belong), the
        JSON files, allowed_dirs and the label files."""
        expected = set(self._rel.values())
        allowed = expected | {"manifest.json", "annotations.json"} | allowed_dirs | label_names
        extra = sorted(n for n in names if n not in allowed)
        where = {rel.rsplit("/", 1)[-1]: rel for rel in expected}
        for n in extra:
            base = n.rsplit("/", 1)[-1]
            if base in where:
                self._fail("%s: misplaced (it belongs at %s)" % (n, where[base]))
        if extra:
            self._fail("unexpected entries: %s" % ", ".join(extra))
        missing = sorted((expected | label_names) - set(names))
        if missing:
            self._fail("missing images: %s" % ", ".join(missing))

    def _check_segmentation(self, n, a, im):
        """schema_version 1.4.0: an object's rings (its "segmentation", or
        its "polygons" beside an RLE "segmentation"), each at least 3 points
        inside the image; bbox their bounds; area their area with holes
        subtracted (within 1e-6 relative); an RLE of the image's size whose
        counts add up. Returns the rings."""
        seg = a.get("segmentation")
        rle = isinstance(seg, dict)
        rings = a.get("polygons") if rle else seg
        w, h = im["width"], im["height"]
        if not isinstance(rings, list) or not rings:
            self._fail("annotation %d: no polygons" % n)
        for r in rings:
            if (not isinstance(r, list) or len(r) < 6 or len(r) % 2
                    or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in r)):
                self._fail("annotation %d: a ring is not at least 3 points [x1, y1, ...]" % n)
            if any(not 0 <= r[k] <= (h if k % 2 else w) for k in range(len(r))):
                self._fail("annotation %d: a ring is not inside image %r (%dx%d)"
                           % (n, im["id"], w, h))
        xs = [r[k] for r in rings for k in range(0, len(r), 2)]
        ys = [r[k] for r in rings for k in range(1, len(r), 2)]
        bounds = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
        box = a["bbox"]
        if (not isinstance(box, list) or len(box) != 4
                or any(abs(box[k] - bounds[k]) > 1e-9 * (1 + abs(bounds[k])) for k in range(4))):
            self._fail("annotation %d: bbox is not the bounds of its polygons" % n)
        area = object_area(rings)
        if abs(a.get("area", -1) - area) > 1e-6 * (1 + area) or a.get("iscrowd") != 0:
            self._fail("annotation %d: area is not the area of its polygons, or iscrowd is "
                       "not 0" % n)
        if rle:
            try:
                if seg.get("size") != [h, w]:
                    raise ValueError("its size is not [%d, %d]" % (h, w))
                rle_counts(seg)
            except (ValueError, TypeError, KeyError) as e:
                self._fail("annotation %d: the RLE does not decode: %s" % (n, e))
        return [list(r) for r in rings]

    def object_mask(self, rings, width, height):
        """The mask of an object's rings in a width x height image (rows of 0
        and 1): rasterise()."""
        return rasterise(rings, width, height)

    def _check_split(self, ann, man, images):
        """schema_version 1.2.0: every image's split is the one its
        checksum gives (split_of_checksum), the manifest repeats info.split
        and counts.per_split counts the images of each part."""
        split = ann["info"].get("split")
        self.split = split
        self._split_of = {}
        if split is None:
            if any("split" in im for im in images):
                self._fail("an image has a split, but annotations.json info has none")
            if "split" in man.get("selection", {}) or "per_split" in man.get("counts", {}):
                self._fail("manifest.json has a split, but annotations.json has none")
            return
        fractions = [split.get(k) for k in ("train", "val", "test")]
        if (not isinstance(split.get("seed"), str) or not split["seed"]
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1
                           for v in fractions)
                or abs(sum(fractions) - 1) > 1e-9):
            self._fail("annotations.json info.split is not a seed and fractions adding up to 1")
        per = {"train": 0, "val": 0, "test": 0}
        for im in images:
            want = split_of_checksum(split, im["checksum_sha256"])
            if im.get("split") != want:
                self._fail("image %r: split %r, but the seed and its checksum give %r"
                           % (im["id"], im.get("split"), want))
            per[want] += 1
            self._split_of[im["file_name"]] = want
        if man.get("selection", {}).get("split") != split:
            self._fail("manifest.json selection.split differs from annotations.json info.split")
        if man.get("counts", {}).get("per_split") != per:
            self._fail("manifest.json counts.per_split differ from annotations.json")

    def split_of(self, file_name):
        """"train", "val" or "test" for an image of an export with a split
        (None without one)."""
        if self.split is None:
            return None
        return self._split_of[file_name]

    def iter_split(self, part):
        """Like iterating the dataset, but only the images of one part
        ("train", "val" or "test") of an export with a split."""
        if self.split is None:
            raise DatasetError("%s: this export has no split" % self.path)
        if part not in ("train", "val", "test"):
            raise ValueError("part must be 'train', 'val' or 'test'")
        for file_name, *rest in self.samples:
            if self._split_of[file_name] == part:
                yield (self[file_name], *rest)

    def _verify_image(self, file_name):
        if file_name in self._verified:
            return
        rel = self._rel[file_name]
        data = self._src.read(rel)
        got = hashlib.sha256(data).hexdigest()
        if got != self._checksum[file_name]:
            self._fail("%s: checksum mismatch (expected %s, got %s)"
                       % (rel, self._checksum[file_name], got))
        try:
            check_image(data)
        except ValueError as e:
            self._fail("%s: damaged image: %s" % (rel, e))
        self._verified.add(file_name)

    # --- use ------------------------------------------------------------

    def __len__(self):
        return len(self.samples)

    def __iter__(self):
        """(image, class_index) for classification_single, (image,
        [class_index, ...]) for classification_multi (an empty list for
        "none of these"), (image, [[x, y, w, h], ...], [class_index, ...])
        for detection and (image, [[ring, ...], ...], [class_index, ...])
        for segmentation (empty lists for "no objects"), one item per image
        in id order."""
        for file_name, *rest in self.samples:
            yield (self[file_name], *rest)

    def __getitem__(self, file_name):
        """The image of file_name: a Path (folder) or bytes (zip)."""
        if self._lazy:
            self._verify_image(file_name)
        return self._src.item(self._rel[file_name])

    def close(self):
        self._src.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
