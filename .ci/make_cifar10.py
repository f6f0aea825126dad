# Writes a full-size synthetic cifar-10-python.tar.gz (5 × 10000 images, the
# real layout: cifar-10-batches-py/data_batch_N as Python 2 cPickle protocol-2
# pickles, written by internal/pickle/testdata/py2pickle.py, of a dict with
# 'data' uint8 (10000, 3072) and 'labels'), for timing `progan cifar10`.
# Usage: make_cifar10.py OUT.tar.gz
import io, os, sys, tarfile
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'internal', 'pickle', 'testdata'))
import py2pickle

rs = np.random.RandomState(1)
with tarfile.open(sys.argv[1], 'w:gz') as tar:
    for b in range(1, 6):
        # Smooth-ish images compress like photos, not like noise.
        base = rs.randint(0, 256, size=(10000, 3, 8, 8)).astype(np.uint8)
        data = np.repeat(np.repeat(base, 4, axis=2), 4, axis=3).reshape(10000, 3072)
        data = (data + rs.randint(0, 8, size=data.shape)).astype(np.uint8)
        data[0, 0], data[0, 1] = 0, 255
        d = {'batch_label': b'training batch %d of 5' % b, 'labels': [int(v) for v in rs.randint(0, 10, 10000)],
             'data': data, 'filenames': [b'img_%d_%d.png' % (b, i) for i in range(10000)]}
        blob = py2pickle.dumps(d)
        info = tarfile.TarInfo('cifar-10-batches-py/data_batch_%d' % b)
        info.size = len(blob)
        tar.addfile(info, io.BytesIO(blob))
