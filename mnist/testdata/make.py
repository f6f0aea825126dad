# Makes the MNIST-shaped test files and the goldens, following the original
# dataset_tool.py create_mnist / create_mnistrgb with numpy 1.24:
#   /usr/bin/python3 make.py   (in mnist/testdata)
import gzip, hashlib, json, struct
import numpy as np

n = 50
rs = np.random.RandomState(7)
img = rs.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
img[:, :4, :] = 0  # digits have dark borders
img[0, 10, 10], img[1, 11, 11] = 0, 255
lab = rs.randint(0, 10, size=n).astype(np.uint8)
# mtime=0 keeps the files reproducible.
with gzip.GzipFile('train-images-idx3-ubyte.gz', 'wb', mtime=0) as f:
    f.write(struct.pack('>IIII', 0x803, n, 28, 28) + img.tobytes())
with gzip.GzipFile('train-labels-idx1-ubyte.gz', 'wb', mtime=0) as f:
    f.write(struct.pack('>II', 0x801, n) + lab.tobytes())

# create_mnist, as the original writes it.
images = img.reshape(-1, 1, 28, 28)
images = np.pad(images, [(0, 0), (0, 0), (2, 2), (2, 2)], 'constant', constant_values=0)
onehot = np.zeros((lab.size, np.max(lab) + 1), dtype=np.float32)
onehot[np.arange(lab.size), lab] = 1.0
order = np.arange(n)
np.random.RandomState(123).shuffle(order)
golden = {
    'mnist_md5': [hashlib.md5(images[i].tobytes()).hexdigest() for i in order],
    'mnist_labels': [int(lab[i]) for i in order],
    'labels_md5': hashlib.md5(onehot[order].tobytes()).hexdigest(),
}
# create_mnistrgb --num_images 9 --random_seed 5
rnd = np.random.RandomState(5)
rgb = [images[rnd.randint(images.shape[0], size=3)][:, 0] for _ in range(9)]
golden['mnistrgb_seed5_md5'] = [hashlib.md5(np.ascontiguousarray(m).tobytes()).hexdigest() for m in rgb]
json.dump(golden, open('golden.json', 'w'), indent=1)
