#!/usr/bin/env python3
"""Train an image classifier on a Tessera export (an example to adapt).

    python3 contract/python/train_example.py EXPORT [--epochs 5] [--out model]

EXPORT is an export folder or its zip. Needs torch, torchvision and Pillow
(not used by the tests). The class order comes from manifest.json
(class_index), never from the UI's display order; the model is saved with
the dataset's categories_hash as its labels_hash, so the server can tell
whether the model still matches the project's categories.

Beside the PyTorch weights (model.pt) it writes model.onnx (a fixed
1x3x224x224 input, softmax scores out) and model.metadata.json, the
`metadata` part that registers it with the server:

    curl -H "Authorization: Bearer $TOKEN" \
         -F file=@model/model.onnx -F metadata=<model/model.metadata.json \
         http://127.0.0.1:8080/api/v1/projects/1/models
"""

import argparse
import io
import json
import os
import sys

import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torchvision import models, transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tessera_dataset import TesseraDataset  # noqa: E402


class ExportImages(Dataset):
    """(tensor, class_index) pairs from a verified export."""

    def __init__(self, ds, transform):
        # Images are verified when ds is opened; keep the decoded inputs
        # small by loading each one on demand.
        self.ds = ds
        self.samples = ds.samples
        self.transform = transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        file_name, class_index = self.samples[i]
        item = self.ds[file_name]
        image = Image.open(io.BytesIO(item) if isinstance(item, bytes) else item)
        return self.transform(image.convert("RGB")), class_index


def main():
    ap = argparse.ArgumentParser(description="Train on a Tessera export.")
    ap.add_argument("export")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--out", default="model")
    args = ap.parse_args()

    with TesseraDataset(args.export) as ds:
        num_classes = len(ds.class_names)
        print("dataset version %s, %d samples, %d classes, hash %s"
              % (ds.version, len(ds), num_classes, ds.hash))
        transform = transforms.Compose([
            transforms.Resize((224, 224)),
            transforms.ToTensor(),
            transforms.Normalize(MEAN, STD),
        ])
        loader = DataLoader(ExportImages(ds, transform), batch_size=args.batch_size,
                            shuffle=True, num_workers=0)

        device = "cuda" if torch.cuda.is_available() else "cpu"
        model = models.resnet18(weights=None, num_classes=num_classes).to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
        loss_fn = nn.CrossEntropyLoss()

        for epoch in range(args.epochs):
            model.train()
            total, correct, loss_sum = 0, 0, 0.0
            for x, y in loader:
                x, y = x.to(device), y.to(device)
                optimizer.zero_grad()
                out = model(x)
                loss = loss_fn(out, y)
                loss.backward()
                optimizer.step()
                loss_sum += loss.item() * len(y)
                correct += (out.argmax(1) == y).sum().item()
                total += len(y)
            print("epoch %d: loss %.4f, train accuracy %.3f"
                  % (epoch + 1, loss_sum / max(total, 1), correct / max(total, 1)))

        os.makedirs(args.out, exist_ok=True)
        torch.save(model.state_dict(), os.path.join(args.out, "model.pt"))
        meta = {
            "labels_hash": ds.categories_hash,  # manifest.categories_hash
            "class_names": ds.class_names,      # index = model output
            "category_ids": ds.category_ids,
            "dataset_hash": ds.hash,
            "dataset_version": ds.version,
            "dataset_id": ds.manifest.get("dataset_id"),
            "architecture": "resnet18",
        }
        with open(os.path.join(args.out, "labels.json"), "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=2, ensure_ascii=False)
            f.write("\n")
        export_onnx(model.to("cpu").eval(), ds, args.out)
        print("saved %s/model.pt, model.onnx, model.metadata.json and labels.json "
              "(labels_hash %s)" % (args.out, ds.categories_hash))


MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


class WithSoftmax(nn.Module):
    """The trained network with scores (softmax) as its output."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.softmax(self.net(x), dim=1)


def export_onnx(model, ds, out):
    """model.onnx and the metadata the server's register call takes: the
    input as the training transform made it (224x224 RGB, values / 255,
    then ImageNet mean and std), and outputs = the category id of each
    score, in class_index order."""
    path = os.path.join(out, "model.onnx")
    torch.onnx.export(WithSoftmax(model), torch.zeros(1, 3, 224, 224), path,
                      input_names=["image"], output_names=["scores"], opset_version=13)
    meta = {
        "name": "resnet18 on %s v%s" % (ds.manifest.get("project_name", "export"), ds.version),
        "task_type": ds.task_type or "classification_single",
        "labels_hash": ds.categories_hash,
        "input": {"width": 224, "height": 224, "channels": "rgb", "layout": "nchw",
                  "scale": 1 / 255, "mean": MEAN, "std": STD},
        "outputs": list(ds.category_ids),
    }
    with open(os.path.join(out, "model.metadata.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
