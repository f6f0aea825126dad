#!/usr/bin/python3
"""Makes the test datasets of package cifar and their goldens.

Run from this directory with Python 3.11 and numpy 1.24.2:

    /usr/bin/python3 make.py

It writes, with the real archives' layouts and member names:

  cifar-10-python.tar.gz    cifar-10-batches-py/: data_batch_1..5 (4 images
                            each), test_batch, batches.meta, readme.html. The
                            pickles are laid out as Python 2.7's cPickle wrote
                            the real ones (../../internal/pickle/testdata/
                            py2pickle.py); members in the real archive's order.
  cifar-10-binary.tar.gz    cifar-10-batches-bin/: data_batch_1..5.bin,
                            test_batch.bin (records of 1 label byte + 3072
                            pixels), batches.meta.txt, readme.html.
  cifar-100-python.tar.gz   cifar-100-python/: train (6 images), test, meta.
  cifar-100-binary.tar.gz   cifar-100-binary/: train.bin, test.bin (records of
                            coarse label, fine label + 3072 pixels),
                            coarse_label_names.txt, fine_label_names.txt.
  py3/cifar-10-batches-py/  the same CIFAR-10 batches pickled by Python 3 with
                            protocols 2, 3, 4, 5 and 2, batch 3's labels as an
                            int64 ndarray and batch 4's as an int32 ndarray.
  svhn/train_1..3.pkl       NVIDIA's SVHN layout: (images uint8 (n, 3, 32, 32),
                            labels (n,)), n = 3, 2, 4; protocols 2, 4, 5; labels
                            uint8, int64, uint8.
  golden.json               for each dataset, what the original dataset_tool.py's
                            create_cifar10 / create_cifar100 / create_svhn load
                            from the files (run here on the unpacked archives,
                            without the asserts on the image count and the label
                            dtype): the sha256 of each image's CHW bytes and the
                            labels, in file order.
"""

import gzip
import hashlib
import io
import json
import os
import pickle
import shutil
import sys
import tarfile
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'internal', 'pickle', 'testdata'))
import py2pickle  # noqa: E402

rs = np.random.RandomState(32)
MTIME = 1244568000  # any fixed time keeps the archives reproducible


def images(n):
    return rs.randint(0, 256, size=(n, 3072)).astype(np.uint8)


