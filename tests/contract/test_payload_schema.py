"""The annotation payload schema (contract/schema/annotation_payload.schema.json)
accepts the payloads the server accepts and refuses those it refuses.

    python3 -m unittest discover -s tests/contract -v
"""

import json
import pathlib
import unittest

import jsonschema

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "contract" / "schema" / "annotation_payload.schema.json").read_text())


class PayloadSchemaTest(unittest.TestCase):
    def setUp(self):
        jsonschema.Draft202012Validator.check_schema(SCHEMA)
        self.v = jsonschema.Draft202012Validator(SCHEMA)

    def test_valid_payloads(self):
        for p in [
            {"type": "classification", "category_ids": [2]},
            {"type": "classification", "category_ids": [1, 3]},
            {"type": "classification", "category_ids": []},
            {"type": "classification", "category_ids": [9007199254740991]},
            {"type": "boxes", "objects": []},
            {"type": "boxes", "objects": [{"id": "3-1", "category_id": 2, "bbox": [0, 0.5, 10, 2.25]}]},
            {"type": "boxes", "objects": [{"category_id": 2, "bbox": [1, 1, 1, 1]}]},
            {"type": "polygons", "objects": []},
            {"type": "polygons", "objects": [{"id": "4-1", "category_id": 3, "polygons": [[0, 0, 4, 0, 2, 3.5]]}]},
            {"type": "polygons", "objects": [{"category_id": 3, "polygons": [[0, 0, 9, 0, 9, 9, 0, 9], [2, 2, 2, 4, 4, 4]]}]},
        ]:
            self.assertTrue(self.v.is_valid(p), p)

    def test_invalid_payloads(self):
        for p in [
            [2],
            None,
            {"category_ids": [2]},
            {"type": "boxes", "category_ids": [2]},
            {"type": "boxes"},
            {"type": "boxes", "objects": [{"category_id": 2, "bbox": [0, 0, 0, 1]}]},
            {"type": "boxes", "objects": [{"category_id": 2, "bbox": [0, 0, 1, -1]}]},
            {"type": "boxes", "objects": [{"category_id": 2, "bbox": [-1, 0, 1, 1]}]},
            {"type": "boxes", "objects": [{"category_id": 2, "bbox": [0, 0, 1]}]},
            {"type": "boxes", "objects": [{"category_id": 2, "bbox": [0, 0, 1, 1], "score": 1}]},
            {"type": "boxes", "objects": [{"id": "a b", "category_id": 2, "bbox": [0, 0, 1, 1]}]},
            {"type": "boxes", "objects": [{"id": "", "category_id": 2, "bbox": [0, 0, 1, 1]}]},
            {"type": "boxes", "objects": [{"bbox": [0, 0, 1, 1]}]},
            {"type": "boxes", "objects": [{"category_id": 1, "bbox": [0, 0, 1, 1]}] * 1001},
            {"type": "polygons"},
            {"type": "polygons", "objects": [{"category_id": 3, "polygons": []}]},
            {"type": "polygons", "objects": [{"category_id": 3, "polygons": [[0, 0, 4, 0]]}]},
            {"type": "polygons", "objects": [{"category_id": 3, "polygons": [[0, 0, 4, 0, 2, -1]]}]},
            {"type": "polygons", "objects": [{"category_id": 3, "polygons": [[0, 0, 4, 0, 2, "3"]]}]},
            {"type": "polygons", "objects": [{"category_id": 3, "bbox": [0, 0, 1, 1]}]},
            {"type": "polygons", "objects": [{"category_id": 3, "polygons": [[0, 0, 4, 0, 2, 3]], "bbox": [0, 0, 1, 1]}]},
            {"type": "boxes", "objects": [{"category_id": 3, "polygons": [[0, 0, 4, 0, 2, 3]]}]},
            {"type": "classification"},
            {"type": "classification", "category_ids": [0]},
            {"type": "classification", "category_ids": ["1"]},
            {"type": "classification", "category_ids": [1.5]},
            {"type": "classification", "category_ids": [9007199254740992]},
            {"type": "classification", "category_ids": [2], "scores": [0.5]},
            {"type": "classification", "category_ids": list(range(1, 1002))},
        ]:
            self.assertFalse(self.v.is_valid(p), p)


if __name__ == "__main__":
    unittest.main()
