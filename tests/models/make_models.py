#!/usr/bin/python3
"""Makes the tiny ONNX models the API tests and the bench use, with their
metadata files (the `metadata` part of POST /api/v1/projects/{id}/models).
Run it again only to change them: the outputs are committed, so the tests
need no PyTorch. Uses Debian's python3-torch and python3-onnx:

    /usr/bin/python3 tests/models/make_models.py

colour_a.onnx  3 classes (red, green, blue) from the mean colour of an 8x8
               RGB image, NCHW, values scaled to 0..1.
colour_b.onnx  the same classes, trained differently (another seed, fewer
               steps, a bias towards green), on 16x16 BGR NHWC input with a
               mean and std: two models that disagree on mixed colours.
dynamic.onnx   an input with dynamic dimensions (refused at registration).
huge.onnx      an input of 1 x 3 x 100000 x 100000 (refused).
throws.onnx    loads, but fails when run (a reshape to a size computed
               from the pixels).

The metadata files name the project's category ids 1, 2, 3 (red, green,
blue) and leave labels_hash to the caller (it depends on the project)."""
import json
import os

import onnx
from onnx import TensorProto, helper
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


class Colour(torch.nn.Module):
    def __init__(self, nhwc):
        super().__init__()
        self.nhwc = nhwc
        self.fc = torch.nn.Linear(3, 3)

    def forward(self, x):
        m = x.mean(dim=(1, 2)) if self.nhwc else x.mean(dim=(2, 3))
        return torch.softmax(self.fc(m), dim=1)


def samples(n, gen):
    """Colours near pure red, green, blue, as rows of RGB in 0..1."""
    y = torch.randint(0, 3, (n,), generator=gen)
    x = torch.rand(n, 3, generator=gen) * 0.35
    x[torch.arange(n), y] = 0.65 + torch.rand(n, generator=gen) * 0.35
    return x, y


def train(model, gen, steps, lr, tweak):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        x, y = samples(64, gen)
        x = tweak(x)
        logits = model.fc(x)
        loss = torch.nn.functional.cross_entropy(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()


def export(model, shape, path):
    model.eval()
    torch.onnx.export(model, torch.zeros(*shape), path, input_names=["image"],
                      output_names=["scores"], opset_version=13)


def write_meta(name, meta):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")


def main():
    torch.manual_seed(1)
    a = Colour(nhwc=False)
    train(a, torch.Generator().manual_seed(1), 600, 2.0, lambda x: x)
    export(a, (1, 3, 8, 8), os.path.join(HERE, "colour_a.onnx"))
    write_meta("colour_a.json", {
        "name": "colour A", "task_type": "classification_single", "labels_hash": "",
        "input": {"width": 8, "height": 8, "channels": "rgb", "layout": "nchw",
                  "scale": 1 / 255, "mean": [0, 0, 0], "std": [1, 1, 1]},
        "outputs": [1, 2, 3]})

    # B sees (v - 0.5) / 0.25 in BGR order; trained on RGB rows, so its
    # first layer is turned around to take BGR.
    torch.manual_seed(7)
    b = Colour(nhwc=True)
    norm = lambda x: (x - 0.5) / 0.25
    train(b, torch.Generator().manual_seed(7), 150, 0.5,
          lambda x: norm(x + torch.tensor([0.0, 0.12, 0.0])))
    with torch.no_grad():
        b.fc.weight.copy_(b.fc.weight.flip(1))
    export(b, (1, 16, 16, 3), os.path.join(HERE, "colour_b.onnx"))
    write_meta("colour_b.json", {
        "name": "colour B", "task_type": "classification_single", "labels_hash": "",
        "input": {"width": 16, "height": 16, "channels": "bgr", "layout": "nhwc",
                  "scale": 1 / 255, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
        "outputs": [1, 2, 3]})

    def graph_model(name, in_dims, nodes, inits=()):
        g = helper.make_graph(
            nodes, name,
            [helper.make_tensor_value_info("image", TensorProto.FLOAT, in_dims)],
            [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 3])],
            list(inits))
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 7
        onnx.checker.check_model(m)
        onnx.save(m, os.path.join(HERE, name + ".onnx"))

    pool = [helper.make_node("ReduceMean", ["image"], ["m"], keepdims=0, axes=[2, 3]),
            helper.make_node("Softmax", ["m"], ["scores"], axis=1)]
    graph_model("dynamic", ["n", 3, "h", "w"], pool)
    graph_model("huge", [1, 3, 100000, 100000], pool)
    zero = helper.make_tensor("zero", TensorProto.INT64, [1], [0])
    graph_model("throws", [1, 3, 8, 8], [
        helper.make_node("ReduceSum", ["image"], ["s"], keepdims=1),
        helper.make_node("Flatten", ["s"], ["s1"], axis=0),
        helper.make_node("Cast", ["s1"], ["n"], to=TensorProto.INT64),
        helper.make_node("Squeeze", ["n", "zero"], ["n1"]),
        helper.make_node("Reshape", ["image", "n1"], ["scores"]),
    ], [zero])


if __name__ == "__main__":
    main()