def tar_gz(path, members):
    """members: (name, bytes or None for a directory), in archive order."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode='w', format=tarfile.USTAR_FORMAT) as tf:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = MTIME, 1000, 1000, 'user', 'user'
            if data is None:
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                tf.addfile(ti)
            else:
                ti.size, ti.mode = len(data), 0o644
                tf.addfile(ti, io.BytesIO(data))
    with open(path, 'wb') as f:
        with gzip.GzipFile(fileobj=f, mode='wb', mtime=0, filename='') as gz:
            gz.write(raw.getvalue())


def bin_records(data, *labels):
    out = bytearray()
    for i in range(len(data)):
        out += bytes(int(l[i]) for l in labels) + data[i].tobytes()
    return bytes(out)


# ---- CIFAR-10 ----
names10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
batches = []
for b in range(1, 6):
    data = images(4)
    labels = [int(x) for x in rs.randint(0, 10, size=4)]
    files = ['%s_s_%06d.png' % (names10[l], int(rs.randint(0, 999999))) for l in labels]
    batches.append((data, labels, files))
batches[0][1][0], batches[4][1][3] = 0, 9  # both ends of the label range
test10 = (images(4), [int(x) for x in rs.randint(0, 10, size=4)])


def py2_batch(label, data, labels, files):
    # The key order of the real files (Python 2 dict order).
    return py2pickle.dumps({b'data': data, b'labels': labels,
                            b'batch_label': label.encode(), b'filenames': [f.encode() for f in files]})


members = {'cifar-10-batches-py': None}
for b, (data, labels, files) in enumerate(batches, 1):
    members['cifar-10-batches-py/data_batch_%d' % b] = py2_batch('training batch %d of 5' % b, data, labels, files)
members['cifar-10-batches-py/test_batch'] = py2_batch('testing batch 1 of 1', test10[0], test10[1], ['t.png'] * 4)
members['cifar-10-batches-py/batches.meta'] = py2pickle.dumps(
    {b'num_cases_per_batch': 4, b'label_names': [n.encode() for n in names10], b'num_vis': 3072})
members['cifar-10-batches-py/readme.html'] = b'<meta HTTP-EQUIV="REFRESH" content="0; URL=http://www.cs.toronto.edu/~kriz/cifar.html">\n'
order = ['cifar-10-batches-py', 'data_batch_4', 'readme.html', 'test_batch', 'data_batch_3',
         'batches.meta', 'data_batch_2', 'data_batch_5', 'data_batch_1']
tar_gz(os.path.join(HERE, 'cifar-10-python.tar.gz'),
       [(n if n == 'cifar-10-batches-py' else 'cifar-10-batches-py/' + n,
         members[n if n == 'cifar-10-batches-py' else 'cifar-10-batches-py/' + n]) for n in order])

binm = [('cifar-10-batches-bin', None)]
for b, (data, labels, _) in enumerate(batches, 1):
    binm.append(('cifar-10-batches-bin/data_batch_%d.bin' % b, bin_records(data, labels)))
binm.append(('cifar-10-batches-bin/test_batch.bin', bin_records(test10[0], test10[1])))
binm.append(('cifar-10-batches-bin/batches.meta.txt', ('\n'.join(names10) + '\n\n').encode()))
binm.append(('cifar-10-batches-bin/readme.html', members['cifar-10-batches-py/readme.html']))
tar_gz(os.path.join(HERE, 'cifar-10-binary.tar.gz'), binm)

py3 = os.path.join(HERE, 'py3', 'cifar-10-batches-py')
shutil.rmtree(os.path.join(HERE, 'py3'), ignore_errors=True)
os.makedirs(py3)
for b, ((data, labels, files), proto) in enumerate(zip(batches, (2, 3, 4, 5, 2)), 1):
    if b == 3:
        labels = np.array(labels, dtype=np.int64)
    elif b == 4:
        labels = np.array(labels, dtype=np.int32)
    d = {'batch_label': 'training batch %d of 5' % b, 'labels': labels, 'data': data, 'filenames': files}
    with open(os.path.join(py3, 'data_batch_%d' % b), 'wb') as f:
        pickle.dump(d, f, protocol=proto)

# ---- CIFAR-100 ----
train100 = images(6)
fine = [int(x) for x in rs.randint(0, 100, size=6)]
fine[0], fine[5] = 0, 99
coarse = [f // 5 for f in fine]  # any labels in 0..19 will do
test100 = images(3)
members = [
    ('cifar-100-python', None),
    ('cifar-100-python/file.txt~', b''),
    ('cifar-100-python/train', py2pickle.dumps({
        b'filenames': [b'f_%d.png' % i for i in range(6)], b'batch_label': b'training batch 1 of 1',
        b'fine_labels': fine, b'coarse_labels': coarse, b'data': train100})),
    ('cifar-100-python/test', py2pickle.dumps({
        b'filenames': [b't.png'] * 3, b'batch_label': b'testing batch 1 of 1',
        b'fine_labels': [1, 2, 3], b'coarse_labels': [0, 0, 0], b'data': test100})),
    ('cifar-100-python/meta', py2pickle.dumps({b'fine_label_names': [b'apple'] * 100, b'coarse_label_names': [b'fish'] * 20})),
]
tar_gz(os.path.join(HERE, 'cifar-100-python.tar.gz'), members)
tar_gz(os.path.join(HERE, 'cifar-100-binary.tar.gz'), [
    ('cifar-100-binary', None),
    ('cifar-100-binary/coarse_label_names.txt', b'fish\n' * 20),
    ('cifar-100-binary/fine_label_names.txt', b'apple\n' * 100),
    ('cifar-100-binary/test.bin', bin_records(test100, [0, 0, 0], [1, 2, 3])),
    ('cifar-100-binary/train.bin', bin_records(train100, coarse, fine)),
])

# ---- SVHN ----
svhn = os.path.join(HERE, 'svhn')
shutil.rmtree(svhn, ignore_errors=True)
os.makedirs(svhn)
for b, (n, proto, ldt) in enumerate(((3, 2, np.uint8), (2, 4, np.int64), (4, 5, np.uint8)), 1):
    img = rs.randint(0, 256, size=(n, 3, 32, 32)).astype(np.uint8)
    lab = rs.randint(0, 10, size=n).astype(ldt)
    if b == 1:
        lab[0], img[0, 0, 0, :2] = 9, (0, 255)
    with open(os.path.join(svhn, 'train_%d.pkl' % b), 'wb') as f:
        pickle.dump((img, lab), f, protocol=proto)


# ---- goldens: the original's loading code on the files as written ----
def load_cifar10(cifar10_dir):  # create_cifar10, without the count and int32 asserts
    images, labels = [], []
    for batch in range(1, 6):
        with open(os.path.join(cifar10_dir, 'data_batch_%d' % batch), 'rb') as file:
            data = pickle.load(file, encoding='latin1')
        images.append(data['data'].reshape(-1, 3, 32, 32))
        labels.append(data['labels'])
    images, labels = np.concatenate(images), np.concatenate(labels)
    assert images.dtype == np.uint8 and np.min(images) == 0 and np.max(images) == 255
    assert np.min(labels) == 0 and np.max(labels) == 9
    return images, labels


def load_cifar100(cifar100_dir):  # create_cifar100, likewise
    with open(os.path.join(cifar100_dir, 'train'), 'rb') as file:
        data = pickle.load(file, encoding='latin1')
    images = data['data'].reshape(-1, 3, 32, 32)
    labels = np.array(data['fine_labels'])
    assert images.dtype == np.uint8 and np.min(images) == 0 and np.max(images) == 255
    assert np.min(labels) == 0 and np.max(labels) == 99
    return images, labels


def load_svhn(svhn_dir):  # create_svhn, without the count and uint8 asserts
    images, labels = [], []
    for batch in range(1, 4):
        with open(os.path.join(svhn_dir, 'train_%d.pkl' % batch), 'rb') as file:
            data = pickle.load(file, encoding='latin1')
        images.append(data[0])
        labels.append(data[1])
    images, labels = np.concatenate(images), np.concatenate(labels)
    assert images.shape[1:] == (3, 32, 32) and images.dtype == np.uint8
    assert np.min(images) == 0 and np.max(images) == 255
    assert np.min(labels) == 0 and np.max(labels) == 9
    return images, labels


def load_bin(path, label_bytes):
    raw = np.fromfile(path, dtype=np.uint8).reshape(-1, label_bytes + 3072)
    return raw[:, label_bytes:].reshape(-1, 3, 32, 32), raw[:, label_bytes - 1]


def entry(images, labels):
    return {'images': [hashlib.sha256(im.tobytes()).hexdigest() for im in images],
            'labels': [int(l) for l in labels]}


def same(a, b):
    assert a[0].shape == b[0].shape and (a[0] == b[0]).all() and (a[1] == b[1]).all()


golden = {}
with tempfile.TemporaryDirectory() as tmp:
    for name in ('cifar-10-python', 'cifar-10-binary', 'cifar-100-python', 'cifar-100-binary'):
        with tarfile.open(os.path.join(HERE, name + '.tar.gz')) as tf:
            tf.extractall(tmp)
    c10 = load_cifar10(os.path.join(tmp, 'cifar-10-batches-py'))
    same(c10, load_cifar10(py3))
    bins = [load_bin(os.path.join(tmp, 'cifar-10-batches-bin', 'data_batch_%d.bin' % b), 1) for b in range(1, 6)]
    same(c10, (np.concatenate([b[0] for b in bins]), np.concatenate([b[1] for b in bins])))
    golden['cifar10'] = entry(*c10)
    c100 = load_cifar100(os.path.join(tmp, 'cifar-100-python'))
    same(c100, load_bin(os.path.join(tmp, 'cifar-100-binary', 'train.bin'), 2))
    golden['cifar100'] = entry(*c100)
golden['svhn'] = entry(*load_svhn(svhn))

with open(os.path.join(HERE, 'golden.json'), 'w') as f:
    json.dump(golden, f, indent=1)
    f.write('\n')
