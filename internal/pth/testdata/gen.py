#!/usr/bin/python3
"""Makes the test files of package pth and their goldens.

Run from this directory with Debian's Python 3.11 and torch 1.13:

    cd internal/pth/testdata && /usr/bin/python3 gen.py

For each content below it writes NAME_zip.pth by torch.save(obj, f) and
NAME_legacy.pth by torch.save(obj, f, _use_new_zipfile_serialization=False)
(torch's format before 1.6), both with the default pickle protocol 2, and
p4_zip.pth and p4_legacy.pth with pickle_protocol=4 (framed pickles). The
legacy files name their storages by memory address, so they differ from run
to run; what they hold does not.

  inception   a plain dict of float32 tensors named as in Inception v3's
              state_dict (conv weights, batch norm statistics, fc)
  module      nn.Module.state_dict(): an OrderedDict with _metadata, int64
              num_batches_tracked (a 0-d tensor)
  views       tensors sharing one storage at several offsets and strides, a
              transposed tensor, float16 (with infinities), bfloat16,
              float64, integer and bool tensors, a 0-d scalar, empty tensors,
              an nn.Parameter
  bad_*       files torch.save writes that package pth must refuse: pickles
              that call os.system, builtins.eval and torch.load, and a numpy
              array in a state_dict

golden.json holds, for every file but bad_*, what torch.load returns: each
key's dtype, shape and values in row-major order, floats as repr() of their
float32 value (t.float()), integers and bools as ints.
"""

import collections
import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(2015)


def inception():
    d = {}
    for name, shape in [('Conv2d_1a_3x3', (4, 3, 3, 3)), ('Mixed_5b.branch1x1', (2, 4, 1, 1))]:
        d[name + '.conv.weight'] = torch.randn(shape)
        n = shape[0]
        d[name + '.bn.bias'] = torch.randn(n)
        d[name + '.bn.running_mean'] = torch.randn(n)
        d[name + '.bn.running_var'] = torch.rand(n) + 0.5
    d['fc.weight'] = torch.randn(3, 5)
    d['fc.bias'] = torch.randn(3)
    return d


def module():
    m = torch.nn.Sequential(collections.OrderedDict(
        conv=torch.nn.Conv2d(2, 3, 3),
        bn=torch.nn.BatchNorm2d(3),
        fc=torch.nn.Linear(4, 2),
    ))
    m.train()
    for _ in range(7):  # num_batches_tracked becomes 7
        m.bn(m.conv(torch.randn(2, 2, 4, 4)))
    return m.state_dict()


def views():
    base = torch.arange(24, dtype=torch.float32) / 4 - 2
    grid = base.view(4, 6)
    half = torch.tensor([[1.5, -0.0, float('inf')], [-float('inf'), 65504, 6e-8]], dtype=torch.float16)
    return {
        'base': base,
        'row': grid[1],                  # offset 6
        'column': grid[:, 2],            # offset 2, stride 6
        'transposed': grid.t(),          # strides (1, 6)
        'block': base.view(2, 3, 4)[1, 1:, ::2],
        'fc_t': torch.randn(3, 5).t(),   # its own storage, transposed
        'half': half,
        'half_column': half[:, 1],
        'bfloat16': torch.tensor([1.0, -2.5, 3.1415926], dtype=torch.bfloat16),
        'double': torch.tensor([[1 / 3, -1e-300], [1e300, 2.0 ** -149]], dtype=torch.float64),
        'int64': torch.tensor([-(2 ** 63), 2 ** 63 - 1, 0, 42]),
        'int32': torch.tensor([[-7, 8]], dtype=torch.int32),
        'int16': torch.tensor([-300, 300], dtype=torch.int16),
        'int8': torch.tensor([-128, 127], dtype=torch.int8),
        'uint8': torch.tensor([0, 255, 7], dtype=torch.uint8),
        'bool': torch.tensor([True, False, True]),
        'scalar': torch.tensor(3.25),
        'empty': torch.zeros(0, 3),
        'empty_view': grid[4:],          # shape (0, 6) at offset 24
        'parameter': torch.nn.Parameter(torch.tensor([0.5, -0.25])),
    }


class Call:
    """Pickles as a call of fn(*args), as a crafted pickle would."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def describe(obj):
    out = {}
    for k, t in obj.items():
        d = {'dtype': str(t.dtype).removeprefix('torch.'), 'shape': list(t.shape)}
        if t.dtype.is_floating_point:
            d['values'] = [repr(x) for x in t.float().reshape(-1).tolist()]
        else:
            d['values'] = [int(x) for x in t.reshape(-1).tolist()]
        out[k] = d
    return out


def save(name, obj, **kw):
    path = os.path.join(HERE, name)
    torch.save(obj, path, **kw)
    return path


golden = {}
contents = {'inception': inception(), 'module': module(), 'views': views()}
for name, obj in contents.items():
    for fmt, kw in [('zip', {}), ('legacy', {'_use_new_zipfile_serialization': False})]:
        path = save(f'{name}_{fmt}.pth', obj, **kw)
        loaded = torch.load(path)
        assert list(loaded) == list(obj) and all(torch.equal(loaded[k], obj[k]) for k in obj), path
        golden[os.path.basename(path)] = describe(loaded)
for fmt, kw in [('zip', {}), ('legacy', {'_use_new_zipfile_serialization': False})]:
    path = save(f'p4_{fmt}.pth', contents['inception'], pickle_protocol=4, **kw)
    golden[os.path.basename(path)] = describe(torch.load(path))

bad = {
    'bad_os_system_zip.pth': ({'x': Call(os.system, 'true')}, {}),
    'bad_os_system_legacy.pth': ({'x': Call(os.system, 'true')}, {'_use_new_zipfile_serialization': False}),
    'bad_eval_zip.pth': ({'x': Call(eval, '1')}, {}),
    'bad_torch_load_legacy.pth': ({'x': Call(torch.load, 'x.pth')}, {'_use_new_zipfile_serialization': False}),
    'bad_numpy_zip.pth': ({'x': np.zeros(2, np.float32)}, {}),
}
for name, (obj, kw) in bad.items():
    save(name, obj, **kw)

# One line per tensor.
with open(os.path.join(HERE, 'golden.json'), 'w') as f:
    files = []
    for name in sorted(golden):
        keys = [f'  {json.dumps(k)}: {json.dumps(v)}' for k, v in golden[name].items()]
        files.append(f' {json.dumps(name)}: {{\n' + ',\n'.join(keys) + '\n }')
    f.write('{\n' + ',\n'.join(files) + '\n}\n')
